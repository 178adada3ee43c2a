"""What the database itself refuses in the support tables, whatever path writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from sandan.core import clock
from sandan.registry.tests.factories import ExpertFactory, OrganisationFactory
from sandan.support.models import (
    BudgetLine,
    ExpertAssignment,
    Outcome,
    Participant,
    Problem,
    ProblemAttachment,
    Project,
    Survey,
    SurveyResponse,
)
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ProjectFactory,
    category,
)

pytestmark = pytest.mark.django_db


def refused(create: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_a_problem_needs_a_title_and_a_description() -> None:
    refused(lambda: ProblemFactory(title=""))
    refused(lambda: ProblemFactory(description=""))


def test_a_confidence_is_between_zero_and_one() -> None:
    refused(lambda: ProblemFactory(suggestion_confidence=1.2))
    refused(lambda: ProblemFactory(suggestion_confidence=-0.1))
    assert ProblemFactory(suggestion_confidence=0.93).suggestion_confidence == 0.93


def test_statuses_and_urgencies_are_known_values() -> None:
    refused(lambda: ProblemFactory(status="lost"))
    refused(lambda: ProblemFactory(urgency="asap"))


def test_a_triaged_problem_has_a_category() -> None:
    refused(lambda: ProblemFactory(status=Problem.Status.TRIAGED, category=None))
    assert ProblemFactory(status=Problem.Status.TRIAGED, category=category()).pk


def test_an_activity_problem_names_its_activity() -> None:
    refused(lambda: ProblemFactory(source=Problem.Source.ACTIVITY, activity=None))


def test_attachments_keep_to_type_and_size() -> None:
    problem = ProblemFactory()

    def attach(content_type: str, size: int) -> Any:
        return ProblemAttachment.objects.create(
            problem=problem, file="x", title="사진", content_type=content_type, size_bytes=size
        )

    refused(lambda: attach("application/x-msdownload", 100))
    refused(lambda: attach("application/pdf", 21 * 1024 * 1024))
    refused(lambda: attach("application/pdf", 0))


def test_an_expert_is_assigned_to_a_problem_once() -> None:
    assignment = AssignmentFactory()
    refused(
        lambda: ExpertAssignment.objects.create(
            problem=assignment.problem, expert=assignment.expert, assigned_at=clock.now()
        )
    )


def test_a_project_ends_after_it_starts() -> None:
    refused(lambda: ProjectFactory(start_date=dt.date(2010, 9, 1), end_date=dt.date(2010, 3, 1)))


def test_an_approved_project_names_when_and_a_cancelled_one_why() -> None:
    refused(lambda: ProjectFactory(status=Project.Status.APPROVED, approved_at=None))
    refused(lambda: ProjectFactory(status=Project.Status.CANCELLED, cancel_reason=""))


def test_a_participant_is_an_organisation_or_an_expert() -> None:
    project = ProjectFactory()
    refused(lambda: Participant.objects.create(project=project, role="firm"))
    refused(
        lambda: Participant.objects.create(
            project=project, organisation=OrganisationFactory(), expert=ExpertFactory(), role="firm"
        )
    )
    refused(
        lambda: Participant.objects.create(project=project, expert=ExpertFactory(), role="firm")
    )


def test_a_participant_takes_part_once_and_there_is_one_lead() -> None:
    project = ProjectFactory()
    lead = project.participants.get().organisation
    refused(lambda: Participant.objects.create(project=project, organisation=lead, role="firm"))
    refused(
        lambda: Participant.objects.create(
            project=project, organisation=OrganisationFactory(), role="lead_firm"
        )
    )


def test_budget_amounts_are_positive() -> None:
    project = ProjectFactory()
    refused(lambda: BudgetLine.objects.create(project=project, kind="public_grant", amount_krw=0))
    refused(lambda: BudgetLine.objects.create(project=project, kind="grant", amount_krw=10))


def test_one_outcome_per_project_and_firm() -> None:
    project = ProjectFactory()
    firm = project.participants.get().organisation
    Outcome.objects.create(project=project, organisation=firm, recorded_at=clock.now())
    refused(
        lambda: Outcome.objects.create(project=project, organisation=firm, recorded_at=clock.now())
    )


def test_survey_answers_are_one_to_five() -> None:
    project = ProjectFactory()
    now = clock.now()
    survey = Survey.objects.create(
        project=project,
        organisation=project.participants.get().organisation,
        token_hash="a" * 64,
        sent_at=now,
        expires_at=now + dt.timedelta(days=30),
    )
    answers = {"overall": 5, "timeliness": 4, "expertise": 5, "usefulness": 4, "recommend": 5}
    for item in answers:
        for bad in (0, 6):
            refused(
                lambda item=item, bad=bad: SurveyResponse.objects.create(
                    survey=survey, answered_at=now, **{**answers, item: bad}
                )
            )
    SurveyResponse.objects.create(survey=survey, answered_at=now, **answers)
    refused(lambda: SurveyResponse.objects.create(survey=survey, answered_at=now, **answers))


def test_a_survey_expires_after_it_is_sent() -> None:
    project = ProjectFactory()
    now = clock.now()
    refused(
        lambda: Survey.objects.create(
            project=project,
            organisation=project.participants.get().organisation,
            token_hash="b" * 64,
            sent_at=now,
            expires_at=now,
        )
    )
