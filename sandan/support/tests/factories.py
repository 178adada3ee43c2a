"""Factories for the support pipeline, with realistic Korean data.

`support_year()` makes the 2010 program year approved, with its five service categories and
rules from data/program_year_2010.json. `firm_in_hub()` a small firm in a hub complex of
that year; the model factories build rows directly (tests of services call the services).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import factory
from django.conf import settings

from sandan.core import clock
from sandan.councils.tests.factories import hub_designation, linked_designation
from sandan.finance.tests.factories import fund_hub
from sandan.program.models import DEFAULT_RULES, Designation, ProgramYear, ServiceCategory
from sandan.registry.models import Complex, Organisation
from sandan.registry.tests.factories import ComplexFactory, ExpertFactory, OrganisationFactory
from sandan.support.models import (
    BudgetLine,
    ExpertAssignment,
    Milestone,
    Participant,
    Problem,
    Project,
    Referral,
)

YEAR_FILE = settings.BASE_DIR / "data" / "program_year_2010.json"


def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(YEAR_FILE.read_text(encoding="utf-8"))
    return data


def support_year(year: int = 2010, **rules: Any) -> ProgramYear:
    """The approved program year with the 2010 categories and rules (idempotent)."""
    spec = _spec()
    obj, _created = ProgramYear.objects.get_or_create(
        year=year, defaults={"rules": {**DEFAULT_RULES, **spec["rules"]}}
    )
    changed = False
    if obj.status != ProgramYear.Status.APPROVED:
        obj.status = ProgramYear.Status.APPROVED
        obj.approved_at = clock.now()
        changed = True
    wanted = {**DEFAULT_RULES, **spec["rules"], **obj.rules, **rules}
    if wanted != obj.rules:
        obj.rules = wanted
        changed = True
    if changed:
        obj.save()
    if not obj.categories.exists():
        ServiceCategory.objects.bulk_create(
            ServiceCategory(
                program_year=obj,
                code=item["code"],
                name_ko=item["name_ko"],
                name_en=item.get("name_en", ""),
                description=item.get("description", ""),
                keywords=item.get("keywords", ""),
                order=index,
            )
            for index, item in enumerate(spec["categories"])
        )
    return obj


def category(code: str = "MFG_EFFICIENCY", year: int = 2010) -> ServiceCategory:
    return ServiceCategory.objects.get(program_year=support_year(year), code=code)


def hub_of_year(complex_: Complex | None = None, year: int = 2010) -> Designation:
    """The complex's hub designation of the year, its budget lines funded (so that approving
    its projects can commit their grants)."""
    support_year(year)
    if complex_ is not None:
        found = Designation.objects.filter(program_year__year=year, complex=complex_).first()
        if found is not None:
            return found
    hub = hub_designation(complex_ or ComplexFactory(kind="national"), year)
    fund_hub(hub)
    return hub


def firm_in_hub(hub: Designation | None = None, **kwargs: Any) -> Organisation:
    hub = hub or hub_of_year()
    return OrganisationFactory(complex=hub.complex, **kwargs)


def firm_in_linked(
    hub: Designation, complex_: Complex | None = None, **kwargs: Any
) -> Organisation:
    linked = linked_designation(hub, complex_)
    return OrganisationFactory(complex=linked.complex, **kwargs)


PROBLEM_TEXTS = (
    (
        "사출 성형품 수축 불량이 계속 발생합니다",
        "자동차 내장 부품을 사출하는데 여름철만 되면 수축 불량률이 8%까지 올라갑니다. "
        "금형 온도와 보압 조건을 바꿔 봤지만 원인을 못 찾았습니다.",
        "성형 조건 최적화와 불량 원인 분석을 도와줄 전문가가 필요합니다.",
        "MFG_EFFICIENCY",
    ),
    (
        "해외 바이어 발굴과 전시회 참가 지원 요청",
        "국내 납품만으로는 매출이 정체되어 동남아 수출을 준비 중입니다. "
        "영문 카탈로그도 없고 바이어를 만날 창구가 없습니다.",
        "해외 전시회 공동관 참가와 바이어 상담회 연결을 원합니다.",
        "TOTAL_MARKETING",
    ),
    (
        "CNC 가공 신입 직원 교육 과정이 필요합니다",
        "신입 기능공 5명을 채용했는데 CNC 선반 프로그램을 다룰 줄 몰라 "
        "현장 투입이 늦어지고 있습니다.",
        "현장에서 실습 위주로 가르쳐 줄 맞춤형 교육 과정을 원합니다.",
        "FIELD_EDUCATION",
    ),
)


class ProblemFactory(factory.django.DjangoModelFactory[Problem]):
    class Meta:
        model = Problem

    class Params:
        text_index = factory.Sequence(lambda n: n % len(PROBLEM_TEXTS))

    program_year = factory.LazyFunction(support_year)
    organisation = factory.LazyFunction(firm_in_hub)
    complex = factory.LazyAttribute(lambda o: o.organisation.complex)
    zone = factory.LazyAttribute(lambda o: o.organisation.complex.province.zone)
    hub = factory.LazyAttribute(lambda o: _hub_for(o.organisation.complex, o.program_year))
    title = factory.LazyAttribute(lambda o: PROBLEM_TEXTS[o.text_index][0])
    description = factory.LazyAttribute(lambda o: PROBLEM_TEXTS[o.text_index][1])
    help_wanted = factory.LazyAttribute(lambda o: PROBLEM_TEXTS[o.text_index][2])
    urgency = Problem.Urgency.NORMAL
    status = Problem.Status.SUBMITTED
    source = Problem.Source.WEB
    submitted_at = factory.LazyFunction(clock.now)


def _hub_for(complex_: Complex | None, year: ProgramYear) -> Designation | None:
    from sandan.program.selectors import hub_of

    return hub_of(complex_.pk if complex_ else None, year)


class TriagedProblemFactory(ProblemFactory):
    status = Problem.Status.TRIAGED
    category = factory.LazyAttribute(
        lambda o: ServiceCategory.objects.get(
            program_year=o.program_year, code=PROBLEM_TEXTS[o.text_index][3]
        )
    )
    triaged_at = factory.LazyAttribute(lambda o: o.submitted_at + dt.timedelta(days=2))


class AssignmentFactory(factory.django.DjangoModelFactory[ExpertAssignment]):
    class Meta:
        model = ExpertAssignment

    problem = factory.SubFactory(TriagedProblemFactory)
    expert = factory.LazyFunction(ExpertFactory)
    assigned_at = factory.LazyFunction(clock.now)


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    """A draft project of a hub with a lead firm (no problems unless given)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    program_year = factory.LazyFunction(support_year)
    hub = factory.LazyFunction(hub_of_year)
    zone = factory.LazyAttribute(lambda o: o.hub.zone)
    title = factory.Sequence(lambda n: f"사출 성형 불량 저감 공정 개선 지원 {n}")
    summary = "금형 온도 제어와 성형 조건 최적화로 수축 불량률을 2% 이하로 낮춘다."
    type = Project.Type.MENTORING
    category = factory.LazyAttribute(
        lambda o: ServiceCategory.objects.get(program_year=o.program_year, code="MFG_EFFICIENCY")
    )
    scope = Project.Scope.SINGLE_COMPLEX
    status = Project.Status.DRAFT
    start_date = dt.date(2010, 4, 1)
    end_date = dt.date(2010, 9, 30)

    @factory.post_generation
    def lead(self, create: bool, extracted: Organisation | None, **kwargs: Any) -> None:
        if not create:
            return
        firm = extracted or OrganisationFactory(complex=self.hub.complex)
        Participant.objects.create(project=self, organisation=firm, role=Participant.Role.LEAD_FIRM)


