"""Service-level reminder e-mails to coordinators and regional staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.support.services._common import _now

STAGE_NAMES = {
    "triage": lambda: _("분류 지연"),
    "start": lambda: _("과제 착수 지연"),
    "complete": lambda: _("완료 지연"),
}


def send_service_level_reminders(*, now: dt.datetime | None = None, connection: Any = None) -> int:
    """E-mail each active coordinator and regional staff member the problems past their
    service level in their scope (one digest per person). Returns how many were sent."""
    from django.core.mail import EmailMessage, get_connection

    from sandan.accounts.models import Membership
    from sandan.accounts.roles import Role
    from sandan.support.selectors import overdue_problems

    when = _now(now)
    connection = connection or get_connection()
    users = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            role__in=[Role.COORDINATOR, Role.REGIONAL_STAFF], user__is_active=True
        ).select_related("user")
        if m.user.email
    }
    messages = []
    for user in sorted(users.values(), key=lambda u: u.pk):
        late = list(overdue_problems(user, when)[:200])
        if not late:
            continue
        lines = [
            _("- [%(stage)s] %(org)s: %(title)s (%(since)s부터)")
            % {
                "stage": STAGE_NAMES[p.overdue_stage](),  # type: ignore[attr-defined]
                "org": p.organisation.name_ko,
                "title": p.title,
                "since": timezone.localtime(p.overdue_since).strftime("%Y-%m-%d"),  # type: ignore[attr-defined]
            }
            for p in late
        ]
        subject = _("[산단] 처리 기한이 지난 애로과제 %(n)d건") % {"n": len(late)}
        body = _("처리 기한이 지난 애로과제입니다.\n\n%(lines)s\n") % {"lines": "\n".join(lines)}
        messages.append(
            EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], connection=connection
            )
        )
    if messages:
        connection.send_messages(messages)
    return len(messages)
