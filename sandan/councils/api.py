"""Council endpoints: councils, memberships, activities and attendance, each scoped by
`restrict()` through the shared selectors and paginated as {"items", "count"}.

No `from __future__ import annotations` here: django-ninja reads the operations'
signatures at import time (see sandan/registry/api.py).
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from sandan.api.pagination import Pagination
from sandan.api.params import Code, Day, Id, Search, Year
from sandan.councils import selectors

router = Router(tags=["councils"])

CouncilStatus = Literal["forming", "active", "merged", "closed"]


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class CommonQuery(Schema):
    year: Year | None = None
    zone: Code | None = None
    hub: Code | None = None  # KICOX id of the hub complex
    council: Id | None = None
    date_from: Day | None = None
    date_to: Day | None = None


class CouncilQuery(Schema):
    year: Year | None = None
    zone: Code | None = None
    hub: Code | None = None
    status: CouncilStatus | None = None
    q: Search | None = None


class CouncilOut(Schema):
    id: int
    name: str
    year: int
    zone: str
    hub: str
    hub_name: str
    theme_kind: str
    industry: str | None
    technology: str
    status: str
    member_count: int
    firm_count: int

    @staticmethod
    def resolve_year(obj: Any) -> int:
        return int(obj.hub.program_year.year)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.zone.code)

    @staticmethod
    def resolve_hub(obj: Any) -> str:
        return str(obj.hub.complex.kicox_id)

    @staticmethod
    def resolve_hub_name(obj: Any) -> str:
        return str(obj.hub.complex.name_ko)

    @staticmethod
    def resolve_industry(obj: Any) -> str | None:
        return obj.industry.code if obj.industry_id else None


class MembershipOut(Schema):
    id: int
    council: int
    organisation: int
    organisation_name: str
    organisation_kind: str
    role: str
    joined_on: dt.date
    left_on: dt.date | None
    annual_fee_krw: int

    @staticmethod
    def resolve_council(obj: Any) -> int:
        return int(obj.council_id)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name_ko)

    @staticmethod
    def resolve_organisation_kind(obj: Any) -> str:
        return str(obj.organisation.kind)


class ActivityOut(Schema):
    id: int
    council: int
    council_name: str
    zone: str
    kind: str
    title: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    organiser: int | None
    problems_raised: int
    attended_count: int
    registered_count: int

    @staticmethod
    def resolve_council(obj: Any) -> int:
        return int(obj.council_id)

    @staticmethod
    def resolve_council_name(obj: Any) -> str:
        return str(obj.council.name)

    @staticmethod
    def resolve_zone(obj: Any) -> str:
        return str(obj.council.zone.code)

    @staticmethod
    def resolve_organiser(obj: Any) -> int | None:
        return obj.organiser_id  # type: ignore[no-any-return]


class AttendanceOut(Schema):
    id: int
    activity: int
    organisation: int
    organisation_name: str
    person_name: str
    person_title: str
    status: str

    @staticmethod
    def resolve_activity(obj: Any) -> int:
        return int(obj.activity_id)

    @staticmethod
    def resolve_organisation(obj: Any) -> int:
        return int(obj.organisation_id)

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return str(obj.organisation.name_ko)


@router.get("/councils", response=list[CouncilOut])
@paginate(Pagination)
def list_councils(request: HttpRequest, filters: Query[CouncilQuery]) -> Any:
    return selectors.councils(_user(request), selectors.CouncilFilter(**filters.dict()))


@router.get("/council-memberships", response=list[MembershipOut])
@paginate(Pagination)
def list_memberships(request: HttpRequest, filters: Query[CommonQuery]) -> Any:
    return selectors.memberships(_user(request), **filters.dict())


@router.get("/activities", response=list[ActivityOut])
@paginate(Pagination)
def list_activities(request: HttpRequest, filters: Query[CommonQuery]) -> Any:
    return selectors.activities(_user(request), selectors.ActivityFilter(**filters.dict()))


@router.get("/attendance", response=list[AttendanceOut])
@paginate(Pagination)
def list_attendance(
    request: HttpRequest, filters: Query[CommonQuery], activity: Id | None = None
) -> Any:
    return (
        selectors.attendance(_user(request), activity=activity, **filters.dict())
        .select_related(None)
        .select_related("organisation")
    )
