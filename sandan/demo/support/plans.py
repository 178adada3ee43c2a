"""Plans of problems and projects, and the helpers of time and text that fill them."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandan.demo.support.world import AS_OF, KST, MONTH_WEIGHTS, YEAR, Firm, Place, World
from sandan.support.models import (
    BudgetLine,
    ExpertAssignment,
    Problem,
    Project,
)

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
    """A moment of intake in the year, in office hours, before the day the world is as of."""
    while True:
        month = rng.choices(range(1, 13), weights=MONTH_WEIGHTS)[0]
        day = rng.randint(1, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
        when = dt.datetime(YEAR, month, day, rng.randint(8, 18), rng.randint(0, 59), tzinfo=KST)
        when = _working(when, rng)
        if when < AS_OF:
            return when


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
