"""Reminders reach members and registrants once, however often the command runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sandan.councils.models import ActivityReminder
from sandan.councils.services import send_activity_reminders
from sandan.councils.tests.factories import ActivityFactory, AttendanceFactory, MembershipFactory
from sandan.registry.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _member_with_email(council: Any, email: str) -> Any:
    org = OrganisationFactory(complex=council.hub.complex, contact_email=email)
    return MembershipFactory(council=council, organisation=org)


def test_members_and_registrants_are_reminded_once() -> None:
    activity = ActivityFactory(
        title="금형 기술교류회", starts_at=timezone.now() + dt.timedelta(days=2)
    )
    _member_with_email(activity.council, "ceo@changwon.example.kr")
    AttendanceFactory(activity=activity, status="registered", email="lee@kitech.example.kr")

    assert send_activity_reminders(days=3) == 2
    assert len(mail.outbox) == 2
    assert "금형 기술교류회" in mail.outbox[0].subject
    assert {m.to[0] for m in mail.outbox} == {"ceo@changwon.example.kr", "lee@kitech.example.kr"}

    assert send_activity_reminders(days=3) == 0
    assert len(mail.outbox) == 2
    assert ActivityReminder.objects.count() == 2


def test_a_new_member_still_gets_a_reminder_later() -> None:
    activity = ActivityFactory(starts_at=timezone.now() + dt.timedelta(days=1))
    _member_with_email(activity.council, "a@example.kr")
    send_activity_reminders(days=3)
    _member_with_email(activity.council, "b@example.kr")
    assert send_activity_reminders(days=3) == 1
    assert mail.outbox[-1].to == ["b@example.kr"]


def test_far_past_and_cancelled_activities_are_skipped() -> None:
    far = ActivityFactory(starts_at=timezone.now() + dt.timedelta(days=10))
    past = ActivityFactory(starts_at=timezone.now() - dt.timedelta(hours=1))
    cancelled = ActivityFactory(starts_at=timezone.now() + dt.timedelta(days=1), status="cancelled")
    for activity in (far, past, cancelled):
        _member_with_email(activity.council, f"x{activity.pk}@example.kr")
    assert send_activity_reminders(days=3) == 0 and not mail.outbox


def test_the_command_reports_what_it_sent(capsys: Any) -> None:
    activity = ActivityFactory(starts_at=timezone.now() + dt.timedelta(days=2))
    _member_with_email(activity.council, "ceo@example.kr")
    call_command("send_activity_reminders", "--days", "3")
    assert "1 reminder(s) sent" in capsys.readouterr().out
