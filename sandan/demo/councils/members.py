"""Councils and their members, through the councils' services."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from typing import Any

from sandan.councils.models import Council, Membership
from sandan.councils.services import (
    change_council_status,
    create_council,
    create_subgroup,
)
from sandan.demo.base import AUDIT_SOURCE
from sandan.demo.councils.pools import CouncilPlan, Member, World, _division, _org_key
from sandan.demo.councils.themes import HOLIDAYS, SUBGROUPS, Theme
from sandan.program.models import Designation
from sandan.registry.models import Organisation

# --- councils and members --------------------------------------------------------------------


def _pick_firms(
    firms: Sequence[Organisation], theme: Theme, rng: random.Random, k: int
) -> list[Organisation]:
    """k firms, those of the theme's divisions first (in a seeded order), then others."""
    wanted = set(theme.firm_divisions)
    matching = [f for f in firms if _division(f) in wanted]
    others = [f for f in firms if _division(f) not in wanted]
    rng.shuffle(matching)
    rng.shuffle(others)
    return (matching + others)[:k]


def _fee(role: str, kind: str, year: int, rng: random.Random) -> int:
    if kind != Organisation.Kind.COMPANY:
        return 0
    if year >= 2010:
        return {"chair": 2_000_000, "vice_chair": 1_000_000}.get(
            role, rng.choice((300_000, 300_000, 500_000))
        )
    return {"chair": 1_000_000, "vice_chair": 500_000}.get(role, rng.choice((0, 100_000, 200_000)))


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5 or (day.month, day.day) in HOLIDAYS:
        day += dt.timedelta(days=1)
    return day


