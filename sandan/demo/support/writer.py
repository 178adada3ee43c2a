"""Writes the generated plans in bulk, one audit entry per row."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.demo.base import AUDIT_SOURCE, rng_for
from sandan.demo.support.duplicates import duplicate_flags
from sandan.demo.support.plans import (
    Assigned,
    ProblemPlan,
    ProjectPlan,
    _after,
    _day,
    _fill,
    _weighted,
)
from sandan.demo.support.projects import Generator
from sandan.demo.support.world import ANSWERED, AS_OF, SCORES, Firm, World
from sandan.registry.models import Expert
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
from sandan.support.services import hash_token

# --- writing ---------------------------------------------------------------------------------


def _bulk(model: type[models.Model], objs: list[Any], batch: str) -> list[Any]:
    """Rows inserted in bulk, one audit entry per row under the load's batch."""
    if not objs:
        return []
    created = model._default_manager.bulk_create(objs, batch_size=2000)
    audit.record_created(None, created, source=AUDIT_SOURCE, batch=batch)
    return created


def _outcome_figures(
    project: ProjectPlan, firm: Firm, rng: random.Random, lead: bool
) -> dict[str, Any]:
    kind = project.type
    employees = max(3, firm.employees)
    sales_before = employees * rng.randint(90, 220) * 1_000_000
    figures: dict[str, Any] = dict.fromkeys(
        (
            "patents_filed",
            "patents_granted",
            "prototypes",
            "new_products",
            "new_hires",
            "certifications",
            "sales_increase_krw",
            "exports_increase_usd",
            "cost_saved_krw",
        ),
        0,
    )
    weight = 1.0 if lead else 0.4
    if kind == "ip_filing":
        figures["patents_filed"] = rng.choice((1, 1, 1, 2))
        figures["patents_granted"] = 1 if rng.random() < 0.1 else 0
    if kind in ("joint_rnd", "prototype"):
        figures["prototypes"] = rng.choice((1, 1, 2)) if lead else rng.choice((0, 1))
        figures["new_products"] = 1 if rng.random() < 0.45 * weight else 0
        figures["patents_filed"] = 1 if rng.random() < 0.4 * weight else 0
        figures["sales_increase_krw"] = rng.choice((0, 0, 1, 2, 3)) * sales_before // 40
    if kind == "marketing":
        figures["exports_increase_usd"] = rng.choice((0, 20, 50, 80, 150, 300)) * 1_000
        figures["sales_increase_krw"] = rng.choice((0, 1, 2)) * sales_before // 50
    if kind in ("consulting", "mentoring"):
        figures["cost_saved_krw"] = rng.randint(2, 60) * 1_000_000
        figures["certifications"] = 1 if rng.random() < 0.15 else 0
    if kind == "training":
        figures["certifications"] = rng.choice((0, 0, 1, 2))
        figures["new_hires"] = rng.choice((0, 0, 1, 2))
    if rng.random() < 0.25 * weight:
        figures["new_hires"] += rng.choice((1, 1, 2))
    exports_before = rng.choice((0, 0, 0, 50, 120, 400)) * 1_000
    figures.update(
        sales_before_krw=sales_before,
        sales_after_krw=sales_before + figures["sales_increase_krw"],
        employees_before=firm.employees or employees,
        employees_after=(firm.employees or employees) + figures["new_hires"],
        exports_before_usd=exports_before,
        exports_after_usd=exports_before + figures["exports_increase_usd"],
    )
    return figures


def _scores(rng: random.Random) -> dict[str, int]:
    overall = int(_weighted(rng, {str(k): v for k, v in SCORES.items()}))
    values = {"overall": overall}
    for item in ("timeliness", "expertise", "usefulness", "recommend"):
        values[item] = min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1))))
    return values


def _accepted_at(assigned: Assigned) -> dt.datetime | None:
    """The expert accepted a day after the assignment; the last week's still await an answer."""
    recent = assigned.assigned_at > AS_OF - dt.timedelta(days=7)
    if assigned.status == ExpertAssignment.Status.ACTIVE and recent:
        return None
    accepted = assigned.assigned_at + dt.timedelta(days=1)
    return min(accepted, assigned.ended_at) if assigned.ended_at else accepted


