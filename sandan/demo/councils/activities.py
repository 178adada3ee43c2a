"""Networking activities and their attendance, drafted then written in bulk."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sandan.councils.models import Activity, Attendance
from sandan.demo.councils.members import _insert, _weekday
from sandan.demo.councils.pools import CouncilPlan, Person, World
from sandan.demo.councils.themes import (
    ATTENDEES,
    FOREIGN_CLUSTERS,
    GENERAL_PROBLEMS,
    GENERAL_TOPICS,
    HOLIDAYS,
    KIND_WEIGHTS,
    KINDS,
    MONTH_WEIGHT,
    PROBLEMS,
    RESORTS,
    TOPICS,
    Theme,
)
from sandan.registry.models import Organisation

# --- activities and attendance ---------------------------------------------------------------


@dataclass
class ActivityDraft:
    plan: CouncilPlan
    row: dict[str, Any]
    attendees: list[tuple[Organisation, Person, str]]  # organisation, person, status


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    for _attempt in range(20):
        day = start + dt.timedelta(days=rng.randint(0, max(0, span)))
        weight = MONTH_WEIGHT.get(day.month, 1.0 if day.month < 12 else 0.8)
        if day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS and rng.random() < weight:
            return day
    return _weekday(start)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _topic(rng: random.Random, theme: Theme) -> str:
    own = [t for d in theme.firm_divisions for t in TOPICS.get(d, ())]
    return rng.choice(own) if own and rng.random() < 0.7 else rng.choice(GENERAL_TOPICS)


def _activity_row(
    plan: CouncilPlan, kind: str, day: dt.date, number: int, rng: random.Random, status: str
) -> dict[str, Any]:
    council, label, theme = plan.council, plan.label, plan.theme
    topic = _topic(rng, theme)
    short = council.name.removesuffix(" 미니클러스터")
    office = f"{label} 클러스터추진단 회의실"
    if kind == "seminar":
        title = f"{theme.name} 기술 세미나: {topic}"
        start, hours = _at(day, rng.choice((14, 15))), 2
        place = rng.choice([office, f"{label} 기업지원센터 세미나실", *plan.host_places[-2:]])
        agenda = f"1. 개회 및 참석자 소개\n2. 주제 발표: {topic}\n3. 질의응답\n4. 회원사 동향 공유"
    elif kind == "forum":
        title = f"제{number}회 {short} 포럼: {topic}"
        start, hours = _at(day, rng.choice((10, 16))), 3
        place = rng.choice((f"{label} 비즈니스센터 대강당", f"{label} 상공회의소 대회의실"))
        agenda = (
            f"1. 개회사 (회장사)\n2. 기조 강연: {topic}\n3. 사례 발표 (회원사 2곳)\n"
            "4. 종합 토론\n5. 네트워킹 만찬"
        )
    elif kind == "discovery":
        title = f"{day.year}년 {short} 과제발굴 회의 ({topic})"
        start, hours = _at(day, rng.choice((10, 14, 16))), 2
        place = rng.choice([office, *plan.host_places])
        agenda = (
            "1. 회원사 애로사항 청취\n2. 지원 가능 과제 검토 (전문가 의견)\n"
            "3. 과제 신청 대상 선정\n4. 후속 일정"
        )
    elif kind == "workshop":
        title = f"{day.year}년 {short} 회원사 워크숍"
        start, hours = _at(day, 13), 23  # overnight
        place = rng.choice(RESORTS)
        agenda = f"1. 연간 활동 보고\n2. 분과별 토의\n3. 특강: {topic}\n4. 차년도 사업 계획 협의"
    elif kind == "exchange":
        host = rng.choice(plan.host_places) if plan.host_places else office
        title = f"{host.split(' ')[0]} 현장 기술교류회: {topic}"
        start, hours = _at(day, 14), 3
        place = host.replace("회의실", "공장").replace("세미나실", "실험실")
        agenda = f"1. 현장 견학\n2. 기술 발표: {topic}\n3. 공동 개발 아이템 논의"
    else:
        city, cluster = rng.choice(FOREIGN_CLUSTERS)
        title = f"{city} {cluster} 교류 방문"
        start, hours = _at(day, 9), 24 * rng.choice((2, 3, 4)) + 8
        place = city
        agenda = f"1. {cluster} 현황 설명\n2. 기업 간 1:1 상담\n3. 현지 기업·연구소 방문"
    problems = 0
    note = ""
    if status == Activity.Status.HELD and kind in ("discovery", "forum", "exchange"):
        problems = rng.randint(1, 6) if kind == "discovery" else rng.randint(0, 2)
        pool = [p for d in theme.firm_divisions for p in PROBLEMS.get(d, ())] + list(
            GENERAL_PROBLEMS
        )
        note = ", ".join(rng.sample(pool, min(problems, len(pool))))
    minutes = ""
    if status == Activity.Status.HELD:
        minutes = (
            f"{topic}에 대해 논의함. "
            + (f"애로과제 {problems}건 접수, 전문가 연계 예정. " if problems else "")
            + "다음 모임 일정은 회장사와 협의하여 안내함."
        )
    return {
        "council_id": council.pk,
        "kind": kind,
        "title": title[:200],
        "status": status,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=hours),
        "place": place[:200],
        "organiser_id": next((m.organisation.pk for m in plan.members if m.role == "chair"), None),
        "agenda": agenda,
        "minutes": minutes,
        "problems_raised": problems,
        "problems_note": note,
    }


def _attendees(
    world: World,
    plan: CouncilPlan,
    kind: str,
    day: dt.date,
    rng: random.Random,
    *,
    status: str,
    scale: float = 1.0,
) -> list[tuple[Organisation, Person, str]]:
    least, most = ATTENDEES[kind]
    wanted = max(1, round(rng.randint(least, most) * scale))
    current = [m for m in plan.members if m.current(day)]
    officers = [m.organisation for m in current if m.role in ("chair", "vice_chair")]
    others = [m.organisation for m in current if m.role not in ("chair", "vice_chair")]
    rng.shuffle(others)
    invited = list(plan.invited)
    rng.shuffle(invited)
    n_invited = min(len(invited), round(wanted * rng.uniform(0.05, 0.2)))
    orgs = [*officers, *others][: max(0, wanted - n_invited)] + invited[:n_invited]
    out: list[tuple[Organisation, Person, str]] = []
    for org in orgs:
        people = world.people.of(org)
        how_many = 2 if org in officers and rng.random() < 0.3 else 1
        for who in people[:how_many] if how_many > 1 else [rng.choice(people[:2])]:
            state: str = Attendance.Status.REGISTERED
            if status != Activity.Status.PLANNED:
                state = Attendance.Status.ATTENDED if rng.random() < 0.93 else "absent"
            out.append((org, who, state))
    return out


def _draft_activities(
    world: World,
    plan: CouncilPlan,
    count: int,
    start: dt.date,
    end: dt.date,
    rng: random.Random,
    *,
    status: str = Activity.Status.HELD,
    forum_number: list[int] | None = None,
) -> list[ActivityDraft]:
    numbers = forum_number if forum_number is not None else [0]
    drafts: list[ActivityDraft] = []
    days = sorted(_random_day(rng, start, end) for _n in range(count))
    for day in days:
        kind = rng.choices(KINDS, weights=KIND_WEIGHTS, k=1)[0]
        if kind == "forum":
            numbers[0] += 1
        row = _activity_row(plan, kind, day, numbers[0], rng, status)
        drafts.append(
            ActivityDraft(plan, row, _attendees(world, plan, kind, day, rng, status=status))
        )
    return drafts


def _activity_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["council_id"], row["starts_at"], row["title"])


def _write_activities(drafts: Sequence[ActivityDraft], *, batch: str) -> tuple[int, int]:
    """Activities, then their attendance, on the fast path (one audit entry per row).

    The rows are valid by construction (kinds and statuses from the model's choices, ends
    after starts, attendees of the council's members and invited organisations); the
    database constraints guard the rest.
    """
    if not drafts:
        return 0, 0
    keys: set[tuple[Any, ...]] = set()
    for draft in drafts:  # (council, start, title) identifies a new row: keep it unique
        while _activity_key(draft.row) in keys:
            draft.row["starts_at"] += dt.timedelta(minutes=30)
            draft.row["ends_at"] += dt.timedelta(minutes=30)
        keys.add(_activity_key(draft.row))
    created = _insert(
        Activity,
        [dict(d.row) for d in drafts],
        key=("council_id", "starts_at", "title"),
        describe=lambda v: str(v["title"]),
        batch=batch,
    )
    rows: list[dict[str, Any]] = []
    for draft in drafts:
        activity_pk = created[_activity_key(draft.row)]
        seen: set[tuple[int, str]] = set()
        for org, who, state in draft.attendees:
            key = (org.pk, who.name)
            if key in seen:
                continue
            seen.add(key)
            rows.append(
                {
                    "activity_id": activity_pk,
                    "organisation_id": org.pk,
                    "person_name": who.name,
                    "person_title": who.title,
                    "email": who.email,
                    "status": state,
                }
            )
    _insert(
        Attendance,
        rows,
        key=("activity_id", "organisation_id", "person_name"),
        describe=lambda v: f"{v['person_name']} ({v['activity_id']}:{v['organisation_id']})",
        batch=batch,
    )
    return len(created), len(rows)
