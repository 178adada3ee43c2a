"""The councils of 2005–2009 and of program year 2010."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction

from sandan.councils.models import Activity, Council, Membership
from sandan.councils.services import (
    add_member,
    change_council_status,
    end_membership,
)
from sandan.demo.base import AUDIT_SOURCE, apportion, rng_for
from sandan.demo.councils.activities import (
    ActivityDraft,
    _activity_row,
    _attendees,
    _draft_activities,
    _write_activities,
)
from sandan.demo.councils.members import _build_council, _pick_firms, _weekday
from sandan.demo.councils.pools import CouncilPlan, Member, World, _division, _org_key
from sandan.demo.councils.themes import (
    DIVISION_THEMES,
    EARLY_ACTIVITIES,
    EARLY_THEMES,
    FIRST_SEVEN,
    LAST_ACTIVITY_YEAR,
    SECOND_WAVE_YEAR,
    TECHNOLOGY_THEMES_2010,
    Theme,
    _i,
)
from sandan.demo.registry.complexes import find_original
from sandan.demo.registry.scales import ORIGINALS, Original
from sandan.program.models import Designation
from sandan.registry.models import Complex, Organisation

# --- the 2005–2009 era -----------------------------------------------------------------------


def _early_hubs() -> list[tuple[Original, Complex, dict[int, Designation]]]:
    found = []
    for original in ORIGINALS:
        complex_ = find_original(original)
        if complex_ is None:
            continue
        hubs = {
            d.program_year.year: d
            for d in Designation.objects.filter(
                complex=complex_, role="hub", program_year__year__range=(2005, 2009)
            ).select_related("program_year", "complex__province")
        }
        found.append((original, complex_, hubs))
    return found


def early_councils_exist() -> bool:
    return Council.objects.filter(hub__program_year__year__range=(2005, 2009)).exists()


def load_early_era(
    world: World, *, activities: int = EARLY_ACTIVITIES, scale: float = 1.0
) -> tuple[list[CouncilPlan], int, int]:
    """The 54 councils of 2005–2009 and their activities of 2005–2008."""
    seed = world.seed
    plans: list[CouncilPlan] = []
    batch = f"demo-councils-{seed}-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        for original, complex_, hubs in _early_hubs():
            since = 2005 if ORIGINALS.index(original) < FIRST_SEVEN else SECOND_WAVE_YEAR
            firms = world.firms(complex_.pk)
            themes = EARLY_THEMES[ORIGINALS.index(original)]
            for number, theme in enumerate(themes):
                rng = rng_for(seed, "early-council", original.label, theme.name)
                year = since if number < max(2, len(themes) - 2) else min(since + 1, 2008)
                if since == 2005 and number == len(themes) - 1:
                    year = 2007
                hub = hubs.get(year) or hubs[min(hubs)]
                founded = _weekday(
                    dt.date(hub.program_year.year, rng.randint(3, 6), rng.randint(1, 28))
                )
                founders = round(rng.randint(12, 24) * scale)
                plans.append(
                    _build_council(
                        world,
                        hub=hub,
                        label=original.label,
                        theme=theme,
                        founded=founded,
                        firms=firms,
                        rng=rng,
                        founders=max(founders, 12),
                        joiners=round(rng.randint(3, 12) * scale),
                        ends=dt.date(LAST_ACTIVITY_YEAR, 12, 19),
                        sido=original.sido,
                        batch=batch,
                        description=(
                            f"{original.label} 산업단지 {theme.name} 분야 기업과 대학·연구소가 "
                            f"모인 산학연협의체({hub.program_year.year}년 결성)."
                        ),
                    )
                )
        _merge_two(plans, seed)
        counts = _early_activities(world, plans, activities, batch)
    return plans, *counts


def _merge_two(plans: list[CouncilPlan], seed: int) -> None:
    """Two councils merge in 2008 into a sibling of the same complex (their members leave
    on that day and join the sibling)."""
    pairs = [("반월·시화", "표면처리", "금형"), ("구미", "모바일", "디스플레이")]
    by_name = {(p.label, p.theme.name): p for p in plans}
    for label, merged, into in pairs:
        source, target = by_name.get((label, merged)), by_name.get((label, into))
        if source is None or target is None:
            continue
        if source.council.status != "active" or target.council.status != "active":
            continue
        rng = rng_for(seed, "merge", label, merged)
        day = _weekday(dt.date(2008, rng.randint(6, 9), rng.randint(1, 28)))
        target_orgs = {m.organisation.pk for m in target.members}
        for member in source.members:
            if member.left_on is None or member.left_on > day:
                membership = Membership.objects.get(
                    council=source.council,
                    organisation=member.organisation,
                    joined_on=member.joined_on,
                )
                end_membership(
                    None,
                    membership,
                    max(day, member.joined_on),
                    reason=f"{target.council.name}(으)로 통합",
                    source=AUDIT_SOURCE,
                )
                member.left_on = max(day, member.joined_on)
            if member.organisation.pk not in target_orgs and member.organisation.kind == "company":
                next_day = _weekday(day + dt.timedelta(days=1))
                add_member(
                    None,
                    council=target.council,
                    organisation=member.organisation,
                    joined_on=next_day,
                    source=AUDIT_SOURCE,
                    note=f"{source.council.name}에서 통합",
                )
                target.members.append(Member(member.organisation, next_day, None, "member"))
                target_orgs.add(member.organisation.pk)
        source.council = change_council_status(
            None,
            source.council,
            Council.Status.MERGED,
            merged_into=target.council,
            reason=f"{day.isoformat()} {target.council.name}(으)로 통합",
            source=AUDIT_SOURCE,
        )
        source.ends = day


def _early_activities(
    world: World, plans: Sequence[CouncilPlan], total: int, batch: str
) -> tuple[int, int]:
    """`total` activities spread over the councils' months of 2005–2008."""
    spans: list[tuple[CouncilPlan, dt.date, dt.date]] = []
    for plan in plans:
        if plan.council.status not in ("active", "merged"):
            continue
        start = plan.founded + dt.timedelta(days=14)
        if start < plan.ends:
            spans.append((plan, start, plan.ends))
    weights = [
        (end - start).days * rng_for(world.seed, "vigour", plan.council.name).uniform(0.7, 1.3)
        for plan, start, end in spans
    ]
    counts = apportion(total, weights)
    drafts: list[ActivityDraft] = []
    for (plan, start, end), count in zip(spans, counts, strict=True):
        rng = rng_for(world.seed, "early-activities", plan.label, plan.theme.name)
        drafts.extend(_draft_activities(world, plan, count, start, end, rng))
    return _write_activities(drafts, batch=batch)


