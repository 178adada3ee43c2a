"""Every role × council model × action, against an expectation table written by hand.

The world of sandan/core/tests/world.py, plus two hubs of 2010 (Changwon in dongnam, managed
by the dongnam branch; Banwol in capital) with a council each, and a council of the Ulsan
hub (dongnam, not managed by the branch). (주)창원기계 — the company user's organisation —
is a member of the Changwon council only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.querysets import ACTIONS, allows
from sandan.core.tests.world import World, build_world
from sandan.councils.models import (
    Activity,
    ActivityAttachment,
    ActivityReminder,
    Attendance,
    Council,
    Membership,
    SubGroup,
)
from sandan.councils.tests.factories import hub_designation

MODELS = (
    "councils.council",
    "councils.membership",
    "councils.subgroup",
    "councils.activity",
    "councils.attendance",
    "councils.activityattachment",
    "councils.activityreminder",
)
ROLES = ("ministry", "hq", "auditor", "regional", "coordinator", "company", "expert")
EVERY = "every row"
Expected = str | frozenset[str]


def rows(*keys: str) -> frozenset[str]:
    return frozenset(keys)


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


EXPECTED: dict[str, dict[str, dict[str, Expected]]] = {
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


def build_council_world() -> World:
    w = build_world()
    when = timezone.now() + dt.timedelta(days=7)
    for key, complex_key in (
        ("changwon", "cx_dongnam"),
        ("ulsan", "cx_dongnam_unmanaged"),
        ("banwol", "cx_capital"),
    ):
        hub = hub_designation(w[complex_key])
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
    return w


@pytest.fixture
def world(db: Any) -> World:
    return build_council_world()


def reached(world: World, label: str, user: Any, action: str) -> set[str]:
    model: Any = apps.get_model(label)
    pks = list(model.objects.restrict(user, action).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), f"{label} rows repeated for {action}"
    return world.keys_of(label, set(pks))


def expected(world: World, role: str, label: str, action: str) -> set[str]:
    want = EXPECTED[role].get(label, {}).get(action, frozenset())
    if want == EVERY:
        return set(world.rows[label])
    assert not isinstance(want, str)
    return set(want)


def test_the_world_has_rows_for_every_council_model(world: World) -> None:
    for label in MODELS:
        assert apps.get_model(label).objects.count() == len(world.rows[label]) >= 1, label


def test_expectations_cover_every_role() -> None:
    assert set(EXPECTED) == set(ROLES)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_role_reaches_exactly_the_expected_rows(
    world: World, role: str, label: str, action: str
) -> None:
    user = world.users[role]
    assert reached(world, label, user, action) == expected(world, role, label, action)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("label", MODELS)
@pytest.mark.parametrize("role", ROLES)
def test_allows_agrees_with_restrict(world: World, role: str, label: str, action: str) -> None:
    user = world.users[role]
    if reached(world, label, user, action):
        assert allows(user, apps.get_model(label), action)


@pytest.mark.parametrize("label", MODELS)
def test_anonymous_reaches_nothing(world: World, label: str) -> None:
    for action in ACTIONS:
        assert reached(world, label, AnonymousUser(), action) == set()


def test_a_member_of_two_councils_sees_each_once(world: World) -> None:
    world.add(
        "member_company_banwol",
        Membership.objects.create(
            council=world["council_banwol"],
            organisation=world["company_dongnam"],
            joined_on=dt.date(2010, 3, 2),
        ),
    )
    user = world.users["company"]
    assert reached(world, "councils.council", user, "view") == {
        "council_changwon",
        "council_banwol",
    }
    assert reached(world, "councils.membership", user, "view") == {
        "member_company",
        "member_university",
        "member_banwol",
        "member_company_banwol",
    }
    assert Council.objects.restrict(user, "view").count() == 2


def test_a_coordinator_of_a_complex_reaches_its_hubs_councils(world: World) -> None:
    user = user_with_role(Role.COORDINATOR, complex=world["cx_capital"])
    assert reached(world, "councils.activity", user, "change") == {"activity_banwol"}
