"""The intake and triage of problems as the services write them: a firm's problem with its
suggested category, activity intake, bad input refused while nothing changes, and the
coordinator's confirmed category."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory
from sandan.program.models import ServiceCategory
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import ComplexFactory, OrganisationFactory, province
from sandan.support import services
from sandan.support.models import Problem, ProblemAttachment, TriageDecision
from sandan.support.tests.factories import ProblemFactory, firm_in_hub, firm_in_linked, support_year
from sandan.support.tests.services_helpers import DESCRIPTION, pdf, submit

pytestmark = pytest.mark.django_db


# Intake -----------------------------------------------------------------------------


def test_a_firm_submits_a_problem_and_gets_a_suggested_category(
    company: Any, firm: Organisation, hub: Any
) -> None:
    problem = submit(company, firm)
    assert problem.status == Problem.Status.SUBMITTED
    assert problem.program_year.year == 2010
    assert problem.hub == hub and problem.complex == firm.complex
    assert problem.zone.code == "dongnam"
    assert problem.submitted_by == company
    assert problem.suggested_category is not None
    assert problem.suggested_category.code == "MFG_EFFICIENCY"
    assert 0 <= (problem.suggestion_confidence or 0) <= 1
    assert problem.suggestion_evidence, "the words that decided it are kept"


def test_a_linked_complex_firm_belongs_to_its_hub(company: Any, hub: Any) -> None:
    firm = firm_in_linked(hub, ComplexFactory(name_ko="마산자유무역지역", province=province("48")))
    user = user_with_role(Role.COMPANY_USER, organisation=firm)
    problem = submit(user, firm)
    assert problem.hub == hub
    assert problem.complex == firm.complex


def test_submission_is_audited(company: Any, firm: Organisation) -> None:
    problem = submit(company, firm)
    entry = AuditEntry.objects.get(content_type__model="problem", object_id=str(problem.pk))
    assert entry.actor == company and entry.action == "create"


def test_attachments_are_checked_and_saved(company: Any, firm: Organisation) -> None:
    problem = submit(company, firm, attachments=[pdf()])
    attachment = ProblemAttachment.objects.get(problem=problem)
    assert attachment.content_type == "application/pdf" and attachment.size_bytes == 2048


def test_a_disguised_attachment_refuses_the_whole_submission(
    company: Any, firm: Organisation
) -> None:
    fake = SimpleUploadedFile("도면.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    with pytest.raises(ValidationError) as error:
        submit(company, firm, attachments=[fake])
    assert "file" in error.value.message_dict
    assert not Problem.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("description", ""),
        ("title", "가" * 201),
        ("description", "나" * 5001),
        ("help_wanted", "다" * 5001),
        ("urgency", "very"),
    ],
)
def test_bad_text_is_refused_and_nothing_is_saved(
    company: Any, firm: Organisation, field: str, value: str
) -> None:
    with pytest.raises(ValidationError) as error:
        submit(company, firm, **{field: value})
    assert field in error.value.message_dict
    assert not Problem.objects.exists()


def test_every_bad_field_is_reported_at_once(company: Any, firm: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        submit(company, firm, title="", description="")
    assert {"title", "description"} <= set(error.value.message_dict)


def test_a_firm_cannot_submit_for_another_firm(company: Any, hub: Any) -> None:
    other = firm_in_hub(hub, name_ko="(주)경남기계")
    with pytest.raises(NotAllowed):
        submit(company, other)
    assert not Problem.objects.exists()


def test_only_firms_submit_problems(company: Any, hub: Any) -> None:
    university = OrganisationFactory(
        kind=Organisation.Kind.UNIVERSITY, business_number=None, complex=hub.complex
    )
    with pytest.raises(ValidationError) as error:
        services.submit_problem(None, university, "제목", DESCRIPTION)
    assert "organisation" in error.value.message_dict


def test_without_an_approved_year_nothing_is_submitted(firm: Organisation, year: Any) -> None:
    year.status = "draft"
    year.save()
    with pytest.raises(ValidationError) as error:
        services.submit_problem(None, firm, "제목", DESCRIPTION)
    assert "program_year" in error.value.message_dict


def test_a_coordinator_records_problems_raised_at_an_activity(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    activity = ActivityFactory(
        council=CouncilFactory(hub=hub, zone=hub.zone),
        starts_at=clock.now() - dt.timedelta(days=1),
        status="held",
    )
    other = firm_in_hub(hub, name_ko="(주)마산테크")
    problems = services.record_activity_problems(
        coordinator,
        activity,
        [
            {
                "organisation": firm,
                "title": "해외 전시회 참가 지원",
                "description": "수출 판로 개척이 필요합니다.",
            },
            {
                "organisation": other,
                "title": "CNC 신입 교육",
                "description": "신입 기능공 CNC 실습 교육이 필요합니다.",
            },
        ],
    )
    assert [p.source for p in problems] == ["activity", "activity"]
    assert all(p.activity == activity for p in problems)
    activity.refresh_from_db()
    assert activity.problems_raised == 2


def test_activity_rows_are_all_or_nothing_and_name_the_row(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    activity = ActivityFactory(council=CouncilFactory(hub=hub, zone=hub.zone))
    with pytest.raises(ValidationError) as error:
        services.record_activity_problems(
            coordinator,
            activity,
            [
                {"organisation": firm, "title": "판로 개척", "description": "수출 준비"},
                {"organisation": firm, "title": "", "description": "교육 필요"},
            ],
        )
    assert error.value.message_dict["title"][0].startswith("2행")
    assert not Problem.objects.exists()


# Triage -----------------------------------------------------------------------------


def test_confirming_the_suggestion_triages_the_problem(
    coordinator: Any, company: Any, firm: Organisation
) -> None:
    problem = submit(company, firm)
    decision = services.confirm_triage(coordinator, problem, problem.suggested_category)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.TRIAGED
    assert problem.category == problem.suggested_category
    assert problem.triaged_by == coordinator and problem.triaged_at is not None
    assert decision.overridden is False


def test_an_override_is_recorded_as_such(
    coordinator: Any, company: Any, firm: Organisation
) -> None:
    problem = submit(company, firm)
    decision = services.confirm_triage(
        coordinator, problem, "TECH_MGMT_SUPPORT", "경영 컨설팅이 맞음"
    )
    assert decision.overridden is True
    assert decision.suggested == problem.suggested_category
    assert decision.chosen.code == "TECH_MGMT_SUPPORT"


def test_an_override_without_a_reason_is_refused(
    coordinator: Any, company: Any, firm: Organisation
) -> None:
    problem = submit(company, firm)
    for note in (None, "", "   "):
        with pytest.raises(ValidationError) as error:
            services.confirm_triage(coordinator, problem, "TECH_MGMT_SUPPORT", note)
        assert "이유" in error.value.message_dict["note"][0]
    problem.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED and problem.category is None
    assert not TriageDecision.objects.exists()


def test_an_unknown_category_is_refused(coordinator: Any, company: Any, firm: Organisation) -> None:
    problem = submit(company, firm)
    with pytest.raises(ValidationError) as error:
        services.confirm_triage(coordinator, problem, "SPACE_TRAVEL")
    assert "category" in error.value.message_dict
    problem.refresh_from_db()
    assert problem.status == Problem.Status.SUBMITTED
    assert not TriageDecision.objects.exists()


def test_a_category_of_another_year_is_refused(
    coordinator: Any, company: Any, firm: Organisation
) -> None:
    problem = submit(company, firm)
    other_year = support_year(2011)
    wrong = ServiceCategory.objects.get(program_year=other_year, code="MFG_EFFICIENCY")
    with pytest.raises(ValidationError) as error:
        services.confirm_triage(coordinator, problem, wrong)
    assert "2010" in error.value.message_dict["category"][0]


def test_a_company_cannot_triage(company: Any, firm: Organisation) -> None:
    problem = submit(company, firm)
    with pytest.raises(NotAllowed):
        services.confirm_triage(company, problem, "MFG_EFFICIENCY")
    assert not TriageDecision.objects.exists()


def test_confirmed_decisions_teach_the_triage(coordinator: Any, firm: Organisation) -> None:
    from sandan.support.selectors import triage_for_year, triage_history

    year = support_year()
    before = triage_for_year(year)
    assert before.history_size == 0
    first = ProblemFactory(organisation=firm, text_index=1)
    second = ProblemFactory(organisation=firm, text_index=2)
    services.confirm_triage(coordinator, first, "TOTAL_MARKETING")
    services.confirm_triage(coordinator, second, "FIELD_EDUCATION")
    assert sorted(triage_history(year)) == sorted(
        [(first.text, "TOTAL_MARKETING"), (second.text, "FIELD_EDUCATION")]
    )
    assert triage_for_year(year).history_size == 2


def _new_process(year: Any, monkeypatch: Any) -> list[str]:
    """Forget every in-process cache of triage, as a freshly started server has none, and
    record each text the Korean analyser is asked to analyse from now on."""
    from sandan.support import selectors, text, triage

    selectors.invalidate_triage(year.pk)
    triage._cache.clear()
    triage._units.cache_clear()
    text.morphemes.cache_clear()
    analysed: list[str] = []
    real = triage.morphemes

    def counting(value: str) -> Any:
        analysed.append(value)
        return real(value)

    monkeypatch.setattr(triage, "morphemes", counting)
    return analysed


def test_a_new_process_builds_triage_from_the_stored_analyses(
    company: Any, coordinator: Any, firm: Organisation, monkeypatch: Any
) -> None:
    from sandan.support.selectors import triage_for_year
    from sandan.support.text import analyser_version

    year = support_year()
    first = submit(company, firm)
    second = submit(
        company,
        firm,
        title="해외 바이어를 찾고 싶습니다",
        description="국내 매출이 줄어 수출 판로를 넓히려 합니다. 전시회 참가 경험이 없습니다.",
        help_wanted="해외 전시회 참가와 바이어 상담 지원",
    )
    assert first.analysis["v"] == analyser_version() and first.analysis["m"]
    services.confirm_triage(coordinator, first, "MFG_EFFICIENCY", "확인")
    services.confirm_triage(coordinator, second, "TOTAL_MARKETING", "확인")
    probe = "사출 성형 불량률을 낮추고 싶습니다"
    warm = triage_for_year(year).suggest(probe)

    analysed = _new_process(year, monkeypatch)
    cold = triage_for_year(year)
    assert cold.history_size == 2
    history = {first.text.strip(), second.text.strip()}
    assert not history & set(analysed), "the history was analysed again instead of read"
    again = cold.suggest(probe)
    assert again.code == warm.code
    assert dict(again.ranking) == pytest.approx(dict(warm.ranking))

    # An analysis made by another analyser version is not trusted: that text is analysed.
    Problem.objects.filter(pk=first.pk).update(analysis={**first.analysis, "v": "kiwipiepy 0"})
    analysed = _new_process(year, monkeypatch)
    assert triage_for_year(year).history_size == 2
    assert history & set(analysed) == {first.text.strip()}


def test_analyse_problems_fills_missing_and_outdated_analyses(
    company: Any, firm: Organisation
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from sandan.support.text import analyser_version

    current = submit(company, firm)
    missing = ProblemFactory(organisation=firm, text_index=1)
    Problem.objects.filter(pk=missing.pk).update(analysis={})
    outdated = ProblemFactory(organisation=firm, text_index=2)
    Problem.objects.filter(pk=outdated.pk).update(analysis={"v": "old", "m": []})
    out = StringIO()
    call_command("analyse_problems", stdout=out)
    assert "2 problem(s) analysed" in out.getvalue()
    for problem in (current, missing, outdated):
        problem.refresh_from_db()
        assert problem.analysis["v"] == analyser_version() and problem.analysis["m"]
    # Nothing is analysed twice, and the analysis stays out of the audit log.
    out = StringIO()
    call_command("analyse_problems", stdout=out)
    assert "0 problem(s) analysed" in out.getvalue()
    assert not AuditEntry.objects.filter(changes__has_key="analysis").exists()