def _build_council(
    world: World,
    *,
    hub: Designation,
    label: str,
    theme: Theme,
    founded: dt.date,
    firms: Sequence[Organisation],
    rng: random.Random,
    founders: int,
    preferred: Sequence[Organisation] | None = None,
    joiners: int,
    ends: dt.date,
    sido: str,
    description: str,
    batch: str,
) -> CouncilPlan:
    """A council with its members through the services, active if the year's rule holds."""
    industry = world.industries.get(theme.division) if theme.division else None
    kind = Council.ThemeKind.INDUSTRY if industry is not None else Council.ThemeKind.TECHNOLOGY
    coordinator = (
        world.coordinator
        if world.coordinator is not None and hub.complex.office_id == world.coordinator_office
        else None
    )
    council = create_council(
        None,
        hub=hub,
        name=f"{label} {theme.name} 미니클러스터",
        theme_kind=kind,
        industry=industry,
        technology=theme.technology or theme.name,
        coordinator=coordinator,
        description=description,
        source=AUDIT_SOURCE,
    )
    wanted = founders + joiners
    chosen = list(preferred or [])[:wanted] or _pick_firms(firms, theme, rng, wanted)
    # The demo's company user belongs to one council of its complex in each program year.
    company_org = world.company_user_org
    if (
        company_org is not None
        and company_org in firms
        and hub.program_year_id not in world.company_placed
        and (_division(company_org) in theme.firm_divisions or label == "창원")
    ):
        world.company_placed.add(hub.program_year_id)
        if company_org not in chosen:
            chosen.insert(0, company_org)
    first, later = chosen[:founders], chosen[founders:]
    # The chair: the largest founding firm; then one or two vice-chairs.
    first.sort(key=lambda o: (-(o.employees or 0), _org_key(o)))
    members: list[Member] = []
    year = hub.program_year.year
    for index, org in enumerate(first):
        role = "chair" if index == 0 else "vice_chair" if index <= rng.choice((1, 2)) else "member"
        members.append(Member(org, founded, None, role))
    span = max(1, (ends - founded).days)
    for org in later:
        joined = _weekday(founded + dt.timedelta(days=rng.randint(30, max(31, span))))
        members.append(Member(org, min(joined, ends), None, "member"))
    # A few firms leave again, never so many that the council drops below the rule.
    leavers = [m for m in members if m.role == "member"]
    rng.shuffle(leavers)
    spare = max(0, len([m for m in members if m.joined_on == founded]) - 12)
    for member in leavers[: min(spare, rng.randint(0, 3))]:
        member.left_on = _weekday(
            member.joined_on + dt.timedelta(days=rng.randint(200, max(201, span)))
        )
        if member.left_on > ends:
            member.left_on = None
    academics = world.academia(sido, rng, rng.choice((1, 1, 2, 2, 3)))
    for org in academics:
        members.append(Member(org, founded, None, "member"))
    agencies = world.agencies(sido)
    if agencies and rng.random() < 0.6:
        members.append(Member(rng.choice(agencies), founded, None, "advisor"))
    # Members are valid by construction (firms of the hub and its linked complexes, one
    # chair, left after joined); the database constraints guard the rest.
    _insert(
        Membership,
        [
            {
                "council_id": council.pk,
                "organisation_id": member.organisation.pk,
                "joined_on": member.joined_on,
                "left_on": member.left_on,
                "role": member.role,
                "annual_fee_krw": _fee(member.role, member.organisation.kind, year, rng),
                "note": "",
            }
            for member in members
        ],
        key=("council_id", "organisation_id", "joined_on"),
        describe=lambda v: f"{v['council_id']}:{v['organisation_id']} {v['role']}",
        batch=batch,
    )
    if _rule_ok(council, founded):
        council = change_council_status(
            None, council, Council.Status.ACTIVE, on=founded, source=AUDIT_SOURCE
        )
        _subgroups(council, rng)
    member_ids = {m.organisation.pk for m in members}
    invited_firms = [f for f in firms if f.pk not in member_ids]
    rng.shuffle(invited_firms)
    invited = [
        *invited_firms[:8],
        *[o for o in world.academia(sido, rng, 4) if o.pk not in member_ids],
        *[o for o in agencies if o.pk not in member_ids][:3],
    ]
    hosts = [m.organisation for m in members if m.organisation.kind == "company"][:6]
    return CouncilPlan(
        council=council,
        label=label,
        theme=theme,
        founded=founded,
        ends=ends,
        members=members,
        invited=invited,
        host_places=[f"{org.name_ko} 회의실" for org in hosts]
        + [f"{org.name_ko} 세미나실" for org in academics[:2]],
    )


def _rule_ok(council: Council, on: dt.date) -> bool:
    from sandan.councils.selectors import rule_check

    return rule_check(council, on).ok and rule_check(council).ok


def _insert(
    model: type[Any],
    rows: list[dict[str, Any]],
    *,
    key: tuple[str, ...],
    describe: Callable[[dict[str, Any]], str],
    batch: str,
) -> dict[tuple[Any, ...], int]:
    """The importers' fast path (core.io.UpsertPlan): rows inserted in bulk, one audit
    entry per row under `batch`. Returns {natural key: pk}."""
    from sandan.core.io import UpsertPlan

    plan = UpsertPlan(model=model, key=key, describe=describe, creates=rows)
    return plan.write(actor=None, batch=batch, source=AUDIT_SOURCE, batch_size=5000)


def _subgroups(council: Council, rng: random.Random) -> None:
    memberships = list(
        Membership.objects.filter(council=council, left_on__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name_ko", "organisation__business_number", "id")
    )
    firms = [m for m in memberships if m.organisation.kind == "company"]
    if len(firms) < 12:
        return
    count = 1 if len(firms) < 20 else rng.choice((2, 2, 3))
    for name, description in rng.sample(SUBGROUPS, count):
        chosen = rng.sample(firms, min(len(firms), rng.randint(5, 12)))
        create_subgroup(
            None,
            council=council,
            name=name,
            description=description,
            leader=chosen[0].organisation,
            members=chosen,
            source=AUDIT_SOURCE,
        )
