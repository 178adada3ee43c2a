"""Demo data of the support pipeline: the problems (애로과제) of program year 2010 and
everything that followed them until the end of the year.

About 3,000 problems (``--scale national``: 20,000) of small firms (≤ 50 employees, nine in
ten) of the 2010 hub and linked complexes, written in varied Korean from the templates and
word lists of ``data/support/demo_texts.json`` (needs × industries × details × styles: web
form, council meeting minutes, phone and visit notes; a few whose words point to another
category). Each problem is submitted on a working day of 2010 and then lives through the
pipeline as the services would move it, up to the end of the year (31 December 2010,
18:00): the triage engine's suggestion (the year's `triage_for_year` engine, one call per
text), the coordinator's decision (the suggestion confirmed, or overridden when the firm
meant something else), experts ranked by the matcher (never one of the firm's own
organisation) with mentoring notes, projects of every type with participants, milestones
and budgets that keep the year's cost-share rule, their approvals (with the duplicate-funding
check: its flags are overridden with a reason at approval, or left open on projects still
waiting), completion with outcomes and satisfaction surveys (most answered), referrals to
partner agencies with their outcomes, rejections and closures. What happens after the
cut-off does not happen, so the year ends with problems still waiting at every stage, some
past their service level.

The demo users have their story: the demo company (``company``) has four problems (one
with a completed project whose survey is still open — its one-time link is re-sent at
every run and printed — one in a running project, one matched to the demo expert, one
waiting for triage); the demo expert (``expert``) has cases of the coordinator's office;
the coordinator (``coordinator``) finds problems waiting for triage.

Rows are written in bulk (``bulk_create``), one audit entry per row under one batch
(``audit.record_created``), like the councils demo; they are what the services would have
written (statuses consistent with the timestamps, a category wherever the status needs
one, cost shares, one lead firm, no conflicted expert). Same seed → same content: every
choice comes from ``rng_for(seed, …)`` over lists sorted by natural keys. Running it again
adds nothing (the part is skipped when the year has problems) and only re-sends the demo
company's survey link.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import math
import random
import re
import secrets
import time
import unicodedata
import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.program.models import Designation, ProgramYear, ServiceCategory
from sandan.registry.demo import rng_for
from sandan.registry.models import Complex, Expert, Industry, Organisation, Province
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

AUDIT_SOURCE = "demo"
YEAR = 2010
PROBLEMS = {"2009": 3_000, "national": 20_000}
TEXTS_FILE = Path(__file__).resolve().parents[2] / "data" / "support" / "demo_texts.json"
KST = zoneinfo.ZoneInfo("Asia/Seoul")
# The demo year ends here: what would happen later has not happened.
AS_OF = dt.datetime(YEAR, 12, 31, 18, 0, tzinfo=KST)
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
# What becomes of a problem (before the year's end cuts it short).
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


# --- plans -----------------------------------------------------------------------------------


@dataclass
class Assigned:
    expert_id: int
    score: float | None
    explanation: str
    assigned_at: dt.datetime
    status: str = ExpertAssignment.Status.ACTIVE
    ended_at: dt.datetime | None = None
    withdrawn: bool = False


@dataclass
class ReferralPlan:
    partner_kind: str
    agency_id: int | None
    note: str
    referred_at: dt.datetime
    status: str
    outcome: str
    closed_at: dt.datetime | None


@dataclass
class ProblemPlan:
    index: int
    firm: Firm
    place: Place
    need: dict[str, Any]
    slots: dict[str, str]
    intended: str
    source: str
    activity_id: int | None
    submitted_at: dt.datetime
    title: str
    description: str
    help_wanted: str
    urgency: str
    fate: str
    forced: dict[str, Any] = field(default_factory=dict)
    suggested: str = ""
    confidence: float | None = None
    evidence: list[str] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)
    runner_up: str = ""
    status: str = Problem.Status.SUBMITTED
    category: str = ""
    triaged_at: dt.datetime | None = None
    matched_at: dt.datetime | None = None
    project_started_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    close_reason: str = ""
    triage_note: str = ""
    experts: list[Assigned] = field(default_factory=list)
    two_experts: bool = False
    referral: ReferralPlan | None = None
    project: ProjectPlan | None = None
    obj: Problem | None = None

    @property
    def text(self) -> str:
        return "\n".join(p for p in (self.title, self.description, self.help_wanted) if p)

    @property
    def ready_at(self) -> dt.datetime:
        when = self.matched_at or self.triaged_at
        assert when is not None
        return when


@dataclass
class ProjectPlan:
    problems: list[ProblemPlan]
    type: str
    title: str
    summary: str
    scope: str
    created: dt.datetime
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    cancel_reason: str = ""
    cancelled_from: str = ""
    firms: list[int] = field(default_factory=list)
    experts: list[int] = field(default_factory=list)
    others: list[tuple[int, str]] = field(default_factory=list)  # (organisation, role)
    budget: list[tuple[str, int, int | None, str]] = field(default_factory=list)
    milestones: list[tuple[str, dt.date, str, dt.datetime | None]] = field(default_factory=list)
    obj: Project | None = None

    @property
    def lead(self) -> ProblemPlan:
        return self.problems[0]

    @property
    def funded_at(self) -> dt.datetime | None:
        """When the project was approved (it counts as funded from then on)."""
        return self.approved_at

    def grants(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for kind, amount, org, _note in self.budget:
            if kind == BudgetLine.Kind.PUBLIC_GRANT:
                out[org if org is not None else self.firms[0]] += amount
        return out


# --- time ------------------------------------------------------------------------------------

HOLIDAYS = {(1, 1), (2, 15), (3, 1), (5, 5), (5, 21), (6, 2), (8, 15), (9, 22), (10, 3), (12, 25)}


def _working(when: dt.datetime, rng: random.Random) -> dt.datetime:
    """The same moment moved into office hours of a working day (forward)."""
    when = when.astimezone(KST)
    if when.hour >= 18:
        when = (when + dt.timedelta(days=1)).replace(hour=9, minute=rng.randint(0, 59))
    elif when.hour < 9:
        when = when.replace(hour=9, minute=rng.randint(0, 59))
    while when.weekday() >= 5 or (when.month, when.day) in HOLIDAYS:
        when += dt.timedelta(days=1)
    return when.replace(second=0, microsecond=0)


def _after(when: dt.datetime, days: float, rng: random.Random) -> dt.datetime:
    hours = rng.uniform(-3, 3)
    return _working(when + dt.timedelta(days=days, hours=hours), rng)


def _submitted(rng: random.Random) -> dt.datetime:
    month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
    day = rng.randint(1, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    when = dt.datetime(YEAR, month, day, rng.randint(8, 18), rng.randint(0, 59), tzinfo=KST)
    return _working(when, rng)


def _lognormal_days(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0, sigma))


def _day(when: dt.datetime) -> dt.date:
    return when.astimezone(KST).date()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KST)


# --- text ------------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: dict[str, float] | dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# A word said twice in a row where a slot's value repeats its template ("수입 {mat}" with
# "수입 레진", "{d} 불량" with "치수 불량").
_REPEATED_WORD = re.compile(r"(?<!\S)(\S+)(?: \1)+(?!\S)")


def _fill(template: str, slots: dict[str, str]) -> str:
    text = template
    for key, value in slots.items():
        text = text.replace("{" + key + "}", value)
    return _josa(_REPEATED_WORD.sub(r"\1", text))


def _slots(world: World, firm: Firm, rng: random.Random) -> dict[str, str]:
    trade = world.trade(firm)
    market = rng.choice(world.words["markets"])
    return {
        "p": rng.choice(trade["products"]),
        "proc": rng.choice(trade["processes"]),
        "d": rng.choice(trade["defects"]),
        "eq": rng.choice(trade["equipment"]),
        "mat": rng.choice(trade["materials"]),
        "cust": rng.choice(trade["customers"]),
        "sector": trade["label"],
        "mkt": market,
        "cert": world.words["export_certs"].get(market, "CE"),
        "n": str(rng.choice((3, 4, 5, 6, 7, 8, 10, 12, 15, 20))),
        "m": str(rng.choice((2, 3, 4, 5, 6, 8, 10, 12))),
        "firm": firm.name,
    }


_PARTICLES = {
    "을(를)": ("을", "를"),
    "이(가)": ("이", "가"),
    "은(는)": ("은", "는"),
    "와(과)": ("과", "와"),
}


def _josa(text: str) -> str:
    """The right particle after a filled-in word: 감속기를, 금형을 (a template writes 을(를));
    after a Latin letter or a bracket the double form stays, as forms print it."""
    for double, (after_consonant, after_vowel) in _PARTICLES.items():
        start = text.find(double)
        while start > 0:
            last = text[start - 1]
            if "가" <= last <= "힣":
                final = (ord(last) - ord("가")) % 28
                text = (
                    text[:start]
                    + (after_consonant if final else after_vowel)
                    + text[start + len(double) :]
                )
            start = text.find(double, start + 1)
    return text


def _squash(text: str, rng: random.Random) -> str:
    """A hurried writer's missing spaces in one sentence (the engine must cope)."""
    words = text.split(" ")
    if len(words) < 4:
        return text
    start = rng.randrange(len(words) - 2)
    return " ".join([*words[:start], "".join(words[start : start + 3]), *words[start + 3 :]])