def budget(project: Project, public: int, cash: int, in_kind: int = 0) -> None:
    """Budget lines straight into the table (the service is tested on its own)."""
    lead = project.participants.get(role=Participant.Role.LEAD_FIRM).organisation
    rows = [
        (BudgetLine.Kind.PUBLIC_GRANT, public, None),
        (BudgetLine.Kind.FIRM_CASH, cash, lead),
        (BudgetLine.Kind.FIRM_IN_KIND, in_kind, lead),
    ]
    BudgetLine.objects.bulk_create(
        BudgetLine(project=project, kind=kind, amount_krw=amount, organisation=org)
        for kind, amount, org in rows
        if amount
    )


def ready_project(
    public: int = 40_000_000, cash: int = 8_000_000, in_kind: int = 2_000_000, **kwargs: Any
) -> Project:
    """A draft project that can be submitted: period, a milestone, a budget keeping 20%."""
    project = ProjectFactory(**kwargs)
    Milestone.objects.create(
        project=project,
        title="성형 조건 진단",
        due_date=dt.date(2010, 5, 31),
        deliverable="진단 보고서",
    )
    budget(project, public, cash, in_kind)
    return project


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    problem = factory.SubFactory(ProblemFactory, status=Problem.Status.REFERRED)
    partner_kind = Referral.PartnerKind.TECHNOPARK
    note = "시험 장비 사용은 경남테크노파크 장비 공동활용 사업이 적합합니다."
    referred_at = factory.LazyFunction(clock.now)
