"""Constants, texts and the world the support demo reads once; its summary."""

from __future__ import annotations

import datetime as dt
import json
import random
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandan.demo.base import AS_OF_DATE
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.registry.models import Complex, Expert, Organisation, Province

YEAR = 2010
PROBLEMS = {"2009": 3_000, "national": 20_000}
TEXTS_FILE = Path(__file__).resolve().parents[3] / "data" / "support" / "demo_texts.json"
KST = zoneinfo.ZoneInfo("Asia/Seoul")
# The demo's world is as of this day (sandan.demo.base.AS_OF_DATE): what would happen
# from then on has not happened.
AS_OF = dt.datetime.combine(AS_OF_DATE, dt.time.min, tzinfo=KST)
SMALL_FIRM = 50
SMALL_SHARE = 0.9
CATEGORY_WEIGHTS = {
    "PROD_COMMERCIALIZATION": 22,
    "MFG_EFFICIENCY": 26,
    "TECH_MGMT_SUPPORT": 17,
    "TOTAL_MARKETING": 21,
    "FIELD_EDUCATION": 14,
}
MONTH_WEIGHTS = (0.35, 0.6, 1.1, 1.2, 1.2, 1.1, 1.0, 0.8, 1.0, 1.15, 1.1, 0.9)
# What becomes of a problem (before the day the world is as of cuts it short).
FATES = {
    "project": 50,
    "stay": 14,
    "mentoring": 11,
    "refer": 8,
    "refer_untriaged": 3,
    "withdraw": 4,
    "reject_early": 5,
    "reject_late": 2,
}
SOURCES = {"web": 60, "activity": 28, "import": 12}
REUSE_FIRM = 0.04  # a firm with more than one problem in the year
LINKAGE = 0.12  # a project that takes in one or two more problems of the same category
CANCEL = 0.05
BACKLOG = 0.12  # problems of December still waiting for triage at the year's end
UNSURE = 0.8  # below this confidence a coordinator may judge otherwise
ANALYSIS_CHUNK = 4000  # texts analysed ahead at once (within the analyser's cache of 8,192)
EXPERT_CASES = 6
SCORES = {1: 2, 2: 5, 3: 15, 4: 40, 5: 38}
ANSWERED = 0.82
PARTNER_KINDS = {
    "technopark": 40,
    "leading_industry": 20,
    "local_government": 22,
    "regional_committee": 13,
    "other": 5,
}


def _texts() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TEXTS_FILE.read_text(encoding="utf-8"))
    return data


# --- summary ---------------------------------------------------------------------------------


@dataclass
class SupportDemoSummary:
    problems: dict[str, int] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    survey_link: str = ""
    survey_firm: str = ""
    survey_expires: str = ""
    skipped: bool = False
    note: str = ""  # why nothing was built

    def lines(self) -> list[str]:
        if self.note:
            return [f"support: {self.note}"]
        total = sum(self.problems.values())
        out = [
            f"support: {total:,} problems of {YEAR} ("
            + ", ".join(f"{k} {v:,}" for k, v in self.problems.items())
            + ")",
            f"support: {sum(self.projects.values()):,} projects ("
            + ", ".join(f"{k} {v:,}" for k, v in self.projects.items())
            + ")",
            "support: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in self.counts.items()),
        ]
        if self.timings:
            out.append(
                "support timings: "
                + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.timings)
            )
        if self.survey_link:
            out.append(
                f"support: satisfaction survey of {self.survey_firm} (demo company), a one-time "
                f"link valid until {self.survey_expires}: {self.survey_link}"
            )
        return out


# --- what the generator reads once -----------------------------------------------------------


@dataclass(frozen=True)
class Firm:
    pk: int
    name: str
    business_number: str
    employees: int
    division: str
    complex_id: int
    contact_email: str


@dataclass(frozen=True)
class Place:
    complex_id: int
    office_id: int | None
    zone_id: int
    province: str
    hub: Designation


@dataclass(frozen=True)
class Partner:
    pk: int
    name: str
    kind: str  # university, institute, agency
    partner_kind: str  # for agencies: the referral partner kind
    province: str
    zone_id: int | None


@dataclass
class Users:
    coordinator: Any = None
    coordinator_office: int | None = None
    hq: Any = None
    regional: Any = None
    regional_zone: int | None = None
    company: Any = None
    company_org: int | None = None
    expert_user: Any = None
    expert: int | None = None


def _partner_kind(name: str) -> str:
    if "광역경제발전위원회" in name or "광역위원회" in name:
        return "regional_committee"
    if "선도산업" in name:
        return "leading_industry"
    if "테크노파크" in name or "진흥원" in name:
        return "technopark"
    if name.endswith(("시청", "군청", "구청", "도청")):
        return "local_government"
    return "other"