def _write(
    world: World, need: dict[str, Any], slots: dict[str, str], source: str, rng: random.Random
) -> tuple[str, str, str]:
    words = world.words
    title = _fill(rng.choice(need["titles"]), slots)
    body = _fill(rng.choice(need["descriptions"]), slots)
    help_wanted = _fill(rng.choice(need["helps"]), slots)
    intro = _fill(rng.choice(words["intros"]), slots)
    if rng.random() < 0.1:
        body = _squash(body, rng)
    if source == "activity":
        description = rng.choice(words["activity_prefixes"]) + body
        if rng.random() < 0.4:
            description += " " + help_wanted
            help_wanted = ""
    elif source == "import":
        description = rng.choice(words["import_prefixes"]) + intro + body
    else:
        description = intro + body
        if rng.random() < 0.25:  # a firm that writes its request into the description
            description += " " + help_wanted
            others = [h for h in need["helps"] if _fill(h, slots) != help_wanted]
            help_wanted = _fill(rng.choice(others), slots) if others and rng.random() < 0.4 else ""
    return title[:200], description, help_wanted


# --- generation ------------------------------------------------------------------------------


class Generator:
    def __init__(self, world: World, count: int) -> None:
        self.world = world
        self.count = count
        self.seed = world.seed
        self.needs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for need in world.words["needs"]:
            self.needs[need["category"]].append(need)
        self.problems: list[ProblemPlan] = []
        self.projects: list[ProjectPlan] = []

    # problems

    def _need(self, rng: random.Random, category: str) -> dict[str, Any]:
        options = self.needs[category]
        weights = [0.4 if n.get("misleading") else 1.0 for n in options]
        return rng.choices(options, weights=weights)[0]

    def _problem(
        self,
        index: int,
        firm: Firm,
        rng: random.Random,
        *,
        need_key: str | None = None,
        category: str | None = None,
        submitted_at: dt.datetime | None = None,
        fate: str | None = None,
        source: str | None = None,
        forced: dict[str, Any] | None = None,
    ) -> ProblemPlan | None:
        world = self.world
        place = world.places.get(firm.complex_id)
        if place is None:
            return None
        if need_key is not None:
            need = next(n for n in world.words["needs"] if n["key"] == need_key)
        else:
            need = self._need(rng, category or _weighted(rng, CATEGORY_WEIGHTS))
        source = source or _weighted(rng, SOURCES)
        activity_id = None
        when = submitted_at or _submitted(rng)
        if source == "activity":
            held = world.activities.get(place.hub.pk, [])
            if held:
                activity_id, when = rng.choice(held)
            else:
                source = "web"
        slots = _slots(world, firm, rng)
        title, description, help_wanted = _write(world, need, slots, source, rng)
        if fate is None:
            fate = _weighted(rng, FATES)
            if firm.employees > 300 and rng.random() < 0.6:
                fate = "reject_early"
        return ProblemPlan(
            index=index,
            firm=firm,
            place=place,
            need=need,
            slots=slots,
            intended=need["category"],
            source=source,
            activity_id=activity_id,
            submitted_at=when,
            title=title,
            description=description,
            help_wanted=help_wanted,
            urgency=_weighted(rng, world.words["urgency"]),
            fate=fate,
            forced=forced or {},
        )

    def draw_problems(self) -> None:
        world = self.world
        rng = rng_for(self.seed, "support", "problems")
        company = world.firm_by_pk.get(world.users.company_org or 0)
        if company is not None and company.complex_id in world.places:
            story = (
                (
                    "prototype",
                    dt.datetime(YEAR, 4, 12, 10, 20),
                    "project",
                    {"project": "completed"},
                ),
                ("defects", dt.datetime(YEAR, 8, 23, 14, 5), "project", {"project": "in_progress"}),
                ("buyers", dt.datetime(YEAR, 11, 15, 9, 40), "stay", {"match": True}),
                ("cnc_cad", dt.datetime(YEAR, 12, 27, 16, 30), "stay", {"untriaged": True}),
            )
            for key, when, fate, forced in story:
                plan = self._problem(
                    len(self.problems),
                    company,
                    rng,
                    need_key=key,
                    submitted_at=when.replace(tzinfo=KST),
                    fate=fate,
                    source="web",
                    forced={**forced, "company": True},
                )
                if plan is not None:
                    self.problems.append(plan)
        earlier: list[tuple[Firm, str]] = []
        while len(self.problems) < self.count and world.firms:
            category = None
            if earlier and rng.random() < REUSE_FIRM:
                # The same firm again, half the time with the same kind of need (the
                # duplicate-funding check has something to find).
                firm, same = rng.choice(earlier)
                category = same if rng.random() < 0.5 else None
            elif world.larger and (not world.small or rng.random() > SMALL_SHARE):
                firm = rng.choice(world.larger)
            else:
                firm = rng.choice(world.small)
            plan = self._problem(len(self.problems), firm, rng, category=category)
            if plan is not None:
                self.problems.append(plan)
                earlier.append((firm, plan.intended))
        self.problems.sort(key=lambda p: (p.submitted_at, p.index))

    # triage suggestions

    def suggest(self) -> None:
        from sandan.support.selectors import triage_for_year
        from sandan.support.text import morphemes, stored_analysis

        engine = triage_for_year(self.world.year)
        texts = list(dict.fromkeys(plan.text for plan in self.problems))
        cache: dict[str, Any] = {}
        for start in range(0, len(texts), ANALYSIS_CHUNK):
            chunk = texts[start : start + ANALYSIS_CHUNK]
            # The Korean analysis is most of the cost and Kiwi releases the GIL: analyse the
            # chunk on two threads into the analyser's cache (the text as the engine
            # normalises it), then the engine's own calls find it there.
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(
                    pool.map(
                        morphemes, [unicodedata.normalize("NFKC", text).strip() for text in chunk]
                    )
                )
            for text in chunk:
                # Kept with the problem, as services.problem_fields does (ADR 0010).
                cache[text] = (engine.suggest(text), stored_analysis(text))
        for plan in self.problems:
            found, plan.analysis = cache[plan.text]
            # As services.suggest_for_text stores it: a category of the year, the confidence
            # clamped to [0, 1] and rounded, at most 12 evidence words.
            if found.code in self.world.categories:
                confidence = float(found.confidence)
                confidence = 0.0 if math.isnan(confidence) else min(1.0, max(0.0, confidence))
                plan.suggested = found.code
                plan.confidence = round(confidence, 4)
                plan.evidence = [str(word) for word in found.evidence][:12]
                plan.runner_up = next(
                    (str(code) for code, _score in found.ranking if code != found.code), ""
                )

    # the pipeline

    def simulate(self) -> None:
        words = self.world.words
        for plan in self.problems:
            rng = rng_for(self.seed, "support", "life", plan.index)
            delay = _lognormal_days(rng, 2.0, 0.8)
            triaged = _after(plan.submitted_at, delay, rng)
            if plan.forced.get("untriaged") or (
                plan.submitted_at.month == 12 and rng.random() < BACKLOG
            ):  # the year-end backlog: not yet triaged on 31 December
                triaged = AS_OF + dt.timedelta(days=3)
            if plan.fate == "reject_early":
                when = _after(plan.submitted_at, rng.uniform(1, 6), rng)
                if when <= AS_OF:
                    plan.status = Problem.Status.REJECTED
                    plan.closed_at = when
                    plan.close_reason = rng.choice(words["reject_reasons"])
                continue
            if triaged > AS_OF:
                continue
            if plan.fate == "refer_untriaged":
                self._refer(plan, triaged, rng)
                continue
            # Triage: the coordinator confirms the suggestion, or chooses what the firm meant.
            plan.category = plan.intended
            if (
                plan.confidence is not None
                and plan.confidence < UNSURE
                and plan.runner_up in self.world.categories
                and rng.random() < 0.3
            ):  # an ambiguous statement: the coordinator's judgment differs from the engine's
                plan.category = plan.runner_up if plan.suggested == plan.intended else plan.intended
            plan.triaged_at = triaged
            plan.status = Problem.Status.TRIAGED
            if plan.suggested and plan.suggested != plan.category:
                plan.triage_note = rng.choice(words["override_notes"])
            if plan.fate == "reject_late":
                when = _after(triaged, rng.uniform(3, 20), rng)
                if when <= AS_OF:
                    plan.status = Problem.Status.REJECTED
                    plan.closed_at = when
                    plan.close_reason = rng.choice(words["reject_reasons"][1:])
                continue
            if plan.fate == "refer":
                self._refer(plan, _after(triaged, rng.uniform(1, 10), rng), rng)
                continue
            if plan.fate == "withdraw":
                when = _after(triaged, rng.uniform(5, 40), rng)
                if when <= AS_OF:
                    self._close(plan, when, rng.choice(words["close_reasons"][1:3]))
                continue
            needs_expert = plan.fate in ("mentoring",) or rng.random() < (
                0.8 if plan.fate == "project" else 0.7
            )
            if plan.forced.get("match") or plan.forced.get("project"):
                needs_expert = True
            if needs_expert:
                matched = _after(triaged, rng.uniform(1, 8), rng)
                if matched > AS_OF:
                    continue
                plan.matched_at = matched
                plan.status = Problem.Status.MATCHED
                plan.two_experts = rng.random() < 0.2
            if plan.fate == "mentoring":
                assert plan.matched_at is not None
                when = _after(plan.matched_at, rng.uniform(25, 90), rng)
                if when <= AS_OF:
                    self._close(plan, when, words["close_reasons"][0])
                continue

    def _close(self, plan: ProblemPlan, when: dt.datetime, reason: str) -> None:
        plan.status = Problem.Status.CLOSED
        plan.closed_at = when
        plan.resolved_at = plan.resolved_at or when
        plan.close_reason = reason

    def _refer(self, plan: ProblemPlan, when: dt.datetime, rng: random.Random) -> None:
        if when > AS_OF:
            return
        kind = _weighted(rng, PARTNER_KINDS)
        agency = (
            self.world.partner(rng, [Organisation.Kind.AGENCY], plan.place, kind)
            if kind != "other"
            else None
        )
        texts = self.world.words["referrals"][kind]
        referral = ReferralPlan(
            partner_kind=kind,
            agency_id=agency.pk if agency is not None else None,
            note=rng.choice(texts["notes"]),
            referred_at=when,
            status=Referral.Status.SENT,
            outcome="",
            closed_at=None,
        )
        plan.referral = referral
        plan.status = Problem.Status.REFERRED
        accepted = _after(when, rng.uniform(2, 10), rng)
        if accepted > AS_OF:
            return
        if rng.random() < 0.12:
            referral.status = Referral.Status.DECLINED
            referral.closed_at = accepted
            referral.outcome = rng.choice(texts["declined"])
            plan.status = Problem.Status.TRIAGED if plan.category else Problem.Status.SUBMITTED
            return
        referral.status = Referral.Status.ACCEPTED
        done = _after(accepted, rng.uniform(15, 70), rng)
        if done > AS_OF:
            return
        if rng.random() < 0.07:
            referral.status = Referral.Status.DECLINED
            referral.closed_at = done
            referral.outcome = rng.choice(texts["declined"])
            plan.status = Problem.Status.TRIAGED if plan.category else Problem.Status.SUBMITTED
            return
        referral.status = Referral.Status.COMPLETED
        referral.closed_at = done
        referral.outcome = rng.choice(texts["outcomes"])
        self._close(plan, done, "협력기관 연계로 지원 완료")

    # projects

    def plan_projects(self) -> None:
        words = self.world.words
        ready = [
            p
            for p in self.problems
            if p.fate == "project"
            and p.status in (Problem.Status.TRIAGED, Problem.Status.MATCHED)
            and p.place.hub is not None
        ]
        # Problems ready for a project, by category (and hub), in the order they got ready.
        by_category: dict[str, list[ProblemPlan]] = defaultdict(list)
        by_hub: dict[tuple[str, int], list[ProblemPlan]] = defaultdict(list)
        for plan in sorted(ready, key=lambda p: (p.ready_at, p.index)):
            by_category[plan.category].append(plan)
            by_hub[plan.category, plan.place.hub.pk].append(plan)
        taken: set[int] = set()
        for lead in ready:
            if lead.index in taken:
                continue
            rng = rng_for(self.seed, "support", "project", lead.index)
            taken.add(lead.index)
            created = _after(lead.ready_at, rng.uniform(3, 15), rng)
            members = [lead]
            if rng.random() < LINKAGE and not lead.forced:
                # A linkage project takes in problems of the same category that got ready
                # in the meantime: of the hub's other complexes (산단간) if there are any,
                # else of other zones (광역권간).
                for pool in (by_hub[lead.category, lead.place.hub.pk], by_category[lead.category]):
                    low = bisect.bisect_left([p.ready_at for p in pool], lead.ready_at)
                    window = [
                        other
                        for other in pool[low:]
                        if other.ready_at < created
                        and other.index not in taken
                        and not other.forced
                        and other.place.complex_id != lead.place.complex_id
                        and other.firm.pk != lead.firm.pk
                    ]
                    if window:
                        rng.shuffle(window)
                        for other in window[: rng.choice((1, 1, 2))]:
                            if other.firm.pk not in {m.firm.pk for m in members}:
                                members.append(other)
                                taken.add(other.index)
                        break
            if created > AS_OF:
                continue
            self._project(members, created, rng, words)

    def _project(
        self,
        members: list[ProblemPlan],
        created: dt.datetime,
        rng: random.Random,
        words: dict[str, Any],
    ) -> None:
        lead = members[0]
        need = lead.need
        kind = rng.choice(need["types"])
        zones = {m.place.zone_id for m in members}
        complexes = {m.place.complex_id for m in members}
        scope = (
            Project.Scope.INTER_ZONE
            if len(zones) > 1
            else Project.Scope.INTER_COMPLEX
            if len(complexes) > 1
            else Project.Scope.SINGLE_COMPLEX
        )
        title = _fill(rng.choice(need["projects"]), lead.slots)
        if scope != Project.Scope.SINGLE_COMPLEX:
            title = f"[연계] {title}"
        summary = _fill(rng.choice(need["summaries"]), lead.slots)
        low, high = words["durations"][kind]
        forced = lead.forced.get("project")
        submitted = _after(created, rng.uniform(5, 20), rng)
        approved = _after(submitted, rng.uniform(5, 15), rng)
        started = _after(approved, rng.uniform(3, 10), rng)
        start_date = _day(approved) + dt.timedelta(days=rng.randint(5, 12))
        end_date = start_date + dt.timedelta(days=rng.randint(low, high))
        if forced == "completed":
            end_date = min(end_date, dt.date(YEAR, 11, 26))
            end_date = max(end_date, start_date + dt.timedelta(days=30))
        completed = _working(_at(end_date, 17, rng.randint(0, 50)), rng)
        if forced == "in_progress" and completed <= AS_OF:
            end_date = dt.date(YEAR + 1, 3, 31)
            completed = _at(end_date, 17)
        project = ProjectPlan(
            problems=members,
            type=kind,
            title=title,
            summary=summary,
            scope=scope,
            created=created,
            status=Project.Status.DRAFT,
            start_date=start_date,
            end_date=end_date,
        )
        stages = [
            (submitted, Project.Status.SUBMITTED),
            (approved, Project.Status.APPROVED),
            (started, Project.Status.IN_PROGRESS),
            (completed, Project.Status.COMPLETED),
        ]
        # Cancelled while draft (0), submitted (1), approved (2) or in progress (3).
        cancel_at = rng.randrange(4) if not forced and rng.random() < CANCEL else -1
        moments: dict[str, dt.datetime] = {Project.Status.DRAFT: created}
        for number, (when, status) in enumerate(stages):
            if number == cancel_at:  # instead of the next step, a reason to stop
                cancelled = _after(moments[project.status], rng.uniform(5, 30), rng)
                if cancelled <= AS_OF:
                    project.cancelled_from = project.status
                    project.status = Project.Status.CANCELLED
                    project.cancelled_at = cancelled
                    project.cancel_reason = rng.choice(words["cancel_reasons"])
                break
            if when > AS_OF:
                break
            project.status = status
            moments[status] = when
        project.submitted_at = moments.get(Project.Status.SUBMITTED)
        project.approved_at = moments.get(Project.Status.APPROVED)
        project.started_at = moments.get(Project.Status.IN_PROGRESS)
        project.completed_at = moments.get(Project.Status.COMPLETED)
        if project.status == Project.Status.DRAFT and rng.random() < 0.4:
            project.start_date = project.end_date = None  # the plan is not written yet
        for member in members:
            member.project = project
        self.projects.append(project)

    def settle_problems(self) -> None:
        """The problems' status as the project services leave it (approve → in project,
        start → started clock, complete → closed; a cancelled one gives them back)."""
        for project in self.projects:
            for plan in project.problems:
                if project.status in (Project.Status.APPROVED, Project.Status.IN_PROGRESS):
                    plan.status = Problem.Status.IN_PROJECT
                    plan.project_started_at = project.started_at
                elif project.status == Project.Status.COMPLETED:
                    assert project.completed_at is not None
                    plan.status = Problem.Status.CLOSED
                    plan.project_started_at = project.started_at
                    plan.resolved_at = plan.closed_at = project.completed_at
                    plan.close_reason = ""

    # experts

    def assign_experts(self) -> None:
        from sandan.support.matching import Case, Matcher, ksic2_of, profiles_from_queryset

        experts = (
            Expert.objects.filter(is_active=True)
            .select_related("affiliation")
            .prefetch_related("industries__parent__parent__parent__parent")
            .order_by("name_ko", "email", "id")
        )
        profiles = profiles_from_queryset(experts)
        if not profiles:
            for plan in self.problems:  # nobody to assign: the problems stay triaged
                if plan.matched_at is not None:
                    plan.matched_at = None
                    if plan.status == Problem.Status.MATCHED:
                        plan.status = Problem.Status.TRIAGED
            return
        matcher = Matcher(profiles)
        affiliation = {int(p.id): p.affiliation_id for p in profiles}
        sections = dict(
            Industry.objects.filter(level=Industry.Level.DIVISION).values_list(
                "code", "parent__code"
            )
        )
        for plan in self.problems:
            if plan.matched_at is None:
                continue
            rng = rng_for(self.seed, "support", "experts", plan.index)
            division = plan.firm.division
            case = Case(
                text=plan.text,
                category=plan.category,
                ksic2=ksic2_of(division, sections.get(division)) if division else "",
                firm_organisation_id=str(plan.firm.pk),
            )
            ranked = matcher.rank(case, k=5)
            if not ranked:
                continue
            picks = [ranked[0] if rng.random() < 0.7 else rng.choice(ranked[:3])]
            if plan.two_experts and len(ranked) > 1:
                second = next(m for m in ranked if m.expert_id != picks[0].expert_id)
                picks.append(second)
            for number, match in enumerate(picks):
                plan.experts.append(
                    Assigned(
                        expert_id=int(match.expert_id),
                        score=round(float(match.score), 4),
                        explanation=match.explanation,
                        assigned_at=plan.matched_at
                        if number == 0
                        else min(AS_OF, plan.matched_at + dt.timedelta(hours=rng.uniform(1, 6))),
                    )
                )
        for plan in self.problems:  # no expert found: the problem stays triaged
            if plan.matched_at is not None and not plan.experts:
                plan.matched_at = None
                if plan.status == Problem.Status.MATCHED:
                    plan.status = Problem.Status.TRIAGED
        self._demo_expert(affiliation)

    def _demo_expert(self, affiliation: dict[int, str | None]) -> None:
        """The demo expert takes cases of the coordinator's office (and the demo company's
        matched problem), most of them still open."""
        users = self.world.users
        expert = users.expert
        if expert is None:
            return
        own = affiliation.get(expert)
        office = users.coordinator_office
        candidates = [
            p
            for p in self.problems
            if p.experts
            and (p.place.office_id == office or p.forced.get("company"))
            and str(p.firm.pk) != own
        ]
        open_ = [
            p for p in candidates if p.status in (Problem.Status.MATCHED, Problem.Status.IN_PROJECT)
        ]
        closed = [p for p in candidates if p.status == Problem.Status.CLOSED]
        chosen = [p for p in open_ if p.forced.get("company")]
        chosen += [p for p in reversed(open_) if p not in chosen][: EXPERT_CASES - 2]
        chosen += list(reversed(closed))[: EXPERT_CASES - len(chosen)]
        for plan in chosen:
            if any(a.expert_id == expert for a in plan.experts):
                continue
            first = plan.experts[0]
            first.expert_id = expert
            first.score = None
            first.explanation = "코디네이터 지정 배정"

    def settle_assignments(self) -> None:
        for plan in self.problems:
            rng = rng_for(self.seed, "support", "assignment", plan.index)
            if len(plan.experts) > 1 and rng.random() < 0.15:
                first = plan.experts[0]
                ended = _after(first.assigned_at, rng.uniform(5, 20), rng)
                if ended <= AS_OF:
                    first.status = ExpertAssignment.Status.WITHDRAWN
                    first.ended_at = ended
                    first.withdrawn = True
            if plan.status == Problem.Status.CLOSED:
                for assigned in plan.experts:
                    if not assigned.withdrawn:
                        assigned.status = ExpertAssignment.Status.COMPLETED
                        assigned.ended_at = plan.closed_at

    # project details

    def detail_projects(self) -> None:
        world = self.world
        words = world.words
        profiles = dict(
            Expert.objects.filter(
                pk__in={a.expert_id for p in self.problems for a in p.experts}
            ).values_list("pk", "affiliation_id")
        )
        for number, project in enumerate(self.projects):
            rng = rng_for(self.seed, "support", "detail", project.lead.index, number)
            for plan in project.problems:
                if plan.firm.pk not in project.firms:
                    project.firms.append(plan.firm.pk)
            for plan in project.problems:
                for assigned in plan.experts:
                    if (
                        assigned.withdrawn
                        or assigned.expert_id in project.experts
                        or profiles.get(assigned.expert_id) in project.firms
                    ):
                        continue
                    project.experts.append(assigned.expert_id)
            place = project.lead.place
            if project.type in ("joint_rnd", "prototype") and rng.random() < 0.7:
                partner = world.partner(
                    rng, [Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE], place
                )
                if partner is not None:
                    project.others.append((partner.pk, partner.kind))
            if project.type in ("joint_rnd", "prototype", "marketing") and rng.random() < 0.15:
                partner = world.partner(rng, [Organisation.Kind.AGENCY], place, "technopark")
                if partner is not None and partner.pk not in {o for o, _r in project.others}:
                    project.others.append((partner.pk, Organisation.Kind.AGENCY))
            if project.status != Project.Status.DRAFT or rng.random() < 0.5:
                self._budget(project, rng, words)
            if project.start_date is not None and project.end_date is not None:
                self._milestones(project, rng, words)

    def _budget(self, project: ProjectPlan, rng: random.Random, words: dict[str, Any]) -> None:
        low, high = words["budgets"][project.type]
        total = rng.randint(low // 100_000, high // 100_000) * 100_000
        share = rng.uniform(0.2, 0.42)
        firm_total = math.ceil(total * share / 10_000) * 10_000
        while 5 * firm_total < total:  # the 2010 rule: the firms pay at least 20 %
            firm_total += 10_000
        grant = total - firm_total
        lead = project.firms[0]
        project.budget.append(
            (
                BudgetLine.Kind.PUBLIC_GRANT,
                grant,
                lead if rng.random() < 0.6 else None,
                "정부지원금(클러스터사업)",
            )
        )
        others = project.firms[1:]
        in_kind = 0
        if rng.random() < 0.6:
            in_kind = (firm_total * rng.randint(20, 50) // 100) // 10_000 * 10_000
        shares_of_others = [max(10_000, firm_total // 10 // 10_000 * 10_000) for _f in others]
        cash = firm_total - in_kind - sum(shares_of_others)
        if cash <= 0:
            in_kind, shares_of_others = 0, [0 for _f in others]
            cash = firm_total
        project.budget.append((BudgetLine.Kind.FIRM_CASH, cash, lead, "주관기업 현금 부담"))
        if in_kind:
            project.budget.append(
                (BudgetLine.Kind.FIRM_IN_KIND, in_kind, lead, "연구 인력·설비 현물")
            )
        for firm, amount in zip(others, shares_of_others, strict=True):
            if amount:
                project.budget.append((BudgetLine.Kind.FIRM_CASH, amount, firm, "참여기업 부담"))

    def _milestones(self, project: ProjectPlan, rng: random.Random, words: dict[str, Any]) -> None:
        assert project.start_date is not None and project.end_date is not None
        steps = words["milestones"][project.type]
        span = (project.end_date - project.start_date).days
        for number, (title, deliverable) in enumerate(steps, start=1):
            due = project.start_date + dt.timedelta(days=span * number // len(steps))
            done: dt.datetime | None = None
            if project.status == Project.Status.COMPLETED:
                assert project.completed_at is not None
                done = min(_working(_at(due, 16), rng), project.completed_at)
            elif project.status == Project.Status.IN_PROGRESS or (
                project.status == Project.Status.CANCELLED
                and project.cancelled_from == Project.Status.IN_PROGRESS
            ):
                moment = _working(_at(due, 16), rng)
                limit = project.cancelled_at or AS_OF
                if moment <= limit and (project.started_at is None or moment > project.started_at):
                    done = moment
            project.milestones.append((title, due, deliverable, done))


# --- duplicate-funding flags -----------------------------------------------------------------


@dataclass
class FlagPlan:
    project: ProjectPlan
    kind: str
    organisation: int
    other: ProjectPlan | None
    similarity: float | None
    detail: str
    overridden_by: Any = None
    override_reason: str = ""
    overridden_at: dt.datetime | None = None


def _project_text(project: ProjectPlan) -> str:
    return "\n".join([project.title, project.summary, *(p.text for p in project.problems)])


def duplicate_flags(world: World, projects: Sequence[ProjectPlan]) -> list[FlagPlan]:
    """What the duplicate-funding check (services.duplicate_flags) finds at each approval
    (overridden there, with a reason) and, for projects still waiting, when the coordinator
    ran it on submission (left open)."""
    from sandan.support.services import text_similarity

    cap = int(world.year.rule("firm_grant_cap_krw") or 100_000_000)
    threshold = float(world.year.rule("duplicate_similarity_threshold") or 0.5)
    checks: list[tuple[dt.datetime, ProjectPlan, bool]] = []
    for project in projects:
        if project.approved_at is not None:
            checks.append((project.approved_at, project, True))
        elif project.status == Project.Status.SUBMITTED and project.submitted_at is not None:
            checks.append((project.submitted_at, project, False))
    checks.sort(key=lambda item: (item[0], item[1].lead.index))
    funded: list[ProjectPlan] = []
    flags: list[FlagPlan] = []
    names = {f.pk: f.name for f in world.firms}
    reasons = world.words["duplicate_reasons"]
    for when, project, approving in checks:
        found: list[FlagPlan] = []
        others = [o for o in funded if set(o.firms) & set(project.firms)]
        similarity: dict[int, float] = {}
        if others:
            matrix = text_similarity([_project_text(project)] + [_project_text(o) for o in others])
            similarity = {id(o): float(matrix[0, i + 1]) for i, o in enumerate(others)}
        category = project.lead.category
        for firm in project.firms:
            for other in others:
                if firm not in other.firms:
                    continue
                if other.lead.category == category:
                    found.append(
                        FlagPlan(
                            project,
                            DuplicateFlag.Kind.SAME_CATEGORY,
                            firm,
                            other,
                            None,
                            f"{names.get(firm, firm)}은(는) 같은 해 같은 분야"
                            f"({world.categories[category].name_ko})의 과제 "
                            f"'{other.title}'을(를) 이미 지원받고 있습니다.",
                        )
                    )
                score = similarity.get(id(other), 0.0)
                if score >= threshold:
                    found.append(
                        FlagPlan(
                            project,
                            DuplicateFlag.Kind.SIMILAR_TEXT,
                            firm,
                            other,
                            round(score, 4),
                            f"{names.get(firm, firm)}의 과제 '{other.title}'와(과) 내용이 매우 "
                            f"비슷합니다(유사도 {score:.2f}).",
                        )
                    )
        own = project.grants()
        for firm in project.firms:
            before = sum(o.grants().get(firm, 0) for o in others if firm in o.firms)
            if own.get(firm) and before + own[firm] > cap:
                found.append(
                    FlagPlan(
                        project,
                        DuplicateFlag.Kind.OVER_CAP,
                        firm,
                        None,
                        None,
                        f"{names.get(firm, firm)}의 {YEAR}년 정부지원금이 이 과제를 더하면 "
                        f"{before + own[firm]:,}원으로 한도 {cap:,}원을 넘습니다.",
                    )
                )
        for flag in found:
            if approving:
                flag.overridden_by = world.approver_of(project.lead.place.hub.zone_id)
                flag.override_reason = reasons[flag.kind]
                flag.overridden_at = when
        flags.extend(found)
        if approving:
            funded.append(project)
    return flags


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
    from sandan.support.models import ProblemAttachment, ProjectDocument

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
