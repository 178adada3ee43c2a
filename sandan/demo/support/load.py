"""Entry point of the support demo, the company's survey link, fingerprint and clean-up."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from sandan.demo.support.projects import Generator
from sandan.demo.support.world import PROBLEMS, YEAR, SupportDemoSummary, World
from sandan.demo.support.writer import Writer
from sandan.program.models import Designation, ProgramYear
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

# --- the demo company's survey link ----------------------------------------------------------


def refresh_company_survey(summary: SupportDemoSummary) -> None:
    """Re-send the demo company's open survey (a new one-time link each run, the old one
    stops working) so that a visitor can answer it; the link goes into the summary."""
    from django.core.mail import get_connection

    from sandan.accounts.models import Membership as Grant
    from sandan.support.services import resend_survey, survey_link

    grant = (
        Grant.objects.filter(user__username="company", role="company_user", is_active=True)
        .select_related("organisation")
        .first()
    )
    if grant is None or grant.organisation is None:
        return
    survey = (
        Survey.objects.filter(
            organisation=grant.organisation,
            answered_at__isnull=True,
            project__status=Project.Status.COMPLETED,
            project__program_year__year=YEAR,
        )
        .select_related("project", "organisation")
        .order_by("-project__completed_at", "-id")
        .first()
    )
    if survey is None:
        return
    # The demo sends no real e-mail: the message goes to an in-memory outbox.
    connection = get_connection("django.core.mail.backends.locmem.EmailBackend")
    token = resend_survey(None, survey, connection=connection)
    survey.refresh_from_db()
    summary.survey_link = survey_link(token)
    summary.survey_firm = grant.organisation.name_ko
    summary.survey_expires = timezone.localtime(survey.expires_at).strftime("%Y-%m-%d")


# --- entry point -----------------------------------------------------------------------------


def _counts(summary: SupportDemoSummary, year: ProgramYear) -> None:
    problems = Counter(Problem.objects.filter(program_year=year).values_list("status", flat=True))
    summary.problems = {s: problems[s] for s in Problem.Status.values if problems[s]}
    projects = Counter(Project.objects.filter(program_year=year).values_list("status", flat=True))
    summary.projects = {s: projects[s] for s in Project.Status.values if projects[s]}
    in_year = {"project__program_year": year}
    summary.counts = {
        "triage_decisions": TriageDecision.objects.filter(problem__program_year=year).count(),
        "overridden": TriageDecision.objects.filter(
            problem__program_year=year, overridden=True
        ).count(),
        "expert_assignments": ExpertAssignment.objects.filter(problem__program_year=year).count(),
        "mentoring_notes": MentoringNote.objects.filter(
            assignment__problem__program_year=year
        ).count(),
        "participants": Participant.objects.filter(**in_year).count(),
        "budget_lines": BudgetLine.objects.filter(**in_year).count(),
        "milestones": Milestone.objects.filter(**in_year).count(),
        "referrals": Referral.objects.filter(problem__program_year=year).count(),
        "duplicate_flags": DuplicateFlag.objects.filter(**in_year).count(),
        "outcomes": Outcome.objects.filter(**in_year).count(),
        "surveys": Survey.objects.filter(**in_year).count(),
        "survey_answers": SurveyResponse.objects.filter(survey__project__program_year=year).count(),
    }


def load_support_demo(
    seed: int = 2010,
    scale: str = "2009",
    progress: bool = False,
    *,
    problems: int | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> SupportDemoSummary:
    """The support pipeline of 2010 on top of the registry, program and councils demos.

    Skipped (only the demo company's survey link is re-sent) when the year has problems.
    """
    summary = SupportDemoSummary()
    year = ProgramYear.objects.filter(year=YEAR).first()
    if year is None or not Designation.objects.filter(program_year=year).exists():
        summary.note = f"no program year {YEAR} with designations; no problems made"
        return summary
    count = PROBLEMS.get(scale, PROBLEMS["2009"]) if problems is None else problems
    if Problem.objects.filter(program_year=year).exists():
        summary.skipped = True
        log(
            f"support: the problems of {YEAR} exist already; only the demo company's survey "
            "link is sent again"
        )
    elif count <= 0:
        summary.note = "no problems requested (--problems 0)"
        return summary
    else:
        started = time.perf_counter()
        step = started

        def timed(label: str) -> None:
            nonlocal step
            now = time.perf_counter()
            summary.timings.append((label, now - step))
            step = now

        world = World(seed, year)
        generator = Generator(world, count)
        generator.draw_problems()
        timed("texts")
        generator.suggest()
        timed("triage")
        generator.simulate()
        generator.plan_projects()
        generator.settle_problems()
        generator.assign_experts()
        generator.settle_assignments()
        generator.detail_projects()
        timed("pipeline")
        Writer(world, generator, f"demo-support-{seed}-{uuid.uuid4().hex[:8]}").write()
        timed("write")
        summary.timings.append(("total", time.perf_counter() - started))
        from sandan.support.selectors import invalidate_triage

        transaction.on_commit(lambda: invalidate_triage(year.pk))
    refresh_company_survey(summary)
    _counts(summary, year)
    return summary


# --- fingerprint and clean-up ----------------------------------------------------------------


def fingerprint() -> str:
    """SHA-256 over the support rows by natural keys (no ids, no times of writing, no token
    hashes: the demo company's link is re-sent at every run)."""
    digest = hashlib.sha256()

    def feed(rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            digest.update(repr(row).encode())

    firm = ("organisation__business_number", "organisation__name_ko")
    feed(
        Problem.objects.order_by("submitted_at", *firm, "title").values_list(
            *firm,
            "title",
            "description",
            "help_wanted",
            "urgency",
            "status",
            "source",
            "activity__title",
            "suggested_category__code",
            "suggestion_confidence",
            "category__code",
            "submitted_at",
            "triaged_at",
            "matched_at",
            "project_started_at",
            "resolved_at",
            "closed_at",
            "close_reason",
        )
    )
    problem = ("problem__submitted_at", "problem__organisation__business_number", "problem__title")
    feed(
        TriageDecision.objects.order_by(*problem, "decided_at").values_list(
            *problem, "suggested__code", "chosen__code", "overridden", "note"
        )
    )
    feed(
        ExpertAssignment.objects.order_by(*problem, "expert__name_ko", "expert__email").values_list(
            *problem, "expert__name_ko", "expert__email", "status", "assigned_at", "ended_at"
        )
    )
    feed(
        MentoringNote.objects.order_by(
            "assignment__problem__submitted_at",
            "assignment__problem__title",
            "assignment__expert__email",
            "date",
            "body",
        ).values_list("assignment__problem__title", "assignment__expert__email", "date", "body")
    )
    feed(
        Referral.objects.order_by(*problem).values_list(
            *problem, "partner_kind", "agency__name_ko", "status", "outcome", "closed_at"
        )
    )
    feed(
        Project.objects.order_by("submitted_at", "title", "start_date").values_list(
            "title",
            "type",
            "category__code",
            "scope",
            "status",
            "start_date",
            "end_date",
            "submitted_at",
            "approved_at",
            "started_at",
            "completed_at",
            "cancel_reason",
            "hub__complex__kicox_id",
        )
    )
    feed(
        sorted(
            Participant.objects.values_list(
                "project__title",
                "project__submitted_at",
                "organisation__name_ko",
                "expert__email",
                "role",
            ),
            key=repr,
        )
    )
    feed(
        sorted(
            BudgetLine.objects.values_list(
                "project__title",
                "project__submitted_at",
                "kind",
                "amount_krw",
                "organisation__name_ko",
            ),
            key=repr,
        )
    )
    feed(
        sorted(
            DuplicateFlag.objects.values_list(
                "project__title", "kind", "organisation__name_ko", "detail", "override_reason"
            ),
            key=repr,
        )
    )
    feed(
        sorted(
            Outcome.objects.values_list(
                "project__title", "organisation__name_ko", "sales_after_krw", "patents_filed"
            ),
            key=repr,
        )
    )
    feed(
        sorted(
            SurveyResponse.objects.values_list(
                "survey__project__title",
                "survey__organisation__name_ko",
                "overall",
                "comment",
                "answered_at",
            ),
            key=repr,
        )
    )
    return digest.hexdigest()


def delete_support() -> None:
    """Remove every support row, children first (tests that rebuild the demo). Not a
    service: it writes no audit entries."""
    from sandan.demo.finance import delete_finance
    from sandan.support.models import ProblemAttachment, ProjectDocument

    delete_finance()  # the ledger points at projects
    SurveyResponse.objects.all().delete()
    Survey.objects.all().delete()
    Outcome.objects.all().delete()
    DuplicateFlag.objects.all().delete()
    ProjectDocument.objects.all().delete()
    BudgetLine.objects.all().delete()
    Milestone.objects.all().delete()
    Participant.objects.all().delete()
    Project.problems.through.objects.all().delete()
    Project.objects.all().delete()
    Referral.objects.all().delete()
    MentoringNote.objects.all().delete()
    ExpertAssignment.objects.all().delete()
    TriageDecision.objects.all().delete()
    ProblemAttachment.objects.all().delete()
    Problem.objects.all().delete()
