"""Two zones of the 2010 program, each with a hub, a firm and its work, and one user per
role: the home page of each role must show that role's own work and nothing of the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import clock
from sandan.councils.models import Membership
from sandan.councils.tests.factories import ActivityFactory, CouncilFactory
from sandan.program.models import ZoneTarget
from sandan.registry.tests.factories import ComplexFactory, ExpertFactory, OfficeFactory, province
from sandan.support.models import Problem, Project, Survey
from sandan.support.tests.factories import (
    AssignmentFactory,
    ProblemFactory,
    ProjectFactory,
    firm_in_hub,
    hub_of_year,
    support_year,
)


@pytest.fixture(autouse=True)
def _as_of_2010(settings: Any) -> None:
    # The world is program year 2010: its work is dated, and the homes read, on a day of
    # that year (the site's clock, sandan.core.clock, reads this).
    settings.SANDAN_AS_OF = "2010-06-15"


@dataclass
class Side:
    """One zone's hub, its firm, that firm's open problem and draft project, and the
    coming activity of a council the firm belongs to."""

    hub: Any
    firm: Any
    problem: Problem
    overdue: Problem
    project: Project
    activity: Any


def _side(code: str, office_code: str, label: str) -> Side:
    office = OfficeFactory(code=office_code, name_ko=f"{label}지사")
    hub = hub_of_year(
        ComplexFactory(
            name_ko=f"{label}국가산업단지", kind="national", province=province(code), office=office
        )
    )
    firm = firm_in_hub(hub, name_ko=f"(주){label}정밀")
    problem = ProblemFactory(organisation=firm, title=f"{label} 사출 불량 문의")
    overdue = ProblemFactory(
        organisation=firm,
        title=f"{label} 오래된 접수 건",
        submitted_at=clock.now() - dt.timedelta(days=40),
    )
    project = ProjectFactory(hub=hub, title=f"{label} 공정 개선 지원", lead=firm)
    council = CouncilFactory(hub=hub, name=f"{label} 기계부품 미니클러스터")
    Membership.objects.create(
        council=council,
        organisation=firm,
        role=Membership.Role.MEMBER,
        joined_on=dt.date(2010, 3, 2),
    )
    activity = ActivityFactory(council=council, title=f"{label} 기술 세미나")
    return Side(hub, firm, problem, overdue, project, activity)


@dataclass
class World:
    year: Any
    changwon: Side
    banwol: Side
    users: dict[str, Any]


@pytest.fixture
def world(db: None) -> World:
    year = support_year()
    changwon = _side("48", "changwon", "창원")
    banwol = _side("41", "ansan", "반월")
    for side, linked in ((changwon, 1), (banwol, 0)):
        ZoneTarget.objects.create(program_year=year, zone=side.hub.zone, hubs=1, linked=linked)
    expert = ExpertFactory(name_ko="장현우")
    users = {
        "hq": user_with_role(Role.HQ_STAFF, username="hq"),
        "ministry": user_with_role(Role.MINISTRY_OFFICER, username="ministry"),
        "auditor": user_with_role(Role.AUDITOR, username="auditor"),
        "regional": user_with_role(
            Role.REGIONAL_STAFF, username="regional", zone=changwon.hub.zone
        ),
        "coordinator": user_with_role(
            Role.COORDINATOR, username="coordinator", office=changwon.hub.complex.office
        ),
        "company": user_with_role(
            Role.COMPANY_USER, username="company", organisation=changwon.firm
        ),
        "expert": user_with_role(Role.EXPERT, username="expert", organisation=expert.affiliation),
    }
    expert.user = users["expert"]
    expert.save()
    AssignmentFactory(
        problem__organisation=changwon.firm, problem__title="창원 배정 건", expert=expert
    )
    AssignmentFactory(problem__organisation=banwol.firm, problem__title="반월 다른 전문가 건")
    Survey.objects.create(
        project=changwon.project,
        organisation=changwon.firm,
        email="kim@changwon.example.kr",
        token_hash="a" * 64,
        sent_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=30),
    )
    return World(year, changwon, banwol, users)
