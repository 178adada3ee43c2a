"""The councils' demo data: 54 councils of 2005–2009 on the 12 original complexes, their
activities and attendance, the 2010 hub councils, reruns, determinism, the national top-up.

The world (reference, a small registry, the program, the councils with 600 activities) is
built once per module inside a transaction rolled back at the end; all tests are slow.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from sandan.core.models import AuditEntry
from sandan.councils.models import Activity, Attendance, Council, Membership, SubGroup
from sandan.councils.selectors import rule_check
from sandan.demo.base import AUDIT_SOURCE
from sandan.demo.councils.load import (
    delete_councils,
    fingerprint,
    load_councils_demo,
    top_up_attendance,
)
from sandan.demo.councils.pools import CouncilsDemoSummary, World
from sandan.demo.registry.complexes import find_original
from sandan.demo.registry.scales import ORIGINALS
from sandan.program.models import Designation
from sandan.registry.reference import load_reference

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED = 7
ACTIVITIES = 600
TODAY = dt.date(2026, 3, 9)  # a Monday


class _Rollback(Exception):
    pass


def _build(seed: int = SEED) -> CouncilsDemoSummary:
    return load_councils_demo(
        seed=seed, scale="2009", activities=ACTIVITIES, activities_2010=(2, 4), today=TODAY
    )


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[CouncilsDemoSummary]:
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher):
        try:
            with transaction.atomic():
                load_reference()
                # The registry and the program; --activities 0 leaves the councils to us.
                call_command(
                    "load_demo",
                    seed=SEED,
                    organisations=6000,
                    experts=10,
                    activities=0,
                    problems=0,
                    verbosity=0,
                    stdout=io.StringIO(),
                )
                delete_councils()
                yield _build()
                raise _Rollback
        except _Rollback:
            pass


def test_54_councils_on_the_original_complexes(world: CouncilsDemoSummary) -> None:
    early = Council.objects.filter(hub__program_year__year__range=(2005, 2009))
    assert early.count() == world.councils_early == 54
    originals = {c.pk for o in ORIGINALS if (c := find_original(o)) is not None}
    assert set(early.values_list("hub__complex_id", flat=True)) == originals
    per_complex = Counter(early.values_list("hub__complex__name_ko", flat=True))
    assert per_complex.most_common(1)[0][1] == 6  # 창원, 구미, 반월·시화
    assert early.filter(status="merged", merged_into__isnull=False).count() == 2


def test_active_councils_meet_the_rule_of_their_year(world: CouncilsDemoSummary) -> None:
    active = Council.objects.filter(status="active").select_related("hub__program_year")
    assert active.count() >= 52 + 50
    for council in active:
        check = rule_check(council)
        assert check.ok, (council.name, check.problems)
        assert check.firms >= 10 and check.academia >= 1
        chairs = council.memberships.filter(role="chair", left_on__isnull=True)
        assert chairs.count() == 1 and chairs.get().organisation.kind == "company"
        assert council.memberships.filter(role="vice_chair").exists()


def test_members_are_firms_of_the_hub_and_its_linked_complexes(
    world: CouncilsDemoSummary,
) -> None:
    linked_firms = 0
    for council in Council.objects.select_related("hub"):
        allowed = {council.hub.complex_id} | set(
            Designation.objects.filter(hub=council.hub).values_list("complex_id", flat=True)
        )
        firms = Membership.objects.filter(council=council, organisation__kind="company")
        complexes = set(firms.values_list("organisation__complex_id", flat=True))
        assert complexes <= allowed, council.name
        linked_firms += firms.exclude(organisation__complex_id=council.hub.complex_id).count()
    assert linked_firms > 100  # 2010: firms of linked complexes join the hub's councils
    assert SubGroup.objects.filter(members__isnull=False).exists()


def test_activities_of_the_era_on_weekdays_of_2005_to_2008(
    world: CouncilsDemoSummary,
) -> None:
    early = Activity.objects.filter(council__hub__program_year__year__range=(2005, 2009))
    assert early.count() == ACTIVITIES
    days = [timezone.localtime(a).date() for a in early.values_list("starts_at", flat=True)]
    assert {d.year for d in days} == {2005, 2006, 2007, 2008}
    assert all(d.weekday() < 5 for d in days)
    assert set(early.values_list("kind", flat=True)) == {k for k, _l in Activity.Kind.choices}
    assert not early.exclude(status="held").exists()
    assert early.filter(kind="discovery", problems_raised__gt=0).exclude(problems_note="").exists()


def test_attendance_comes_from_members_or_invited_organisations(
    world: CouncilsDemoSummary,
) -> None:
    members: dict[int, set[int]] = {}
    for council_id, org_id in Membership.objects.values_list("council_id", "organisation_id"):
        members.setdefault(council_id, set()).add(org_id)
    eligible: dict[int, set[int]] = {}
    for council in Council.objects.select_related("hub"):
        eligible[council.pk] = {council.hub.complex_id} | set(
            Designation.objects.filter(hub=council.hub).values_list("complex_id", flat=True)
        )
    rows = Attendance.objects.values_list(
        "activity__council_id", "organisation_id", "organisation__kind", "organisation__complex_id"
    )
    as_member = 0
    total = 0
    for council_id, org_id, kind, complex_id in rows.iterator():
        total += 1
        if org_id in members[council_id]:
            as_member += 1
        else:  # invited: a university, institute or agency, or a firm that could join
            assert kind != "company" or complex_id in eligible[council_id]
    assert total == world.attendance > ACTIVITIES * 5
    assert as_member / total > 0.75
    assert not Attendance.objects.filter(person_name="").exists()


def test_2010_councils_per_hub_and_upcoming_activities(world: CouncilsDemoSummary) -> None:
    per_hub = Counter(
        Council.objects.filter(hub__program_year__year=2010).values_list("hub_id", flat=True)
    )
    assert len(per_hub) == 25
    assert all(2 <= n <= 5 for n in per_hub.values())
    start = timezone.make_aware(dt.datetime.combine(TODAY, dt.time.min))
    upcoming = Activity.objects.filter(status="planned", starts_at__gt=start)
    assert upcoming.exists()
    assert upcoming.filter(starts_at__lt=start + dt.timedelta(days=4)).exists()  # reminders
    registrations = Attendance.objects.filter(activity__in=upcoming)
    assert registrations.exists()
    assert set(registrations.values_list("status", flat=True)) == {"registered"}
    held = Activity.objects.filter(council__hub__program_year__year=2010, status="held")
    assert {d.year for d in held.values_list("starts_at", flat=True)} == {2010}


def test_every_row_is_audited(world: CouncilsDemoSummary) -> None:
    entries = AuditEntry.objects.filter(
        source=AUDIT_SOURCE, action="create", content_type__app_label="councils"
    )
    for model in (Council, Membership, SubGroup, Activity, Attendance):
        label = model._meta.model_name
        audited = set(entries.filter(content_type__model=label).values_list("object_id", flat=True))
        rows = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        assert rows and rows <= audited, label


def test_running_again_adds_nothing(world: CouncilsDemoSummary) -> None:
    before = fingerprint()
    again = _build(SEED + 1)
    assert (again.councils_early, again.councils_2010, again.activities, again.attendance) == (
        world.councils_early,
        world.councils_2010,
        world.activities,
        world.attendance,
    )
    assert fingerprint() == before


def test_same_seed_same_councils(world: CouncilsDemoSummary) -> None:
    before = fingerprint()
    delete_councils()
    _build(SEED)
    assert fingerprint() == before
    delete_councils()
    _build(SEED + 1)
    assert fingerprint() != before


def test_national_top_up_adds_rows_and_audits_each_activity(
    world: CouncilsDemoSummary,
) -> None:
    have = Attendance.objects.count()
    added = top_up_attendance(World(SEED), have + 3000)
    assert added == 3000
    assert Attendance.objects.count() == have + 3000
    entries = AuditEntry.objects.filter(reason__startswith="national-scale")
    assert entries.count() == Activity.objects.count()
    assert top_up_attendance(World(SEED), have + 3000) == 0
