"""Designations have a lifecycle: a plan is put forward (proposed), then approved, which puts
it in force in one transaction and retires what it leaves out; the year's rules hold unless
an override says why."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.program.defaults import load_program_year
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.program.planner import PlanRequest
from sandan.program.selectors import plan_changes, zone_progress
from sandan.program.services import accept_plan, approve_plan, designate, run_plan, start_plan
from sandan.program.tests.test_planner import ALL_ZONES, _complex, _dongnam_world, _id
from sandan.registry.tests.factories import zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> ProgramYear:
    for code in ALL_ZONES:
        zone(code)
    program_year = load_program_year(2010)
    # Only 동남권 has complexes in this small world: 2 hubs and 3 linked complexes there.
    program_year.zone_targets.exclude(zone__code="dongnam").update(hubs=0, linked=0)
    program_year.zone_targets.filter(zone__code="dongnam").update(hubs=2, linked=3)
    return program_year


def _proposed(year: ProgramYear, **options: object) -> PlanRun:
    request = PlanRequest(year=2010, min_hub_operating_firms=100, **options)  # type: ignore[arg-type]
    plan_run = run_plan(start_plan(None, year, request))
    assert plan_run.status == PlanRun.Status.DONE, plan_run.error
    accept_plan(None, plan_run)
    return plan_run


def test_approval_puts_the_plan_in_force_with_who_and_when(year: ProgramYear) -> None:
    _dongnam_world()
    plan_run = _proposed(year)
    ministry = user_with_role(Role.MINISTRY_OFFICER)
    counts = approve_plan(ministry, plan_run, reason="2010년 최종계획")
    assert counts == {"added": 5, "kept": 0, "changed": 0, "retired": 0}
    in_force = Designation.objects.filter(program_year=year)
    assert in_force.count() == 5
    assert all(d.approved_by == ministry and d.approved_at for d in in_force)
    assert not Designation.all_objects.filter(status=Designation.Status.PROPOSED).exists()
    plan_run.refresh_from_db()
    assert plan_run.status == PlanRun.Status.APPROVED and plan_run.approved_by == ministry
    # The year's progress now shows the targets met.
    dongnam = next(row for row in zone_progress(ministry, year) if row.zone.code == "dongnam")
    assert (dongnam.hubs, dongnam.linked) == (2, 3) and not dongnam.warnings
    assert AuditEntry.objects.filter(source="planner", reason="2010년 최종계획").exists()


def test_only_the_ministry_approves_and_hq_proposes(year: ProgramYear) -> None:
    _dongnam_world()
    plan_run = _proposed(year)
    with pytest.raises(NotAllowed):
        approve_plan(user_with_role(Role.HQ_STAFF), plan_run)
    assert not Designation.objects.exists()  # the failed approval left nothing behind


def test_a_second_plan_shows_and_applies_what_it_adds_keeps_changes_and_removes(
    year: ProgramYear,
) -> None:
    _dongnam_world()
    approve_plan(None, _proposed(year))
    # A new large complex next to 창원 appears; the next plan takes it in and drops one.
    _complex("창원제2", "48", "48125", 800, "29")
    second = _proposed(year)
    changes = {c.name_ko: c.kind for c in plan_changes(second)}
    assert changes["창원제2"] == "added"
    assert "removed" in changes.values()
    assert changes["창원"] == "kept"
    removed = [name for name, kind in changes.items() if kind == "removed"]
    # Until it is approved, the designations in force stay as they were.
    assert set(Designation.objects.values_list("complex__name_ko", flat=True)) >= set(removed)
    counts = approve_plan(None, second)
    assert counts["added"] == 1 and counts["retired"] == len(removed)
    assert Designation.objects.filter(program_year=year).count() == 5
    retired = Designation.all_objects.get(complex__name_ko=removed[0])
    assert retired.status == Designation.Status.RETIRED  # kept for what points at it


def test_a_plan_off_the_targets_needs_an_override_reason(year: ProgramYear) -> None:
    _dongnam_world()
    plan_run = _proposed(year, zone_linked={"dongnam": 2})  # one linked complex short
    with pytest.raises(ValidationError) as info:
        approve_plan(None, plan_run)
    assert "동남권: 거점단지 2곳·연계단지 2곳으로 목표(거점단지 2곳·연계단지 3곳)와 다릅니다" in (
        " ".join(info.value.messages)
    )
    assert not Designation.objects.exists()
    approve_plan(None, plan_run, override_reason="진해 단지 구조고도화 공사로 1년 유예")
    plan_run.refresh_from_db()
    assert plan_run.override_reason == "진해 단지 구조고도화 공사로 1년 유예"
    assert Designation.objects.count() == 4


def test_a_hub_without_linked_complexes_breaks_a_rule_of_the_year(year: ProgramYear) -> None:
    from sandan.program.services import designation_rule_breaches

    rows = [("dongnam", "hub", "A", None), ("dongnam", "hub", "B", None)]
    rows += [("dongnam", "linked", c, "A") for c in ("C", "D", "E")]
    assert designation_rule_breaches(year, rows) == ["연계단지가 없는 거점단지가 1곳 있습니다."]
    year.rules = {**year.rules, "hub_requires_linked": False}
    assert designation_rule_breaches(year, rows) == []


def test_putting_a_new_plan_forward_withdraws_the_earlier_proposal(year: ProgramYear) -> None:
    _dongnam_world()
    first = _proposed(year)
    second = _proposed(year, pinned=(_id("온산"),))
    first.refresh_from_db()
    assert first.status == PlanRun.Status.DONE
    proposed = Designation.all_objects.filter(status=Designation.Status.PROPOSED)
    assert set(proposed.values_list("plan", flat=True)) == {second.pk}
    with pytest.raises(ValidationError):
        approve_plan(None, first)


def test_a_designation_by_hand_is_in_force_at_once(year: ProgramYear) -> None:
    _dongnam_world()
    hq = user_with_role(Role.HQ_STAFF)
    from sandan.registry.models import Complex

    hub = designate(hq, program_year=year, complex=Complex.objects.get(name_ko="창원"), role="hub")
    assert hub.status == Designation.Status.APPROVED and hub.approved_by == hq


def test_plans_and_approvals_are_dated_by_the_sites_clock(year: ProgramYear, settings: Any) -> None:
    # A world held as of a date (ADR 0017): the plan is made and approved on that day, as
    # the audit log says, not on the machine's date.
    settings.SANDAN_AS_OF = "2010-12-20"
    _dongnam_world()
    plan_run = _proposed(year)
    approve_plan(user_with_role(Role.MINISTRY_OFFICER), plan_run, reason="2010년 최종계획")
    plan_run.refresh_from_db()
    day = dt.date(2010, 12, 20)
    assert plan_run.finished_at is not None and plan_run.approved_at is not None
    assert {plan_run.created_at.date(), plan_run.finished_at.date()} == {day}
    assert plan_run.approved_at.date() == day
    hq = user_with_role(Role.HQ_STAFF)
    hub = Designation.objects.filter(program_year=year, role="hub").first()
    extra = _complex("온산2", "31", "31711", 80, "30")
    by_hand = designate(
        hq, program_year=year, complex=extra, role="linked", hub=hub, reason="추가 지정"
    )
    assert by_hand.approved_at is not None and by_hand.approved_at.date() == day
    assert {
        entry.at.date() for entry in AuditEntry.objects.filter(content_type__model="designation")
    } == {day}