class World:
    def __init__(self, seed: int, year: ProgramYear) -> None:
        from sandan.accounts.models import Membership as Grant
        from sandan.accounts.models import User

        self.seed = seed
        self.year = year
        self.words = _texts()
        self.categories: dict[str, ServiceCategory] = {
            c.code: c for c in year.categories.order_by("order", "code")
        }
        provinces = {p.pk: p for p in Province.objects.all()}
        zone_of_name: dict[str, int] = {}
        for p in provinces.values():
            zone_of_name[p.name_ko] = p.zone_id
            zone_of_name[p.short_ko] = p.zone_id
        designations = list(
            Designation.objects.filter(program_year=year).select_related("hub", "complex")
        )
        hub_of: dict[int, Designation] = {}
        for d in designations:
            hub = d if d.role == Designation.Role.HUB else d.hub
            if hub is not None:
                hub_of[d.complex_id] = hub
        self.places: dict[int, Place] = {}
        for c in Complex.objects.filter(pk__in=hub_of).select_related("province"):
            self.places[c.pk] = Place(
                c.pk, c.office_id, c.province.zone_id, c.province.short_ko, hub_of[c.pk]
            )
        rows = (
            Organisation.objects.filter(
                kind=Organisation.Kind.COMPANY, complex_id__in=list(self.places)
            )
            .order_by("business_number", "name_ko", "id")
            .values_list(
                "pk",
                "name_ko",
                "business_number",
                "employees",
                "industry__code",
                "complex_id",
                "contact_email",
            )
        )
        self.firms = [
            Firm(pk, name, bn or "", employees or 0, (code or "")[:2], cx, email or "")
            for pk, name, bn, employees, code, cx, email in rows
        ]
        self.small = [f for f in self.firms if f.employees <= SMALL_FIRM]
        self.larger = [f for f in self.firms if f.employees > SMALL_FIRM]
        self.firm_by_pk = {f.pk: f for f in self.firms}
        partners: list[Partner] = []
        for pk, name, kind, address in (
            Organisation.objects.exclude(kind=Organisation.Kind.COMPANY)
            .order_by("kind", "name_ko", "id")
            .values_list("pk", "name_ko", "kind", "address")
        ):
            first = (address or "").split(" ")[0]
            province = next((p.short_ko for p in provinces.values() if p.name_ko == first), first)
            partners.append(
                Partner(
                    pk,
                    name,
                    kind,
                    _partner_kind(name) if kind == Organisation.Kind.AGENCY else "",
                    province,
                    zone_of_name.get(first),
                )
            )
        self.partners = partners
        self.activities: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
        from sandan.councils.models import Activity

        for pk, hub_id, starts_at in (
            Activity.objects.filter(
                council__hub__program_year=year,
                kind="discovery",
                status=Activity.Status.HELD,
                starts_at__lt=AS_OF,
            )
            .order_by("council__hub_id", "starts_at", "title")
            .values_list("pk", "council__hub_id", "starts_at")
        ):
            if hub_id is not None:
                self.activities[hub_id].append((pk, starts_at))
        self.users = Users()
        for grant in Grant.objects.filter(
            is_active=True,
            user__username__in=["coordinator", "hq", "regional", "company", "expert"],
        ).select_related("user"):
            name = grant.user.username
            if name == "coordinator":
                self.users.coordinator, self.users.coordinator_office = grant.user, grant.office_id
            elif name == "hq":
                self.users.hq = grant.user
            elif name == "regional":
                self.users.regional, self.users.regional_zone = grant.user, grant.zone_id
            elif name == "company":
                self.users.company, self.users.company_org = grant.user, grant.organisation_id
            elif name == "expert":
                self.users.expert_user = grant.user
        if self.users.expert_user is not None:
            self.users.expert = (
                Expert.objects.filter(user=self.users.expert_user)
                .values_list("pk", flat=True)
                .first()
            )
        if self.users.hq is None:
            self.users.hq = User.objects.filter(is_superuser=True).order_by("username").first()

    def trade(self, firm: Firm) -> dict[str, Any]:
        trades: dict[str, dict[str, Any]] = self.words["trades"]
        return trades.get(firm.division) or trades[""]

    def staff_of(self, place: Place) -> Any:
        """The demo coordinator for the problems of their office; nobody named otherwise."""
        if place.office_id is not None and place.office_id == self.users.coordinator_office:
            return self.users.coordinator
        return None

    def approver_of(self, zone_id: int) -> Any:
        if self.users.regional is not None and zone_id == self.users.regional_zone:
            return self.users.regional
        return self.users.hq

    def partner(
        self, rng: random.Random, kinds: Sequence[str], place: Place, partner_kind: str = ""
    ) -> Partner | None:
        pool = [
            p
            for p in self.partners
            if p.kind in kinds and (not partner_kind or p.partner_kind == partner_kind)
        ]
        for tier in (
            [p for p in pool if p.province == place.province],
            [p for p in pool if p.zone_id == place.zone_id],
            pool,
        ):
            if tier:
                return rng.choice(tier)
        return None