class Writer:
    def __init__(self, world: World, generator: Generator, batch: str) -> None:
        self.world = world
        self.gen = generator
        self.batch = batch
        self.seed = world.seed

    def write(self) -> None:
        with transaction.atomic():
            self._problems()
            self._triage()
            self._assignments()
            self._referrals()
            self._projects()
            self._activities()

    def _problems(self) -> None:
        world = self.world
        cats = world.categories
        users = world.users
        objs = []
        for plan in self.gen.problems:
            staff = world.staff_of(plan.place)
            # The firm itself on the web (the demo company's user for its own problems);
            # the coordinator for meeting records and imports.
            if plan.source != Problem.Source.WEB:
                submitted_by = staff
            elif plan.firm.pk == users.company_org:
                submitted_by = users.company
            else:
                submitted_by = None
            suggested = cats.get(plan.suggested)
            plan.obj = Problem(
                organisation_id=plan.firm.pk,
                program_year=world.year,
                hub=plan.place.hub,
                complex_id=plan.place.complex_id,
                zone_id=plan.place.zone_id,
                title=plan.title,
                description=plan.description,
                help_wanted=plan.help_wanted,
                urgency=plan.urgency,
                status=plan.status,
                source=plan.source,
                activity_id=plan.activity_id,
                submitted_by=submitted_by,
                suggested_category=suggested,
                suggestion_confidence=plan.confidence if suggested is not None else None,
                suggestion_evidence=plan.evidence if suggested is not None else [],
                analysis=plan.analysis,
                category=cats[plan.category] if plan.category else None,
                triaged_by=staff if plan.triaged_at is not None else None,
                submitted_at=plan.submitted_at,
                triaged_at=plan.triaged_at,
                matched_at=plan.matched_at,
                project_started_at=plan.project_started_at,
                resolved_at=plan.resolved_at,
                closed_at=plan.closed_at,
                close_reason=plan.close_reason,
            )
            objs.append(plan.obj)
        _bulk(Problem, objs, self.batch)

    def _triage(self) -> None:
        cats = self.world.categories
        objs = []
        for plan in self.gen.problems:
            if plan.triaged_at is None or plan.obj is None:
                continue
            suggested = cats.get(plan.suggested)
            objs.append(
                TriageDecision(
                    problem=plan.obj,
                    suggested=suggested,
                    confidence=plan.confidence if suggested is not None else None,
                    chosen=cats[plan.category],
                    overridden=suggested is not None and suggested.code != plan.category,
                    note=plan.triage_note,
                    decided_by=self.world.staff_of(plan.place),
                    decided_at=plan.triaged_at,
                )
            )
        _bulk(TriageDecision, objs, self.batch)

    def _assignments(self) -> None:
        words = self.world.words
        users = self.world.users
        objs: list[ExpertAssignment] = []
        owners: list[tuple[ProblemPlan, Assigned]] = []
        for plan in self.gen.problems:
            for assigned in plan.experts:
                assert plan.obj is not None
                objs.append(
                    ExpertAssignment(
                        problem=plan.obj,
                        expert_id=assigned.expert_id,
                        assigned_by=self.world.staff_of(plan.place),
                        assigned_at=assigned.assigned_at,
                        status=assigned.status,
                        match_score=assigned.score,
                        match_explanation=[assigned.explanation] if assigned.explanation else [],
                        ended_at=assigned.ended_at,
                        accepted_at=_accepted_at(assigned),
                    )
                )
                owners.append((plan, assigned))
        created = _bulk(ExpertAssignment, objs, self.batch)
        expert_users = dict(
            Expert.objects.filter(pk__in={a.expert_id for _p, a in owners}).values_list(
                "pk", "user_id"
            )
        )
        notes: list[MentoringNote] = []
        for assignment, (plan, assigned) in zip(created, owners, strict=True):
            rng = rng_for(self.seed, "support", "notes", plan.index, assigned.expert_id)
            end = assigned.ended_at or AS_OF
            start = assigned.assigned_at
            if end <= start:
                continue
            if assigned.withdrawn:
                count = rng.choice((0, 1))
            elif plan.status == Problem.Status.CLOSED or plan.project is not None:
                count = rng.randint(1, 3)
            else:
                count = rng.randint(0, 2)
            if assigned.expert_id == users.expert and count == 0:
                count = 1
            span = (end - start).total_seconds()
            days = sorted(
                _day(start + dt.timedelta(seconds=rng.uniform(0.1, 1.0) * span))
                for _n in range(count)
            )
            templates = words["notes"][plan.category]
            for number, day in enumerate(days):
                body = _fill(templates[min(number, len(templates) - 1)], plan.slots)
                if number == 0 and rng.random() < 0.5:
                    body = _fill(rng.choice(templates), plan.slots)
                notes.append(
                    MentoringNote(
                        assignment=assignment,
                        author_id=expert_users.get(assigned.expert_id),
                        body=f"{number + 1}차 지도: {body}",
                        date=day,
                    )
                )
        _bulk(MentoringNote, notes, self.batch)

    def _referrals(self) -> None:
        objs = []
        for plan in self.gen.problems:
            referral = plan.referral
            if referral is None:
                continue
            assert plan.obj is not None
            objs.append(
                Referral(
                    problem=plan.obj,
                    agency_id=referral.agency_id,
                    partner_kind=referral.partner_kind,
                    note=referral.note,
                    status=referral.status,
                    outcome=referral.outcome,
                    referred_by=self.world.staff_of(plan.place),
                    referred_at=referral.referred_at,
                    closed_at=referral.closed_at,
                )
            )
        _bulk(Referral, objs, self.batch)

    def _projects(self) -> None:
        world = self.world
        cats = world.categories
        projects = sorted(self.gen.projects, key=lambda p: (p.created, p.lead.index))
        objs = []
        for project in projects:
            lead = project.lead
            approver = (
                world.approver_of(lead.place.hub.zone_id)
                if project.approved_at is not None
                else None
            )
            project.obj = Project(
                program_year=world.year,
                hub=lead.place.hub,
                zone_id=lead.place.hub.zone_id,
                title=project.title,
                summary=project.summary,
                type=project.type,
                category=cats[lead.category],
                scope=project.scope,
                status=project.status,
                start_date=project.start_date,
                end_date=project.end_date,
                submitted_at=project.submitted_at,
                approved_at=project.approved_at,
                approved_by=approver,
                started_at=project.started_at,
                completed_at=project.completed_at,
                cancelled_at=project.cancelled_at,
                cancel_reason=project.cancel_reason,
                created_by=world.staff_of(lead.place),
            )
            objs.append(project.obj)
        _bulk(Project, objs, self.batch)
        through = Project.problems.through
        through.objects.bulk_create(
            [
                through(project_id=project.obj.pk, problem_id=plan.obj.pk)
                for project in projects
                if project.obj is not None
                for plan in project.problems
                if plan.obj is not None
            ],
            batch_size=2000,
        )
        participants: list[Participant] = []
        lines: list[BudgetLine] = []
        milestones: list[Milestone] = []
        for project in projects:
            obj = project.obj
            for number, firm in enumerate(project.firms):
                participants.append(
                    Participant(
                        project=obj,
                        organisation_id=firm,
                        role=Participant.Role.LEAD_FIRM if number == 0 else Participant.Role.FIRM,
                    )
                )
            for expert in project.experts:
                participants.append(
                    Participant(project=obj, expert_id=expert, role=Participant.Role.EXPERT)
                )
            for partner, role in project.others:
                participants.append(Participant(project=obj, organisation_id=partner, role=role))
            for kind, amount, payer, note in project.budget:
                lines.append(
                    BudgetLine(
                        project=obj, kind=kind, amount_krw=amount, organisation_id=payer, note=note
                    )
                )
            for title, due, deliverable, done in project.milestones:
                milestones.append(
                    Milestone(
                        project=obj,
                        title=title,
                        due_date=due,
                        deliverable=deliverable,
                        done_at=done,
                    )
                )
        _bulk(Participant, participants, self.batch)
        _bulk(BudgetLine, lines, self.batch)
        _bulk(Milestone, milestones, self.batch)
        flags = duplicate_flags(world, projects)
        _bulk(
            DuplicateFlag,
            [
                DuplicateFlag(
                    project=flag.project.obj,
                    kind=flag.kind,
                    organisation_id=flag.organisation,
                    other_project=flag.other.obj if flag.other is not None else None,
                    similarity=flag.similarity,
                    detail=flag.detail[:500],
                    overridden_by=flag.overridden_by,
                    override_reason=flag.override_reason,
                    overridden_at=flag.overridden_at,
                )
                for flag in flags
            ],
            self.batch,
        )
        self._outcomes_and_surveys(projects)

    def _outcomes_and_surveys(self, projects: Sequence[ProjectPlan]) -> None:
        world = self.world
        words = world.words
        outcomes: list[Outcome] = []
        surveys: list[Survey] = []
        answers: list[tuple[Survey, dict[str, int], str, dt.datetime]] = []
        company = world.users.company_org
        days = int(world.year.rule("survey_valid_days") or 30)
        for project in projects:
            if project.status != Project.Status.COMPLETED or project.completed_at is None:
                continue
            done = project.completed_at
            for number, firm_pk in enumerate(project.firms):
                firm = world.firm_by_pk[firm_pk]
                rng = rng_for(self.seed, "support", "outcome", project.lead.index, firm_pk)
                figures = _outcome_figures(project, firm, rng, number == 0)
                recorded = _after(done, rng.uniform(1, 6), rng)
                outcomes.append(
                    Outcome(
                        project=project.obj,
                        organisation_id=firm_pk,
                        note=words["outcome_notes"][project.type],
                        recorded_by=world.staff_of(project.lead.place),
                        recorded_at=recorded if recorded <= AS_OF else done,
                        **figures,
                    )
                )
                # Only the hash of a one-time token is stored; the tokens of 2010 are not
                # kept (their links expired long ago), so they need not be reproducible.
                survey = Survey(
                    project=project.obj,
                    organisation_id=firm_pk,
                    email=firm.contact_email,
                    token_hash=hash_token(secrets.token_urlsafe(32)),
                    sent_at=done,
                    expires_at=done + dt.timedelta(days=days),
                )
                surveys.append(survey)
                answered = _after(done, rng.uniform(0.5, 18), rng)
                keep_open = firm_pk == company and project.lead.forced.get("company")
                if not keep_open and rng.random() < ANSWERED and answered <= AS_OF:
                    scores = _scores(rng)
                    level = (
                        "high"
                        if scores["overall"] >= 4
                        else "mid"
                        if scores["overall"] == 3
                        else "low"
                    )
                    answers.append(
                        (survey, scores, rng.choice(words["survey_comments"][level]), answered)
                    )
                    survey.answered_at = answered
        _bulk(Outcome, outcomes, self.batch)
        _bulk(Survey, surveys, self.batch)
        _bulk(
            SurveyResponse,
            [
                SurveyResponse(survey=survey, comment=comment, answered_at=when, **scores)
                for survey, scores, comment, when in answers
            ],
            self.batch,
        )

    def _activities(self) -> None:
        """Problems recorded at a discovery meeting are counted on it, as
        `record_activity_problems` does (one audited update per activity)."""
        from django.contrib.contenttypes.models import ContentType

        from sandan.councils.models import Activity

        counts = Counter(p.activity_id for p in self.gen.problems if p.activity_id is not None)
        if not counts:
            return
        activities = list(Activity.objects.filter(pk__in=list(counts)).order_by("pk"))
        content_type = ContentType.objects.get_for_model(Activity)
        entries = []
        for activity in activities:
            before = audit.snapshot(activity)
            activity.problems_raised = counts[activity.pk]
            entries.append(
                audit.entry_for(
                    None,
                    activity,
                    AuditAction.UPDATE,
                    before,
                    source=AUDIT_SOURCE,
                    batch=self.batch,
                    content_type=content_type,
                )
            )
        Activity.objects.bulk_update(activities, ["problems_raised"], batch_size=2000)
        audit.record_many(entries)
