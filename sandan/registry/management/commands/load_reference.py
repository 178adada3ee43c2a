"""`sandan load_reference`: upsert zones, provinces, municipalities, KSIC and KICOX offices."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sandan.registry.reference import load_reference


class Command(BaseCommand):
    help = "Load the reference data shipped in data/ (idempotent; safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=None, help="default: data/")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        summary = load_reference(options["data_dir"])
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.perf_counter() - started:.1f} s")
        )
