"""The councils' share of the scope world: a council on each hub of 2010.

On the program's three hubs — Changwon (dongnam, managed by the dongnam branch), Ulsan
(dongnam, not managed by the branch) and Banwol (capital) — a council each, with an
activity, members and attendance; Changwon and Banwol also have a sub-group, an attachment
and a reminder sent. (주)창원기계 — the company user's organisation — is a member of the
Changwon council only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sandan.core.tests.world import EVERY, Expected, Part, Table, World, rows
from sandan.councils.models import (
    Activity,
    ActivityAttachment,
    ActivityReminder,
    Attendance,
    Council,
    Membership,
    SubGroup,
)

MODELS = (
    "councils.council",
    "councils.membership",
    "councils.subgroup",
    "councils.activity",
    "councils.attendance",
    "councils.activityattachment",
    "councils.activityreminder",
)

# Per model, the rows of each hub: changwon (branch + zone), ulsan (zone only), banwol.
CHANGWON = {
    "councils.council": rows("council_changwon"),
    "councils.membership": rows("member_company", "member_university"),
    "councils.subgroup": rows("subgroup_changwon"),
    "councils.activity": rows("activity_changwon"),
    "councils.attendance": rows("attendance_company", "attendance_university"),
    "councils.activityattachment": rows("attachment_changwon"),
    "councils.activityreminder": rows("reminder_changwon"),
}
ULSAN = {
    "councils.council": rows("council_ulsan"),
    "councils.membership": rows("member_ulsan"),
    "councils.subgroup": rows(),
    "councils.activity": rows("activity_ulsan"),
    "councils.attendance": rows("attendance_ulsan"),
    "councils.activityattachment": rows(),
    "councils.activityreminder": rows(),
}
RUN = ("view", "add", "change", "delete")


def _in_scope(*parts: dict[str, frozenset[str]]) -> dict[str, dict[str, Expected]]:
    table: dict[str, dict[str, Expected]] = {}
    for label in MODELS:
        reach = frozenset().union(*(part[label] for part in parts))
        actions = ("view",) if label == "councils.activityreminder" else RUN
        table[label] = dict.fromkeys(actions, reach)
    return table


EXPECTED: Table = {
    # National readers: everything, read-only.
    "ministry": {label: {"view": EVERY} for label in MODELS},
    "auditor": {label: {"view": EVERY} for label in MODELS},
    # HQ runs every council; reminders are a log, written only by the system.
    "hq": {
        **{label: dict.fromkeys(RUN, EVERY) for label in MODELS},
        "councils.activityreminder": {"view": EVERY},
    },
    # The dongnam regional HQ: the councils of every hub in its zone.
    "regional": _in_scope(CHANGWON, ULSAN),
    # The dongnam branch's coordinator: the councils of the hub its branch manages.
    "coordinator": _in_scope(CHANGWON),
    # A member company: reads its council, its sub-groups, activities and files; its own
    # attendance rows only (which it adds itself to register); no reminders log.
    "company": {
        "councils.council": {"view": rows("council_changwon")},
        "councils.membership": {"view": rows("member_company", "member_university")},
        "councils.subgroup": {"view": rows("subgroup_changwon")},
        "councils.activity": {"view": rows("activity_changwon")},
        "councils.activityattachment": {"view": rows("attachment_changwon")},
        "councils.attendance": dict.fromkeys(RUN, rows("attendance_company")),
    },
    # Experts have no part in councils (yet).
    "expert": {},
}


def build(w: World) -> None:
    when = timezone.now() + dt.timedelta(days=7)
    for key in ("changwon", "ulsan", "banwol"):
        hub = w[f"hub_{key}"]
        council = w.add(
            f"council_{key}",
            Council.objects.create(
                hub=hub, zone=hub.zone, name=f"{key} 미니클러스터", industry=w["c29"]
            ),
        )
        w.add(
            f"activity_{key}",
            Activity.objects.create(
                council=council, kind="seminar", title=f"{key} 세미나", starts_at=when
            ),
        )
    joined = dt.date(2010, 3, 2)
    for key, council, org in (
        ("member_company", "council_changwon", "company_dongnam"),
        ("member_university", "council_changwon", "university_dongnam"),
        ("member_ulsan", "council_ulsan", "company_dongnam_unmanaged"),
        ("member_banwol", "council_banwol", "company_capital"),
    ):
        w.add(
            key,
            Membership.objects.create(council=w[council], organisation=w[org], joined_on=joined),
        )
    w.add(
        "subgroup_changwon",
        SubGroup.objects.create(council=w["council_changwon"], name="금형 분과"),
    )
    w.add("subgroup_banwol", SubGroup.objects.create(council=w["council_banwol"], name="수출 분과"))
    for key, activity, org in (
        ("attendance_company", "activity_changwon", "company_dongnam"),
        ("attendance_university", "activity_changwon", "university_dongnam"),
        ("attendance_ulsan", "activity_ulsan", "company_dongnam_unmanaged"),
        ("attendance_banwol", "activity_banwol", "company_capital"),
    ):
        w.add(
            key,
            Attendance.objects.create(
                activity=w[activity], organisation=w[org], person_name="김민준"
            ),
        )
    for key in ("changwon", "banwol"):
        w.add(
            f"attachment_{key}",
            ActivityAttachment.objects.create(
                activity=w[f"activity_{key}"],
                file=f"councils/activities/{key}.pdf",
                title="발표 자료",
                content_type="application/pdf",
                size_bytes=1024,
            ),
        )
        w.add(
            f"reminder_{key}",
            ActivityReminder.objects.create(
                activity=w[f"activity_{key}"], email=f"{key}@example.kr", sent_at=timezone.now()
            ),
        )


PART = Part(app="councils", models=MODELS, expected=EXPECTED, build=build)
