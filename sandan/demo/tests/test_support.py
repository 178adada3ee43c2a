"""The support demo: problems of 2010 in every state of the pipeline, rows that keep the
models' and the services' rules, the demo users' story, determinism and a safe rerun.

The world (reference, a small registry, the program, the councils, 400 support problems) is
built once per module inside a transaction rolled back at the end; all tests are slow.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from sandan.accounts.models import User
from sandan.core.models import AuditEntry
from sandan.councils.models import Activity
from sandan.demo.base import AS_OF_DATE, AUDIT_SOURCE
from sandan.demo.support.load import delete_support, fingerprint, load_support_demo
from sandan.demo.support.world import KST, SupportDemoSummary
from sandan.program.models import Designation
from sandan.registry.reference import load_reference
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    ExpertAssignment,
    MentoringNote,
    Milestone,
    Outcome,
    Participant,
    Problem,
    Project,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)
from sandan.support.services import FUNDED, answer_survey, cost_share

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED = 7
PROBLEMS = 400


class _Rollback(Exception):
    pass


def _build(seed: int = SEED) -> SupportDemoSummary:
    return load_support_demo(seed=seed, problems=PROBLEMS)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[SupportDemoSummary]:
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher):
        try:
            with transaction.atomic():
                load_reference()
                # Registry, program and councils; --problems 0 leaves the support demo to us.
                call_command(
                    "load_demo",
                    seed=SEED,
                    organisations=6000,
                    experts=40,
                    activities=300,
                    problems=0,
                    verbosity=0,
                    stdout=io.StringIO(),
                )
                yield _build()
                raise _Rollback
        except _Rollback:
            pass


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_problems_and_projects_in_every_state(world: SupportDemoSummary) -> None:
    problems = Counter(Problem.objects.values_list("status", flat=True))
    assert sum(problems.values()) == PROBLEMS
    assert set(problems) == set(Problem.Status.values)
    assert problems["closed"] + problems["in_project"] > PROBLEMS / 3
    projects = Counter(Project.objects.values_list("status", flat=True))
    assert set(projects) == set(Project.Status.values)
    assert set(Project.objects.values_list("type", flat=True)) == set(Project.Type.values)
    assert {"inter_complex", "single_complex"} <= set(
        Project.objects.values_list("scope", flat=True)
    )
    assert set(Referral.objects.values_list("status", flat=True)) >= {"completed", "accepted"}
    assert len(set(Referral.objects.values_list("partner_kind", flat=True))) >= 3
    assert set(Problem.objects.values_list("source", flat=True)) == set(Problem.Source.values)
    assert world.problems == {s: n for s, n in problems.items() if n}


def test_problems_are_small_firms_of_2010_hubs_in_korean(world: SupportDemoSummary) -> None:
    hubs = {
        d.complex_id: d if d.role == "hub" else d.hub
        for d in Designation.objects.filter(program_year__year=2010).select_related("hub")
    }
    rows = Problem.objects.select_related("organisation", "hub", "complex__province")
    small = 0
    for problem in rows:
        assert problem.program_year.year == 2010
        assert problem.organisation.kind == "company"
        assert problem.complex_id == problem.organisation.complex_id
        assert problem.hub == hubs[problem.complex_id]
        assert problem.zone_id == problem.complex.province.zone_id
        assert any("가" <= ch <= "힣" for ch in problem.description)
        assert "을(를)" not in problem.title
        # No word twice in a row ("수입 수입 레진", "치수 불량 불량") where slots meet.
        assert not re.search(r"(?<!\S)(\S+) \1(?!\S)", problem.title), problem.title
        assert problem.analysis["m"], "the Korean analysis is kept with the problem"
        small += (problem.organisation.employees or 0) <= 50
        problem.full_clean()
    assert small / PROBLEMS > 0.8
    # Varied texts: hardly any two problems say the same thing.
    assert len(set(Problem.objects.values_list("description", flat=True))) > PROBLEMS * 0.9


def test_status_matches_the_stamps_and_triage(world: SupportDemoSummary) -> None:
    for p in Problem.objects.prefetch_related("assignments", "projects", "triage_decisions"):
        stamps = [p.submitted_at, p.triaged_at, p.matched_at, p.project_started_at, p.resolved_at]
        given = [s for s in stamps if s is not None]
        assert given == sorted(given), p.pk
        if p.status == "submitted":
            assert p.triaged_at is None and p.category_id is None
        if p.status in ("triaged", "matched", "in_project"):
            assert p.category_id is not None and p.triaged_at is not None
        if p.status == "matched":
            assert p.assignments.exists()
        if p.status == "in_project":
            assert any(project.status in FUNDED for project in p.projects.all())
        if p.status in ("closed", "rejected"):
            assert (p.closed_at is not None and p.close_reason) or p.projects.exists()
        if p.category_id is not None:
            decision = p.triage_decisions.get()
            assert decision.chosen_id == p.category_id
            assert decision.overridden == (
                p.suggested_category_id is not None and p.suggested_category_id != p.category_id
            )
    decisions = TriageDecision.objects.count()
    overridden = TriageDecision.objects.filter(overridden=True).count()
    assert 0 < overridden < decisions * 0.2  # mostly the suggestion confirmed


def test_projects_keep_the_rules_of_the_services(world: SupportDemoSummary) -> None:
    for project in Project.objects.prefetch_related("participants__expert", "problems"):
        project.full_clean()
        leads = [p for p in project.participants.all() if p.role == "lead_firm"]
        assert len(leads) == 1
        firms = {
            p.organisation_id for p in project.participants.all() if p.role in ("lead_firm", "firm")
        }
        assert {problem.organisation_id for problem in project.problems.all()} <= firms
        for participant in project.participants.all():
            if participant.expert is not None:  # no conflict of interest
                assert participant.expert.affiliation_id not in firms
        if project.status not in ("draft", "cancelled") or project.submitted_at:
            assert project.start_date and project.end_date and project.milestones.exists()
            share = cost_share(project)
            assert share.ok, (project.pk, share)
        if project.status in FUNDED:
            assert project.approved_at and project.approved_by_id
            assert not project.duplicate_flags.filter(overridden_at__isnull=True).exists()
        if project.status == "completed":
            assert project.milestones.filter(done_at__isnull=True).count() == 0
            companies = {p.organisation_id for p in leads} | {
                p.organisation_id for p in project.participants.all() if p.role == "firm"
            }
            assert set(project.surveys.values_list("organisation_id", flat=True)) == companies
            assert set(project.outcomes.values_list("organisation_id", flat=True)) == companies
    for assignment in ExpertAssignment.objects.select_related("expert", "problem"):
        assert assignment.expert.affiliation_id != assignment.problem.organisation_id
    for flag in DuplicateFlag.objects.exclude(overridden_at__isnull=True):
        assert flag.override_reason
    assert SurveyResponse.objects.count() > Survey.objects.count() / 2
    for response in SurveyResponse.objects.all()[:100]:
        response.full_clean()
    assert Outcome.objects.filter(sales_after_krw__gte=1).exists()
    assert MentoringNote.objects.exclude(body="").count() == MentoringNote.objects.count() > 0


def test_the_world_ends_before_its_as_of_day_and_projects_keep_to_their_year(
    world: SupportDemoSummary,
) -> None:
    # Nothing has happened yet on or after the day the world is as of (ADR 0017).
    as_of = dt.datetime.combine(AS_OF_DATE, dt.time.min, tzinfo=KST)
    stamps = ("submitted_at", "triaged_at", "matched_at", "project_started_at", "resolved_at")
    for field in stamps:
        assert not Problem.objects.filter(**{f"{field}__gte": as_of}).exists(), field
    for field in ("submitted_at", "approved_at", "started_at", "completed_at"):
        assert not Project.objects.filter(**{f"{field}__gte": as_of}).exists(), field
    assert Problem.objects.filter(submitted_at__gte=as_of - dt.timedelta(days=10)).exists()
    # A project's dates lie within its program year, as the services require.
    for project in Project.objects.select_related("program_year").prefetch_related("milestones"):
        year = project.program_year
        for day in (project.start_date, project.end_date):
            assert day is None or year.holds(day), (project.pk, day)
        for milestone in project.milestones.all():
            assert year.holds(milestone.due_date), (project.pk, milestone.due_date)


def test_discovery_meetings_count_their_problems(world: SupportDemoSummary) -> None:
    linked = Counter(
        Problem.objects.filter(activity__isnull=False).values_list("activity_id", flat=True)
    )
    assert linked
    for activity in Activity.objects.filter(pk__in=list(linked)):
        assert activity.problems_raised == linked[activity.pk]


def test_every_row_is_audited(world: SupportDemoSummary) -> None:
    entries = AuditEntry.objects.filter(source=AUDIT_SOURCE, action="create")
    for model in (
        Problem,
        TriageDecision,
        ExpertAssignment,
        MentoringNote,
        Referral,
        Project,
        Participant,
        BudgetLine,
        Milestone,
        Outcome,
        Survey,
        SurveyResponse,
    ):
        label = model._meta.model_name
        audited = set(
            entries.filter(
                content_type__model=label, content_type__app_label="support"
            ).values_list("object_id", flat=True)
        )
        rows = {str(pk) for pk in model.objects.values_list("pk", flat=True)}
        assert rows and rows <= audited, label


def test_the_demo_company_sees_its_own_story(world: SupportDemoSummary) -> None:
    user = User.objects.get(username="company")
    mine = Problem.objects.restrict(user, "view")
    org = user.memberships.get(is_active=True).organisation
    assert org is not None
    assert mine.count() >= 4
    assert set(mine.values_list("organisation_id", flat=True)) == {org.pk}
    assert {"closed", "in_project", "matched", "submitted"} <= set(
        mine.values_list("status", flat=True)
    )
    projects = Project.objects.restrict(user, "view")
    assert {"completed", "in_progress"} <= set(projects.values_list("status", flat=True))
    # The printed link answers the open survey, once (rolled back for the other tests).
    assert world.survey_link and world.survey_firm == org.name_ko
    answers = dict.fromkeys(("overall", "timeliness", "expertise", "usefulness", "recommend"), 5)
    try:
        with transaction.atomic():
            response = answer_survey(_token(world.survey_link), answers, "데모 응답")
            assert response.survey.organisation_id == org.pk
            assert response.survey.project.status == "completed"
            with pytest.raises(ValidationError):
                answer_survey(_token(world.survey_link), answers, "")
            raise _Rollback
    except _Rollback:
        pass


def test_the_demo_expert_and_coordinator_have_work(world: SupportDemoSummary) -> None:
    expert = User.objects.get(username="expert")
    cases = ExpertAssignment.objects.restrict(expert, "view")
    assert cases.count() >= 4
    assert cases.filter(status="active").exists()
    assert MentoringNote.objects.restrict(expert, "view").exists()
    coordinator = User.objects.get(username="coordinator")
    waiting = Problem.objects.restrict(coordinator, "view").filter(status="submitted")
    assert waiting.exists()


def test_running_again_adds_nothing_and_resends_the_link(world: SupportDemoSummary) -> None:
    before = fingerprint()
    problems = Problem.objects.count()
    out = io.StringIO()
    call_command("load_demo", seed=SEED, problems=PROBLEMS, verbosity=1, stdout=out)
    assert Problem.objects.count() == problems
    assert fingerprint() == before
    assert "satisfaction survey" in out.getvalue()


def test_same_seed_same_content(world: SupportDemoSummary) -> None:
    before = fingerprint()
    delete_support()
    again = _build(SEED)
    assert fingerprint() == before
    assert again.problems == world.problems
    delete_support()
    _build(SEED + 1)
    assert fingerprint() != before
