"""The support pipeline as its services write it: each story from a firm's problem to a
measured outcome, and the bad input of issue 5 refused with a reason while nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory
from sandan.program.models import ServiceCategory
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ExpertFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
)
from sandan.support import services
from sandan.support.models import (
    BudgetLine,
    DuplicateFlag,
    ExpertAssignment,
    MentoringNote,
    Outcome,
    Problem,
    ProblemAttachment,
    Project,
    Referral,
    Survey,
    SurveyResponse,
    TriageDecision,
)
from sandan.support.selectors import overdue_problems, service_levels
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ProjectFactory,
    TriagedProblemFactory,
    budget,
    category,
    firm_in_hub,
    firm_in_linked,
    hub_of_year,
    ready_project,
    support_year,
)

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "자동차 도어 트림을 사출하는데 여름만 되면 수축 불량이 8%까지 늘어납니다. "
    "금형 온도와 보압을 조정해 봤지만 불량률이 줄지 않습니다."
)
HELP = "불량 원인 분석과 성형 조건 최적화를 도와줄 전문가가 필요합니다."


@pytest.fixture
def year() -> Any:
    return support_year()


@pytest.fixture
def branch() -> Any:
    return OfficeFactory(code="changwon", name_ko="창원지사")


@pytest.fixture
def hub(year: Any, branch: Any) -> Any:
    complex_ = ComplexFactory(
        name_ko="창원국가산업단지", kind="national", province=province("48"), office=branch
    )
    return hub_of_year(complex_)


@pytest.fixture
def firm(hub: Any) -> Organisation:
    return firm_in_hub(hub, name_ko="(주)창원정밀", contact_email="kim@cwprecision.example.kr")


@pytest.fixture
def company(firm: Organisation) -> Any:
    return user_with_role(Role.COMPANY_USER, organisation=firm)


@pytest.fixture
def coordinator(branch: Any) -> Any:
    return user_with_role(Role.COORDINATOR, office=branch)


@pytest.fixture
def regional(hub: Any) -> Any:
    return user_with_role(Role.REGIONAL_STAFF, zone=hub.zone)


def submit(company: Any, firm: Organisation, **kwargs: Any) -> Problem:
    fields = {
        "title": "사출품 수축 불량이 여름마다 늘어납니다",
        "description": DESCRIPTION,
        "help_wanted": HELP,
        "urgency": "high",
        **kwargs,
    }
    return services.submit_problem(company, firm, **fields)


def pdf(name: str = "불량사진.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


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
        starts_at=timezone.now() - dt.timedelta(days=1),
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


# Matching and mentoring -------------------------------------------------------------


def test_experts_are_ranked_without_the_firms_own(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm, text_index=0)
    injection = ExpertFactory(name_ko="김성형", specialties="사출 성형 불량 분석, 금형 온도 제어")
    ExpertFactory(
        name_ko="박마케팅",
        specialties="해외 마케팅, 수출 바이어 발굴",
        service_categories=["TOTAL_MARKETING"],
    )
    insider = ExpertFactory(
        name_ko="이내부", specialties="사출 성형 불량 분석, 금형", affiliation=firm
    )
    ranked = services.suggest_experts(problem, k=5)
    names = [s.expert.name_ko for s in ranked]
    assert names[0] == injection.name_ko
    assert insider.name_ko not in names
    assert ranked[0].explanation


def test_assigning_experts_matches_the_problem(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    experts = [ExpertFactory(), ExpertFactory()]
    assignments = services.assign_experts(
        coordinator, problem, experts, scores={experts[0].pk: 0.8}
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.MATCHED and problem.matched_at is not None
    assert {a.expert for a in assignments} == set(experts)
    assert assignments[0].match_score == 0.8


def test_an_expert_of_the_firm_itself_is_never_assigned(
    coordinator: Any, firm: Organisation
) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    insider = ExpertFactory(affiliation=firm)
    with pytest.raises(ValidationError) as error:
        services.assign_experts(coordinator, problem, [insider])
    assert "이해충돌" in error.value.message_dict["experts"][0]
    assert not ExpertAssignment.objects.exists()


def test_an_untriaged_problem_gets_no_expert(coordinator: Any, firm: Organisation) -> None:
    problem = ProblemFactory(organisation=firm)
    with pytest.raises(ValidationError):
        services.assign_experts(coordinator, problem, [ExpertFactory()])


def test_an_expert_is_assigned_once(coordinator: Any, firm: Organisation) -> None:
    assignment = AssignmentFactory(problem=TriagedProblemFactory(organisation=firm))
    with pytest.raises(ValidationError):
        services.assign_experts(coordinator, assignment.problem, [assignment.expert])


def test_only_the_assigned_expert_writes_mentoring_notes(
    coordinator: Any, firm: Organisation
) -> None:
    expert_user = user_with_role(Role.EXPERT)
    assignment = AssignmentFactory(
        problem=TriagedProblemFactory(organisation=firm), expert=ExpertFactory(user=expert_user)
    )
    note = services.add_mentoring_note(
        expert_user, assignment, "금형 냉각수 유량 점검, 보압 2단 제어 제안"
    )
    assert note.author == expert_user
    with pytest.raises(NotAllowed):
        services.add_mentoring_note(coordinator, assignment, "대신 작성")
    other_expert = user_with_role(Role.EXPERT)
    ExpertFactory(user=other_expert)
    with pytest.raises(NotAllowed):
        services.add_mentoring_note(other_expert, assignment, "남의 배정")
    with pytest.raises(ValidationError):
        services.add_mentoring_note(expert_user, assignment, "")
    assert MentoringNote.objects.count() == 1


# Projects ---------------------------------------------------------------------------


def _triaged_with_expert(firm: Organisation, **kwargs: Any) -> Problem:
    problem = TriagedProblemFactory(organisation=firm, text_index=0, **kwargs)
    AssignmentFactory(problem=problem)
    problem.status = Problem.Status.MATCHED
    problem.save()
    return problem


def test_a_project_from_problems_takes_their_firms_and_experts(
    coordinator: Any, firm: Organisation, hub: Any
) -> None:
    problem = _triaged_with_expert(firm)
    other = TriagedProblemFactory(organisation=firm_in_hub(hub), text_index=0)
    project = services.create_project(
        coordinator,
        [problem, other],
        title="사출 불량 저감 공동 지원",
        type="mentoring",
        start_date=dt.date(2010, 4, 1),
        end_date=dt.date(2010, 9, 30),
    )
    assert project.status == Project.Status.DRAFT
    assert project.hub == hub and project.zone == hub.zone
    assert project.category.code == "MFG_EFFICIENCY"
    assert project.scope == Project.Scope.SINGLE_COMPLEX
    roles = sorted(project.participants.values_list("role", flat=True))
    assert roles == ["expert", "firm", "lead_firm"]
    assert project.participants.get(role="lead_firm").organisation == firm


def test_problems_across_zones_make_an_inter_zone_project(
    coordinator: Any, firm: Organisation, hub: Any
) -> None:
    far = firm_in_linked(hub, ComplexFactory(name_ko="반월국가산업단지", province=province("41")))
    a = TriagedProblemFactory(organisation=firm)
    b = TriagedProblemFactory(organisation=far)
    hq = user_with_role(Role.HQ_STAFF)
    project = services.create_project(
        hq, [a, b], title="자동차 부품 가치사슬 연계", type="joint_rnd"
    )
    assert project.scope == Project.Scope.INTER_ZONE
    with pytest.raises(ValidationError) as error:
        services.create_project(hq, [a, b], title="연계", type="joint_rnd", scope="single_complex")
    assert "scope" in error.value.message_dict


def test_a_project_needs_triaged_problems(coordinator: Any, firm: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_project(
            coordinator, [ProblemFactory(organisation=firm)], title="과제", type="mentoring"
        )
    assert "problems" in error.value.message_dict
    assert not Project.objects.exists()


def test_project_dates_must_be_in_order(coordinator: Any, firm: Organisation) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_project(
            coordinator,
            [TriagedProblemFactory(organisation=firm)],
            title="과제",
            type="mentoring",
            start_date=dt.date(2010, 9, 1),
            end_date=dt.date(2010, 3, 1),
        )
    assert "end_date" in error.value.message_dict


def test_budget_lines_replace_the_budget_and_are_checked(coordinator: Any, hub: Any) -> None:
    project = ProjectFactory(hub=hub)
    lead = project.participants.get().organisation
    lines = services.set_budget_lines(
        coordinator,
        project,
        [
            {"kind": "public_grant", "amount_krw": 40_000_000},
            {"kind": "firm_cash", "amount_krw": 10_000_000, "organisation": lead},
        ],
    )
    assert len(lines) == 2
    with pytest.raises(ValidationError) as error:
        services.set_budget_lines(
            coordinator,
            project,
            [{"kind": "firm_cash", "amount_krw": -5}, {"kind": "firm_in_kind", "amount_krw": 100}],
        )
    assert {"amount_krw", "organisation"} <= set(error.value.message_dict)
    assert BudgetLine.objects.filter(project=project).count() == 2


def test_a_budget_breaking_the_cost_share_rule_cannot_be_submitted(
    coordinator: Any, hub: Any
) -> None:
    project = ready_project(public=45_000_000, cash=4_000_000, in_kind=1_000_000, hub=hub)
    with pytest.raises(ValidationError) as error:
        services.submit_project(coordinator, project)
    message = error.value.message_dict["budget_lines"][0]
    assert "10.0%" in message and "20%" in message
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_the_cost_share_rule_is_the_years(coordinator: Any, hub: Any) -> None:
    support_year(firm_cost_share_min_pct=10)
    project = ready_project(public=45_000_000, cash=4_000_000, in_kind=1_000_000, hub=hub)
    assert services.submit_project(coordinator, project).status == Project.Status.SUBMITTED


def _approvable(coordinator: Any, hub: Any, **kwargs: Any) -> Project:
    project = ready_project(hub=hub, **kwargs)
    return services.submit_project(coordinator, project)


def test_regional_staff_approve_projects_of_their_zone(
    coordinator: Any, regional: Any, hub: Any
) -> None:
    project = _approvable(coordinator, hub)
    approved = services.approve_project(regional, project)
    assert approved.status == Project.Status.APPROVED
    assert approved.approved_by == regional and approved.approved_at is not None


def test_an_approval_out_of_scope_is_refused(coordinator: Any, hub: Any) -> None:
    project = _approvable(coordinator, hub)
    capital_staff = user_with_role(Role.REGIONAL_STAFF, zone=province("41").zone)
    for user in (capital_staff, coordinator):
        with pytest.raises(NotAllowed):
            services.approve_project(user, project)
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED


def test_a_draft_cannot_be_approved(regional: Any, hub: Any) -> None:
    project = ready_project(hub=hub)
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    assert "status" in error.value.message_dict


def _funded(hub: Any, firm: Organisation, public: int = 40_000_000, **kwargs: Any) -> Project:
    project = ProjectFactory(
        hub=hub, lead=firm, status=Project.Status.APPROVED, approved_at=timezone.now(), **kwargs
    )
    budget(project, public, 10_000_000)
    return project


def test_same_firm_same_category_is_flagged_and_needs_an_override(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    earlier = _funded(hub, firm, title="프레스 금형 수명 연장 지원")
    project = _approvable(
        coordinator,
        hub,
        lead=firm,
        title="도장 라인 에너지 절감 지원",
        summary="도장 건조로 폐열 회수",
    )
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    assert "overrides" in error.value.message_dict
    flag = DuplicateFlag.objects.get(project=project)
    assert flag.kind == DuplicateFlag.Kind.SAME_CATEGORY
    assert flag.other_project == earlier and flag.organisation == firm
    project.refresh_from_db()
    assert project.status == Project.Status.SUBMITTED
    with pytest.raises(ValidationError):
        services.approve_project(regional, project, overrides={flag.pk: "  "})
    approved = services.approve_project(
        regional, project, overrides={flag.pk: "다른 공정(도장)이라 중복 아님"}
    )
    assert approved.status == Project.Status.APPROVED
    flag.refresh_from_db()
    assert flag.overridden_by == regional and flag.override_reason.startswith("다른 공정")


def test_a_very_similar_text_is_flagged_in_another_category(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    text = (
        "사출 금형 온도 제어와 성형 조건 최적화로 자동차 내장 부품 수축 불량률을 2% 이하로 낮춘다."
    )
    _funded(
        hub,
        firm,
        title="사출 성형 불량 저감 지원",
        summary=text,
        category=category("TECH_MGMT_SUPPORT"),
    )
    project = _approvable(
        coordinator, hub, lead=firm, title="사출성형 불량 저감 지원", summary=text
    )
    with pytest.raises(ValidationError):
        services.approve_project(regional, project)
    flag = DuplicateFlag.objects.get(project=project)
    assert flag.kind == DuplicateFlag.Kind.SIMILAR_TEXT and (flag.similarity or 0) >= 0.6


def test_different_work_of_the_same_firm_is_not_similar(hub: Any, firm: Organisation) -> None:
    matrix = services.text_similarity(
        [
            "사출 금형 온도 제어로 수축 불량률을 낮춘다.",
            "베트남 하노이 전시회 공동관 참가와 바이어 상담회 지원.",
            "사출 금형의 온도를 제어해 수축 불량률을 낮춘다.",
        ]
    )
    assert matrix[0, 1] < 0.2
    assert matrix[0, 2] > 0.6


def test_the_years_grant_cap_is_flagged(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    _funded(
        hub,
        firm,
        public=70_000_000,
        category=category("TOTAL_MARKETING"),
        title="해외 전시회 참가",
        summary="베트남 전시회",
    )
    project = _approvable(
        coordinator,
        hub,
        lead=firm,
        public=40_000_000,
        cash=10_000_000,
        summary="CNC 교육",
        title="현장 교육",
    )
    with pytest.raises(ValidationError) as error:
        services.approve_project(regional, project)
    flag = DuplicateFlag.objects.get(project=project, kind=DuplicateFlag.Kind.OVER_CAP)
    assert "110,000,000" in flag.detail
    assert str(flag.pk) in " ".join(error.value.message_dict["overrides"])


def test_unrelated_firms_are_not_flagged(coordinator: Any, regional: Any, hub: Any) -> None:
    _funded(hub, firm_in_hub(hub))
    project = _approvable(coordinator, hub)
    assert services.approve_project(regional, project).status == Project.Status.APPROVED
    assert not DuplicateFlag.objects.exists()


def test_changes_after_approval_need_a_reason(coordinator: Any, regional: Any, hub: Any) -> None:
    project = services.approve_project(regional, _approvable(coordinator, hub))
    with pytest.raises(ValidationError) as error:
        services.update_project(coordinator, project, end_date=dt.date(2010, 12, 31))
    assert "reason" in error.value.message_dict
    services.update_project(
        coordinator, project, end_date=dt.date(2010, 12, 31), reason="시제품 납기 지연"
    )
    entry = AuditEntry.objects.filter(
        content_type__model="project", object_id=str(project.pk)
    ).first()
    assert entry is not None and entry.reason == "시제품 납기 지연"


def test_a_project_runs_to_completion_and_sends_surveys(
    coordinator: Any,
    regional: Any,
    hub: Any,
    firm: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    problem = _triaged_with_expert(firm)
    project = services.create_project(
        coordinator,
        [problem],
        title="사출 불량 저감",
        type="mentoring",
        start_date=dt.date(2010, 4, 1),
        end_date=dt.date(2010, 9, 30),
    )
    services.add_milestone(
        coordinator, project, title="성형 조건 진단", due_date=dt.date(2010, 5, 1)
    )
    services.set_budget_lines(
        coordinator,
        project,
        [
            {"kind": "public_grant", "amount_krw": 20_000_000},
            {"kind": "firm_cash", "amount_krw": 5_000_000, "organisation": firm},
        ],
    )
    services.submit_project(coordinator, project)
    services.approve_project(regional, project)
    problem.refresh_from_db()
    assert problem.status == Problem.Status.IN_PROJECT
    services.start_project(coordinator, project)
    problem.refresh_from_db()
    assert problem.project_started_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        pairs = services.complete_project(coordinator, project)
    project.refresh_from_db()
    problem.refresh_from_db()
    assert project.status == Project.Status.COMPLETED
    assert problem.status == Problem.Status.CLOSED and problem.resolved_at is not None
    assert len(pairs) == 1
    survey, token = pairs[0]
    assert survey.token_hash != token and len(survey.token_hash) == 64
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@cwprecision.example.kr"]
    assert token in mail.outbox[0].body


def test_cancelling_needs_a_reason_and_returns_the_problems(
    coordinator: Any, regional: Any, hub: Any, firm: Organisation
) -> None:
    problem = _triaged_with_expert(firm)
    project = services.create_project(coordinator, [problem], title="과제", type="mentoring")
    with pytest.raises(ValidationError):
        services.cancel_project(coordinator, project, "")
    services.cancel_project(coordinator, project, "기업 사정으로 포기")
    project.refresh_from_db()
    assert project.status == Project.Status.CANCELLED and project.cancel_reason


# Referrals --------------------------------------------------------------------------


def test_a_referral_sends_the_problem_to_a_partner_and_closes_it(
    coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    agency = OrganisationFactory(
        kind=Organisation.Kind.AGENCY, business_number=None, name_ko="경남테크노파크"
    )
    referral = services.refer_problem(
        coordinator, problem, "technopark", agency, "장비 공동활용 사업이 적합"
    )
    problem.refresh_from_db()
    assert problem.status == Problem.Status.REFERRED
    services.update_referral(coordinator, referral, "accepted")
    services.update_referral(coordinator, referral, "completed", "시험 장비 3회 무상 사용")
    problem.refresh_from_db()
    referral.refresh_from_db()
    assert referral.closed_at is not None and referral.outcome == "시험 장비 3회 무상 사용"
    assert problem.status == Problem.Status.CLOSED


def test_a_declined_referral_returns_the_problem(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    referral = services.refer_problem(coordinator, problem, "local_government", note="지자체 사업")
    services.update_referral(coordinator, referral, "declined", "올해 예산 소진")
    problem.refresh_from_db()
    assert problem.status == Problem.Status.TRIAGED


def test_referral_to_a_firm_or_unknown_kind_is_refused(
    coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm)
    with pytest.raises(ValidationError) as error:
        services.refer_problem(coordinator, problem, "technopark", firm)
    assert "agency" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.refer_problem(coordinator, problem, "bank")
    assert "partner_kind" in error.value.message_dict
    assert not Referral.objects.exists()


# Outcomes and surveys ---------------------------------------------------------------


def _running(hub: Any, firm: Organisation) -> Project:
    return ProjectFactory(
        hub=hub,
        lead=firm,
        status=Project.Status.IN_PROGRESS,
        approved_at=timezone.now(),
        started_at=timezone.now(),
    )


def test_outcomes_are_recorded_once_per_firm_and_updated(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = _running(hub, firm)
    services.record_outcome(
        coordinator, project, firm, patents_filed=1, sales_before_krw=1_200_000_000
    )
    outcome = services.record_outcome(coordinator, project, firm, patents_filed=2, new_hires=3)
    assert Outcome.objects.count() == 1
    assert outcome.patents_filed == 2 and outcome.new_hires == 3


def test_negative_or_foreign_outcomes_are_refused(
    coordinator: Any, hub: Any, firm: Organisation
) -> None:
    project = _running(hub, firm)
    with pytest.raises(ValidationError) as error:
        services.record_outcome(coordinator, project, firm, new_hires=-1, prototypes="두 개")
    assert {"new_hires", "prototypes"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError):
        services.record_outcome(coordinator, project, firm_in_hub(hub), new_hires=1)
    assert not Outcome.objects.exists()


ANSWERS = {"overall": 5, "timeliness": 4, "expertise": 5, "usefulness": 4, "recommend": 5}


def _survey(hub: Any, firm: Organisation) -> tuple[Survey, str]:
    project = _running(hub, firm)
    return services.complete_project(None, project)[0]


def test_a_survey_link_works_once(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    response = services.answer_survey(token, ANSWERS, "전문가 조언이 큰 도움이 되었습니다.")
    assert response.overall == 5
    survey.refresh_from_db()
    assert survey.answered_at is not None
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, {**ANSWERS, "overall": 1}, "두 번째")
    assert "이미 응답" in error.value.message_dict["token"][0]
    assert SurveyResponse.objects.get().overall == 5


def test_an_expired_or_unknown_link_is_refused(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    later = survey.expires_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, ANSWERS, now=later)
    assert "끝난" in error.value.message_dict["token"][0]
    with pytest.raises(ValidationError):
        services.answer_survey("not-a-token", ANSWERS)
    assert not SurveyResponse.objects.exists()


def test_answers_outside_one_to_five_are_refused(hub: Any, firm: Organisation) -> None:
    survey, token = _survey(hub, firm)
    with pytest.raises(ValidationError) as error:
        services.answer_survey(token, {**ANSWERS, "overall": 6, "recommend": None})
    assert {"overall", "recommend"} <= set(error.value.message_dict)
    survey.refresh_from_db()
    assert survey.answered_at is None


def test_a_resent_link_replaces_the_old_one(coordinator: Any, hub: Any, firm: Organisation) -> None:
    survey, old = _survey(hub, firm)
    new = services.resend_survey(coordinator, survey)
    with pytest.raises(ValidationError):
        services.answer_survey(old, ANSWERS)
    assert services.answer_survey(new, ANSWERS).survey == survey


# Service levels ---------------------------------------------------------------------


def test_service_levels_measure_each_stage(coordinator: Any, hub: Any, firm: Organisation) -> None:
    start = timezone.now() - dt.timedelta(days=60)
    for days in (2, 4, 10):
        ProblemFactory(
            organisation=firm,
            status=Problem.Status.CLOSED,
            submitted_at=start,
            triaged_at=start + dt.timedelta(days=days),
            category=category(),
            project_started_at=start + dt.timedelta(days=days + 10),
            resolved_at=start + dt.timedelta(days=days + 40),
        )
    levels = service_levels(coordinator, support_year())
    overall = levels["overall"]
    assert overall.problems == 3
    assert overall.stages["intake_to_triage"].median_days == 4
    assert overall.stages["intake_to_triage"].p90_days == pytest.approx(8.8)
    assert overall.stages["start_to_completion"].median_days == 30
    assert [row.category_name for row in levels["rows"]] == ["제조기술효율화"]


def test_overdue_problems_follow_the_years_rules(coordinator: Any, firm: Organisation) -> None:
    now = timezone.now()
    late = ProblemFactory(organisation=firm, submitted_at=now - dt.timedelta(days=6))
    ProblemFactory(organisation=firm, submitted_at=now - dt.timedelta(days=2))
    stuck = TriagedProblemFactory(
        organisation=firm,
        submitted_at=now - dt.timedelta(days=50),
        triaged_at=now - dt.timedelta(days=40),
    )
    found = {p.pk: p.overdue_stage for p in overdue_problems(coordinator, now)}
    assert found == {late.pk: "triage", stuck.pk: "start"}
    support_year(triage_within_days=10)
    assert late.pk not in {p.pk for p in overdue_problems(coordinator, now)}


def test_reminders_go_to_coordinators_with_late_problems(
    coordinator: Any, firm: Organisation
) -> None:
    ProblemFactory(
        organisation=firm,
        submitted_at=timezone.now() - dt.timedelta(days=9),
        title="도금 폐수 처리 비용 문제",
    )
    user_with_role(Role.COORDINATOR, office=OfficeFactory())  # nothing late in its scope
    sent = services.send_service_level_reminders()
    assert sent == 1
    assert mail.outbox[0].to == [coordinator.email]
    assert "도금 폐수 처리 비용 문제" in mail.outbox[0].body


def test_survey_link_is_an_absolute_address_of_the_site(settings: Any) -> None:
    settings.SANDAN_SITE_URL = "https://sandan.kicox.example"
    assert services.survey_link("abc123") == "https://sandan.kicox.example/support/survey/abc123/"


def test_the_reminder_command_reports_what_it_sent(coordinator: Any, firm: Organisation) -> None:
    import io

    from django.core.management import call_command

    ProblemFactory(organisation=firm, submitted_at=timezone.now() - dt.timedelta(days=9))
    out = io.StringIO()
    call_command("send_service_level_reminders", stdout=out)
    assert out.getvalue().strip() == "1 service-level reminder(s) sent"
    assert len(mail.outbox) == 1
