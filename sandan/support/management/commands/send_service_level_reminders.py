"""`sandan send_service_level_reminders`: e-mail coordinators and regional staff the
problems past their service level (not triaged in time, or no project started in time).

Run it daily (cron): each person gets one digest per run with what is late in their scope;
the thresholds are the program year's rules `triage_within_days` and `start_within_days`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from sandan.support.services import send_service_level_reminders


class Command(BaseCommand):
    help = "E-mail each coordinator and regional staff member the overdue problems in their scope."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_service_level_reminders()
        self.stdout.write(f"{sent} service-level reminder(s) sent")
