"""`sandan send_activity_reminders --days 3`: e-mail members about coming activities.

Run it daily (cron); each address hears about each activity once, however often it runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sandan.councils.services import send_activity_reminders


class Command(BaseCommand):
    help = "Send reminder e-mails for planned activities starting within --days days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=3, help="look-ahead in days (default 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 0:
            self.stderr.write("--days must be 0 or more")
            return
        sent = send_activity_reminders(days=days)
        self.stdout.write(f"{sent} reminder(s) sent for activities within {days} day(s)")