# --- program year 2010 -----------------------------------------------------------------------


def councils_2010_exist() -> bool:
    return Council.objects.filter(hub__program_year__year=2010).exists()


def _hub_label(complex_: Complex) -> str:
    for original in ORIGINALS:
        if complex_.name_ko in (original.name, original.real_name):
            return original.label
    name = complex_.name_ko
    for suffix in ("국가산업단지", "일반산업단지", "산업단지", "농공단지", "국가", "일반"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


def _themes_2010(firms: Sequence[Organisation], rng: random.Random, count: int) -> list[Theme]:
    by_division: dict[str, int] = defaultdict(int)
    for firm in firms:
        if _division(firm) in DIVISION_THEMES:
            by_division[_division(firm)] += 1
    ranked = sorted(by_division, key=lambda d: (-by_division[d], d))
    themes = [_i(DIVISION_THEMES[d], d) for d in ranked[:count]]
    extra = list(TECHNOLOGY_THEMES_2010)
    rng.shuffle(extra)
    while len(themes) < count and extra:
        themes.append(extra.pop())
    return themes


def load_2010(
    world: World,
    *,
    activities_per_council: tuple[int, int] = (8, 16),
    today: dt.date,
    scale: float = 1.0,
) -> tuple[list[CouncilPlan], int, int]:
    seed = world.seed
    hubs = list(
        Designation.objects.filter(program_year__year=2010, role="hub")
        .select_related("complex__province", "program_year")
        .order_by("complex__kicox_id")
    )
    linked: dict[int, list[int]] = defaultdict(list)
    for hub_id, complex_id in Designation.objects.filter(
        program_year__year=2010, role="linked"
    ).values_list("hub_id", "complex_id"):
        linked[hub_id].append(complex_id)
    plans: list[CouncilPlan] = []
    batch = f"demo-councils-2010-{seed}-{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        for hub in hubs:
            complex_ = hub.complex
            label = _hub_label(complex_)
            rng = rng_for(seed, "hub-2010", complex_.kicox_id)
            own = world.firms(complex_.pk)
            others = [
                f for cid in sorted(linked[hub.pk], key=lambda c: c) for f in world.firms(cid)
            ]
            others.sort(key=_org_key)
            total = len(own) + len(others)
            count = max(2, min(5, 2 + total // 400))
            for theme in _themes_2010([*own, *others], rng, count):
                trng = rng_for(seed, "council-2010", complex_.kicox_id, theme.name)
                founders = max(12, round(trng.randint(14, 30) * scale))
                # Two in three firms from the hub complex, the rest from its linked ones.
                from_hub = _pick_firms(own, theme, trng, round(founders * 2 / 3))
                from_linked = _pick_firms(others, theme, trng, founders - len(from_hub))
                joiners = round(trng.randint(2, 8) * scale)
                chosen = [*from_hub, *from_linked]
                picked = set(chosen)
                rest = _pick_firms([*own, *others], theme, trng, founders + joiners + len(chosen))
                chosen += [f for f in rest if f not in picked][:joiners]
                founded = _weekday(dt.date(2010, trng.randint(3, 4), trng.randint(1, 28)))
                plans.append(
                    _build_council(
                        world,
                        hub=hub,
                        label=label,
                        theme=theme,
                        founded=founded,
                        firms=[*own, *others],
                        preferred=chosen,
                        rng=trng,
                        founders=founders,
                        joiners=joiners,
                        ends=dt.date(2010, 12, 17),
                        sido=complex_.province.short_ko,
                        batch=batch,
                        description=(
                            f"{complex_.province.zone.name_ko} 거점단지 {complex_.name_ko}의 "
                            f"{theme.name} 협의체. 연계단지 기업이 함께 참여합니다."
                        ),
                    )
                )
        drafts: list[ActivityDraft] = []
        upcoming_rng = rng_for(seed, "upcoming-2010")
        for number, plan in enumerate(plans):
            if plan.council.status != "active":
                continue
            rng = rng_for(seed, "activities-2010", plan.council.name)
            count = rng.randint(*activities_per_council)
            start = plan.founded + dt.timedelta(days=10)
            drafts.extend(_draft_activities(world, plan, count, start, plan.ends, rng))
            if number % 3 == 0 or plan.label == "창원":
                drafts.extend(_upcoming(world, plan, today, upcoming_rng))
        counts = _write_activities(drafts, batch=batch)
    return plans, *counts


def _upcoming(
    world: World, plan: CouncilPlan, today: dt.date, rng: random.Random
) -> list[ActivityDraft]:
    """One or two planned activities in the coming six weeks (the first within three days
    for 창원's councils, so the reminder command has something to send), with registrations;
    all within today's program year (to 31 December), the only one the world has."""
    out = []
    last = dt.date(today.year, 12, 31)
    for index in range(rng.choice((1, 1, 2))):
        near = plan.label == "창원" and index == 0
        span = max(1, (last - today).days)
        ahead = rng.randint(1, 2) if near else rng.randint(min(4, span), min(42, span))
        day = _weekday(today + dt.timedelta(days=ahead))
        if near and (day - today).days > 3:
            day = today + dt.timedelta(days=1)
        if day > last:
            continue
        kind = rng.choice(("seminar", "forum", "discovery", "exchange"))
        row = _activity_row(plan, kind, day, 90 + index, rng, Activity.Status.PLANNED)
        attendees = _attendees(world, plan, kind, day, rng, status=Activity.Status.PLANNED)
        registered = attendees[: max(1, len(attendees) // 2)]
        out.append(ActivityDraft(plan, row, registered))
    return out
