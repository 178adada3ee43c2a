"""Demo data of the councils: the 2005–2009 era and program year 2010.

* 2005–2009: the 54 councils (미니클러스터) of the 12 original complexes, each on the hub
  designation of the year it was founded (the first seven complexes from 2005, the other
  five from 2008); firms of the complex as members (the chair firm, vice-chairs), one or
  more nearby universities or institutes, a technopark as advisor, sub-groups, and about
  15,000 networking activities in 2005–2008 with attendance (organisation, person, title).
  Two councils merge into a sibling in 2008.
* 2010: 2–5 councils per hub designation, themed by the main KSIC divisions of the firms of
  the hub and its linked complexes (firms of the linked complexes join the hub's councils),
  their activities from April to December 2010, and a few planned ones in the coming weeks
  (counted from the day of loading) with registrations, for the calendar and the reminders.
* ``--scale national`` then tops the attendance up to 2,000,000 rows (the benchmark).

Every council, membership, status change and sub-group goes through `councils.services`
(validated and audited one by one); activities and attendance through the bulk services
(`bulk_create_activities`, `bulk_record_attendance`: one audit entry per row, one batch per
step). The national top-up is benchmark load: its 1.8 million rows are written with
`core.io.fast_insert` (COPY on PostgreSQL) and audited as one entry per activity (the
attendance count before and after, under one batch), not one per row — a per-row log
would double the load for rows nobody edits.

Same seed → same data: every choice comes from `rng_for(seed, stable key)`, and every list
is sorted by natural keys (names, business numbers), never by primary keys. Running it
again adds nothing: each part is skipped when its councils exist already.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from sandan.councils.models import Activity, Attendance, Council, Membership
from sandan.councils.services import (
    add_member,
    change_council_status,
    create_council,
    create_subgroup,
    end_membership,
)
from sandan.program.models import Designation
from sandan.registry import demo_data as words
from sandan.registry.demo import ORIGINALS, Original, apportion, find_original, person, rng_for
from sandan.registry.models import Complex, Industry, Organisation, Province

EARLY_ACTIVITIES = 15_000
NATIONAL_ATTENDANCE = 2_000_000
AUDIT_SOURCE = "demo"
FIRST_SEVEN = 7
SECOND_WAVE_YEAR = 2008
LAST_ACTIVITY_YEAR = 2008  # the era's activities: 2005–2008


# --- themes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    name: str  # as in the council's name: 창원 {name} 미니클러스터
    division: str  # KSIC division of an industry theme; "" for a technology theme
    technology: str = ""  # the technology of a technology theme
    divisions: tuple[str, ...] = ()  # the divisions its firms come from (default: division)

    @property
    def firm_divisions(self) -> tuple[str, ...]:
        return self.divisions or ((self.division,) if self.division else ())


def _i(name: str, division: str, *more: str) -> Theme:
    return Theme(name, division, divisions=(division, *more))


def _t(name: str, technology: str, *divisions: str) -> Theme:
    return Theme(name, "", technology, divisions)


# The councils of the 12 original complexes (54 in all), in the order of demo.ORIGINALS.
EARLY_THEMES: tuple[tuple[Theme, ...], ...] = (
    (  # 창원
        _t("메카트로닉스", "메카트로닉스", "29", "26", "28"),
        _i("공작기계", "29"),
        _i("자동차부품", "30", "25"),
        _i("전기전자", "28", "26"),
        _i("금형·정밀가공", "25"),
        _t("지능형로봇", "지능형 로봇", "29", "26"),
    ),
    (  # 울산
        _i("자동차", "30", "25"),
        _i("조선해양", "31", "25", "29"),
        _i("정밀화학", "20", "22"),
        _t("환경·에너지", "환경·에너지", "28", "20"),
        _i("기계부품", "29", "25"),
    ),
    (  # 구미
        _t("모바일", "모바일 융합", "26"),
        _i("디스플레이", "26"),
        _i("전자의료기기", "27", "26"),
        _i("부품소재", "25", "22", "24"),
        _t("메카트로닉스", "메카트로닉스", "29", "26"),
        _t("신재생에너지", "태양광·신재생에너지", "28", "26"),
    ),
    (  # 반월·시화
        _i("금형", "25"),
        _t("표면처리", "도금·표면처리", "25", "24"),
        _i("기계부품", "29", "25"),
        _i("전기전자", "26", "28"),
        _i("화학소재", "20", "22"),
        _t("바이오", "바이오·식품", "21", "10"),
    ),
    (  # 광주
        _t("광산업", "광통신·LED", "27", "26", "28"),
        _i("전자정보", "26"),
        _i("자동차부품", "30", "25"),
        _i("금형", "25", "22"),
        _t("디지털가전", "디지털 가전", "28", "26"),
    ),
    (  # 원주
        _i("의료기기", "27"),
        _t("재활·헬스케어", "재활·헬스케어 기기", "27", "26"),
        _t("의료부품소재", "의료기기 부품소재", "25", "22", "27"),
    ),
    (  # 군산
        _i("자동차부품", "30", "25"),
        _i("기계", "29", "25"),
        _i("조선기자재", "31", "25"),
        _t("풍력·에너지", "풍력·신재생에너지", "28", "29"),
    ),
    (  # 남동
        _i("기계", "29"),
        _i("전기전자", "26", "28"),
        _i("금속가공", "25", "24"),
        _t("화학·소재", "화학·고분자 소재", "20", "22"),
        _i("자동차부품", "30", "25"),
    ),
    (  # 명지·녹산
        _i("조선기자재", "31", "25", "29"),
        _i("자동차부품", "30", "25"),
        _i("기계부품", "29", "25"),
        _t("신발·섬유", "신발·섬유 소재", "15", "13", "22"),
    ),
    (  # 성서
        _i("섬유", "13", "14"),
        _i("자동차부품", "30", "25"),
        _t("기계금속", "기계·금속", "29", "24", "25"),
        _i("전자", "26", "28"),
    ),
    (  # 대불
        _i("조선기자재", "31", "25"),
        _t("선박블록", "선박 블록 제작", "31", "24", "25"),
        _i("기계", "29", "25"),
    ),
    (  # 오창
        _t("바이오", "바이오 의약", "21", "10", "20"),
        _i("반도체·전자부품", "26"),
        _t("IT융합", "IT 융합", "26", "28", "27"),
    ),
)
EARLY_COUNCILS = sum(len(themes) for themes in EARLY_THEMES)  # 54

# Short theme names of KSIC divisions, for the 2010 councils.
DIVISION_THEMES: dict[str, str] = {
    "10": "식품",
    "11": "음료",
    "13": "섬유",
    "14": "의류·패션",
    "15": "신발·피혁",
    "17": "제지·포장",
    "20": "화학소재",
    "21": "바이오·제약",
    "22": "고무·플라스틱",
    "23": "세라믹",
    "24": "금속소재",
    "25": "금속가공·금형",
    "26": "전자부품",
    "27": "의료·정밀기기",
    "28": "전기·에너지",
    "29": "기계",
    "30": "자동차부품",
    "31": "조선해양",
    "32": "가구",
    "33": "생활용품",
}
TECHNOLOGY_THEMES_2010: tuple[Theme, ...] = (
    _t("스마트공장", "스마트공장·생산자동화", "29", "26", "25"),
    _t("그린에너지", "그린에너지·에너지 절감", "28", "20"),
    _t("IT융합", "IT 융합", "26", "28"),
)

# --- words -----------------------------------------------------------------------------------

TOPICS: dict[str, tuple[str, ...]] = {
    "10": ("식품 HACCP 인증 대응", "식품 포장 기술", "농식품 수출 위생 규격"),
    "13": ("산업용 섬유 개발", "염색 폐수 저감", "기능성 원단 시장"),
    "14": ("패션 브랜드 마케팅", "봉제 공정 자동화"),
    "15": ("신발 소재 경량화", "신발 부품 글로벌 소싱"),
    "20": ("정밀화학 공정 안전", "화학물질 등록(REACH) 대응", "고기능 소재 개발"),
    "21": ("바이오 의약품 GMP", "바이오 소재 상용화", "임상시험 지원 제도"),
    "22": ("사출 성형 불량 저감", "고무 배합 설계", "플라스틱 재활용 기술"),
    "24": ("주조 결함 저감", "열처리 품질 관리", "비철금속 소재 가공"),
    "25": ("금형 수명 향상", "프레스 공정 불량 저감", "표면처리 품질", "정밀가공 자동화"),
    "26": ("디스플레이 부품 수율 향상", "모바일 부품 소형화", "반도체 장비 국산화", "PCB 공정"),
    "27": ("의료기기 인허가(KFDA)", "정밀 계측 교정", "광학 부품 설계", "LED 응용 제품"),
    "28": ("전력기기 효율 향상", "LED 조명 모듈", "2차전지 소재", "풍력 부품"),
    "29": ("공작기계 열변위 보정", "유압 부품 국산화", "CNC 공정 최적화", "로봇 응용 자동화"),
    "30": ("경량 차체 부품", "전장부품 신뢰성", "완성차 협력사 품질 인증", "친환경차 부품"),
    "31": ("조선 기자재 국산화", "선박 블록 용접 자동화", "해양플랜트 기자재"),
}
GENERAL_TOPICS: tuple[str, ...] = (
    "수출 마케팅 전략",
    "기술 보호와 특허 출원",
    "정부 지원사업 설명",
    "원가 절감 사례",
    "전문 인력 양성과 채용",
    "에너지 절감",
    "품질 인증(ISO/TS 16949)",
    "FTA 활용 전략",
    "생산성 향상 혁신 사례",
    "기업 자금 조달",
)
PROBLEMS: dict[str, tuple[str, ...]] = {
    "25": ("금형 마모로 인한 치수 불량", "도금 폐수 처리 비용", "프레스 소음·진동"),
    "26": ("수율 저하 원인 분석", "신뢰성 시험 장비 부족", "납기 단축 요구"),
    "27": ("의료기기 인증 절차 지연", "임상 자료 확보", "교정 장비 부족"),
    "28": ("전력 효율 시험 설비 부족", "KC 인증 비용", "원자재 가격 상승"),
    "29": ("가공 정밀도 편차", "설계 해석 인력 부족", "부품 국산화 시험"),
    "30": ("완성차 품질 감사 대응", "경량화 소재 가공", "금형 개발비 부담"),
    "31": ("용접 불량", "선급 인증 비용", "대형 부품 운송"),
    "20": ("유해물질 관리 규제 대응", "공정 안전 진단", "시제품 분석 비용"),
    "22": ("사출 성형 기포 불량", "원료 배합비 최적화", "금형 온도 관리"),
}
GENERAL_PROBLEMS: tuple[str, ...] = (
    "해외 바이어 발굴",
    "시험·인증 비용 부담",
    "전문 인력 부족",
    "운전 자금 부족",
    "특허 출원 비용",
    "생산 공정 자동화",
    "카탈로그·홈페이지 제작",
    "현장 작업자 교육",
)
FOREIGN_CLUSTERS: tuple[tuple[str, str], ...] = (
    ("독일 슈투트가르트", "바덴뷔르템베르크 자동차 클러스터"),
    ("일본 나고야", "도카이 제조업 클러스터"),
    ("중국 쑤저우", "쑤저우 공업원구"),
    ("미국 디트로이트", "미시간 자동차 클러스터"),
    ("프랑스 소피아앙티폴리스", "소피아앙티폴리스 과학단지"),
    ("핀란드 오울루", "오울루 테크노폴리스"),
    ("스웨덴 시스타", "시스타 사이언스시티"),
    ("베트남 하노이", "탕롱 공업단지"),
)
RESORTS: tuple[str, ...] = (
    "경주 현대호텔",
    "부산 해운대 그랜드호텔",
    "대전 유성호텔",
    "용평리조트",
    "여수 디오션리조트",
    "제주 라마다호텔",
    "양평 블룸비스타",
)
SUBGROUPS: tuple[tuple[str, str], ...] = (
    ("기술개발 분과", "공동 기술개발 과제 기획과 정부 R&D 과제 신청"),
    ("마케팅·수출 분과", "공동 전시회 참가, 해외 바이어 상담, 카탈로그 제작"),
    ("품질·생산성 분과", "불량 저감과 공정 개선 사례 공유, 품질 인증 대응"),
    ("인력양성 분과", "재직자 교육과정 기획, 대학 연계 채용"),
)
PERSON_TITLES: dict[str, tuple[str, ...]] = {
    "company": (
        "대표이사",
        "전무이사",
        "상무이사",
        "이사",
        "공장장",
        "기술연구소장",
        "부장",
        "차장",
        "과장",
        "품질팀장",
        "생산팀장",
        "책임연구원",
    ),
    "university": ("교수", "부교수", "조교수", "산학협력단 팀장", "산학협력중점교수"),
    "institute": ("책임연구원", "선임연구원", "수석연구원", "센터장", "연구원"),
    "agency": ("팀장", "과장", "책임연구원", "주무관", "본부장"),
}
KINDS = ("seminar", "forum", "discovery", "workshop", "exchange", "international")
KIND_WEIGHTS = (28, 12, 33, 7, 17, 3)
ATTENDEES = {  # (least, most) people at an activity of each kind
    "seminar": (14, 32),
    "forum": (25, 55),
    "discovery": (6, 14),
    "workshop": (14, 28),
    "exchange": (8, 20),
    "international": (5, 12),
}
MONTH_WEIGHT = {1: 0.6, 2: 0.8, 3: 1.1, 4: 1.1, 5: 1.1, 6: 1.1, 7: 1.0, 8: 0.6}
HOLIDAYS = {(1, 1), (3, 1), (5, 5), (6, 6), (8, 15), (10, 3), (12, 25)}


# --- summary ---------------------------------------------------------------------------------


@dataclass
class CouncilsDemoSummary:
    councils_early: int = 0
    councils_2010: int = 0
    memberships: int = 0
    activities: int = 0
    attendance: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"councils: {self.councils_early} in 2005–2009, {self.councils_2010} in 2010; "
            f"{self.memberships:,} memberships, {self.activities:,} activities, "
            f"{self.attendance:,} attendance rows"
        ]
        if self.timings:
            out.append(
                "councils timings: "
                + ", ".join(f"{label} {seconds:.1f} s" for label, seconds in self.timings)
            )
        return out


# --- the pools the generator draws from ------------------------------------------------------


@dataclass
class Person:
    name: str
    title: str
    email: str = ""


@dataclass
class Member:
    organisation: Organisation
    joined_on: dt.date
    left_on: dt.date | None
    role: str

    def current(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


@dataclass
class CouncilPlan:
    council: Council
    label: str  # the complex's short name, for titles and places
    theme: Theme
    founded: dt.date
    ends: dt.date  # the last day of its activities
    members: list[Member]
    invited: list[Organisation]  # attend without being members
    host_places: list[str]


def _org_key(org: Organisation) -> tuple[str, str, str]:
    return (org.kind, org.name_ko, org.business_number or "")


def _division(org: Organisation) -> str:
    code = org.industry.code if org.industry is not None else ""
    return code[:2]


class People:
    """A few stable people per organisation (the first is its contact), made on demand."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._pools: dict[tuple[str, str, str], list[Person]] = {}

    def of(self, org: Organisation) -> list[Person]:
        key = _org_key(org)
        pool = self._pools.get(key)
        if pool is None:
            rng = rng_for(self.seed, "people", *key)
            titles = PERSON_TITLES.get(org.kind, PERSON_TITLES["agency"])
            pool = []
            if org.contact_name:
                pool.append(Person(org.contact_name, rng.choice(titles), org.contact_email))
            names = {p.name for p in pool}
            while len(pool) < 3:
                name, _local = person(rng)
                if name not in names:
                    names.add(name)
                    pool.append(Person(name, rng.choice(titles)))
            self._pools[key] = pool
        return pool


def _institutions() -> dict[str, list[Organisation]]:
    """Universities, institutes and agencies by the province (short name) of the word lists."""
    where: dict[str, str] = {}
    for name, _en, sido, _sigungu, _domain in (
        *words.UNIVERSITIES,
        *words.INSTITUTES,
        *words.TECHNOPARKS,
        *words.LOCAL_GOVERNMENTS,
    ):
        where[name] = sido
    by_province: dict[str, list[Organisation]] = defaultdict(list)
    for org in Organisation.objects.exclude(kind=Organisation.Kind.COMPANY).order_by(
        "kind", "name_ko", "id"
    ):
        found = where.get(org.name_ko)
        if found is None:  # zone committees and support groups: by the address' province
            found = next(
                (s for s, full in words.PROVINCE_FULL_2009.items() if full in org.address), ""
            )
        by_province[found].append(org)
    return by_province


class World:
    """What the generator reads from the registry once."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.people = People(seed)
        self.institutions = _institutions()
        self.industries = {
            i.code: i for i in Industry.objects.filter(level=Industry.Level.DIVISION)
        }
        self.zone_of_province = dict(Province.objects.values_list("short_ko", "zone__code"))
        self.company_placed: set[int] = set()  # program years where the company user joined
        self._firms: dict[int, list[Organisation]] = {}
        self.coordinator, self.coordinator_office = _coordinator()
        self.company_user_org = _company_user_organisation()

    def firms(self, complex_id: int) -> list[Organisation]:
        found = self._firms.get(complex_id)
        if found is None:
            found = list(
                Organisation.objects.filter(complex_id=complex_id, kind=Organisation.Kind.COMPANY)
                .select_related("industry")
                .order_by("business_number", "name_ko", "id")
            )
            self._firms[complex_id] = found
        return found

    def academia(self, sido: str, rng: random.Random, k: int) -> list[Organisation]:
        """k universities or institutes of the province, else of its zone, else anywhere."""
        kinds = (Organisation.Kind.UNIVERSITY, Organisation.Kind.INSTITUTE)
        zone = self.zone_of_province.get(sido)
        tiers = [
            [o for o in self.institutions.get(sido, []) if o.kind in kinds],
            [
                o
                for s, orgs in sorted(self.institutions.items())
                if s != sido and zone and self.zone_of_province.get(s) == zone
                for o in orgs
                if o.kind in kinds
            ],
            [o for _s, orgs in sorted(self.institutions.items()) for o in orgs if o.kind in kinds],
        ]
        chosen: list[Organisation] = []
        for tier in tiers:
            pool = [o for o in tier if o not in chosen]
            rng.shuffle(pool)
            chosen.extend(pool[: k - len(chosen)])
            if len(chosen) >= k:
                break
        return chosen

    def agencies(self, sido: str) -> list[Organisation]:
        return [o for o in self.institutions.get(sido, []) if o.kind == Organisation.Kind.AGENCY]


def _coordinator() -> tuple[Any, int | None]:
    from sandan.accounts.models import Membership as Grant

    grant = (
        Grant.objects.filter(user__username="coordinator", role="coordinator", is_active=True)
        .select_related("user")
        .first()
    )
    if grant is None:
        return None, None
    return grant.user, grant.office_id


def _company_user_organisation() -> Organisation | None:
    from sandan.accounts.models import Membership as Grant

    grant = (
        Grant.objects.filter(user__username="company", role="company_user", is_active=True)
        .select_related("organisation")
        .first()
    )
    return grant.organisation if grant is not None else None


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
    for 창원's councils, so the reminder command has something to send), with registrations."""
    out = []
    for index in range(rng.choice((1, 1, 2))):
        near = plan.label == "창원" and index == 0
        day = _weekday(today + dt.timedelta(days=rng.randint(1, 2) if near else rng.randint(4, 42)))
        if near and (day - today).days > 3:
            day = today + dt.timedelta(days=1)
        kind = rng.choice(("seminar", "forum", "discovery", "exchange"))
        row = _activity_row(plan, kind, day, 90 + index, rng, Activity.Status.PLANNED)
        attendees = _attendees(world, plan, kind, day, rng, status=Activity.Status.PLANNED)
        registered = attendees[: max(1, len(attendees) // 2)]
        out.append(ActivityDraft(plan, row, registered))
    return out


# --- the national top-up ---------------------------------------------------------------------


def top_up_attendance(
    world: World, target: int = NATIONAL_ATTENDANCE, *, progress: bool = False
) -> int:
    """Attendance up to `target` rows: more people of the members and invited organisations
    at every activity. Benchmark load: fast_insert (COPY on PostgreSQL), one audit entry
    per activity under one batch. Returns how many rows were added."""
    from django.contrib.contenttypes.models import ContentType

    from sandan.core.io import complete_values, fast_insert
    from sandan.core.models import AuditAction, AuditEntry

    have = Attendance.objects.count()
    if have >= target:
        return 0
    activities = list(
        Activity.objects.select_related("council")
        .order_by("council__name", "council__hub__complex__kicox_id", "starts_at", "title", "id")
        .values_list("pk", "council_id", "council__name", "starts_at", "title", "status")
    )
    if not activities:
        return 0
    members: dict[int, list[int]] = defaultdict(list)
    for council_id, org_id in (
        Membership.objects.order_by("council_id", "organisation__name_ko", "organisation_id")
        .values_list("council_id", "organisation_id")
        .distinct()
    ):
        if org_id not in members[council_id]:
            members[council_id].append(org_id)
    existing: dict[int, set[tuple[int, str]]] = defaultdict(set)
    for activity_id, org_id, name in Attendance.objects.values_list(
        "activity_id", "organisation_id", "person_name"
    ).iterator(chunk_size=20_000):
        existing[activity_id].add((org_id, name))
    shares = apportion(target - have, [1.0] * len(activities))
    now = timezone.now()
    batch = f"demo-national-attendance-{world.seed}-{uuid.uuid4().hex[:8]}"
    titles = PERSON_TITLES["company"]
    content_type_id = ContentType.objects.get_for_model(Activity).pk
    added = 0
    rows: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []

    def flush() -> None:
        fast_insert(Attendance, rows, batch_size=5000)
        fast_insert(AuditEntry, audits, batch_size=5000)
        rows.clear()
        audits.clear()

    with transaction.atomic():
        for (pk, council_id, council_name, starts_at, title, status), extra in zip(
            activities, shares, strict=True
        ):
            orgs = members.get(council_id) or []
            if not orgs or not extra:
                continue
            rng = rng_for(world.seed, "topup", council_name, starts_at.isoformat(), title)
            taken = existing[pk]
            state = "registered" if status == Activity.Status.PLANNED else "attended"
            before = len(taken)
            made = 0
            tries = 0
            while made < extra and tries < extra * 5:
                tries += 1
                org_id = orgs[rng.randrange(len(orgs))]
                name, _local = person(rng)
                if (org_id, name) in taken:
                    name = f"{name}{rng.randint(2, 99)}"
                    if (org_id, name) in taken:
                        continue
                taken.add((org_id, name))
                rows.append(
                    complete_values(
                        Attendance,
                        {
                            "activity_id": pk,
                            "organisation_id": org_id,
                            "person_name": name,
                            "person_title": rng.choice(titles),
                            "email": "",
                            "status": state,
                        },
                        now,
                    )
                )
                made += 1
            added += made
            audits.append(
                complete_values(
                    AuditEntry,
                    {
                        "actor_id": None,
                        "action": AuditAction.UPDATE,
                        "content_type_id": content_type_id,
                        "object_id": str(pk),
                        "object_repr": title[:255],
                        "changes": {"attendance_rows": [before, before + made]},
                        "source": AUDIT_SOURCE,
                        "batch": batch,
                        "reason": "national-scale benchmark attendance (bulk load)",
                    },
                    now,
                )
            )
            if len(rows) >= 100_000:
                flush()
        flush()
    return added


# --- entry point -----------------------------------------------------------------------------


def load_councils_demo(
    seed: int = 2010,
    scale: str = "2009",
    progress: bool = False,
    *,
    activities: int = EARLY_ACTIVITIES,
    activities_2010: tuple[int, int] = (8, 16),
    national_attendance: int = NATIONAL_ATTENDANCE,
    today: dt.date | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> CouncilsDemoSummary:
    """Councils, members, sub-groups, activities and attendance on top of the program demo.

    Each part runs only if its councils are missing, so a rerun adds nothing.
    """
    summary = CouncilsDemoSummary()
    started = time.perf_counter()
    world = World(seed)
    members_scale = 1.0
    if (
        not early_councils_exist()
        and Designation.objects.filter(program_year__year__range=(2005, 2009)).exists()
    ):
        load_early_era(world, activities=activities, scale=members_scale)
        summary.timings.append(("2005–2009", time.perf_counter() - started))
    step = time.perf_counter()
    if not councils_2010_exist() and Designation.objects.filter(program_year__year=2010).exists():
        load_2010(
            world,
            activities_per_council=activities_2010,
            today=today or timezone.localdate(),
            scale=members_scale,
        )
        summary.timings.append(("2010", time.perf_counter() - step))
    if scale == "national":
        step = time.perf_counter()
        added = top_up_attendance(world, national_attendance, progress=progress)
        if added:
            summary.timings.append(("national attendance", time.perf_counter() - step))
            log(f"attendance: {added:,} rows added for the national scale")
    summary.councils_early = Council.objects.filter(
        hub__program_year__year__range=(2005, 2009)
    ).count()
    summary.councils_2010 = Council.objects.filter(hub__program_year__year=2010).count()
    summary.memberships = Membership.objects.count()
    summary.activities = Activity.objects.count()
    summary.attendance = Attendance.objects.count()
    return summary


# --- fingerprint -----------------------------------------------------------------------------


def fingerprint() -> str:
    """SHA-256 over the councils' content by natural keys (no ids, no timestamps of writing)."""
    digest = hashlib.sha256()

    def feed(rows: Iterable[tuple[Any, ...]]) -> None:
        for row in rows:
            digest.update(repr(row).encode())

    feed(
        Council.objects.order_by(
            "hub__program_year__year", "hub__complex__kicox_id", "name"
        ).values_list(
            "hub__program_year__year",
            "hub__complex__kicox_id",
            "name",
            "theme_kind",
            "industry__code",
            "technology",
            "status",
            "merged_into__name",
        )
    )
    org_key = ("organisation__kind", "organisation__name_ko", "organisation__business_number")
    feed(
        Membership.objects.order_by(
            "council__hub__complex__kicox_id", "council__name", *org_key, "joined_on"
        ).values_list(
            "council__hub__program_year__year",
            "council__hub__complex__kicox_id",
            "council__name",
            *org_key,
            "role",
            "joined_on",
            "left_on",
            "annual_fee_krw",
        )
    )
    feed(
        Activity.objects.order_by(
            "council__hub__complex__kicox_id", "council__name", "starts_at", "title"
        ).values_list(
            "council__hub__complex__kicox_id",
            "council__name",
            "kind",
            "title",
            "status",
            "starts_at",
            "ends_at",
            "place",
            "problems_raised",
            "problems_note",
        )
    )
    feed(
        Attendance.objects.order_by(
            "activity__council__hub__complex__kicox_id",
            "activity__council__name",
            "activity__starts_at",
            "activity__title",
            *org_key,
            "person_name",
        )
        .values_list(
            "activity__council__name",
            "activity__starts_at",
            "activity__title",
            *org_key,
            "person_name",
            "person_title",
            "status",
        )
        .iterator(chunk_size=20_000)
    )
    return digest.hexdigest()


def delete_councils() -> None:
    """Remove every council row (attendance, activities, members, councils), children
    first; for tests that rebuild the world. Not a service: it writes no audit entries."""
    from sandan.councils.models import ActivityAttachment, ActivityReminder, SubGroup

    Attendance.objects.all().delete()
    ActivityReminder.objects.all().delete()
    ActivityAttachment.objects.all().delete()
    Activity.objects.all().delete()
    SubGroup.objects.all().delete()
    Membership.objects.all().delete()
    Council.objects.filter(merged_into__isnull=False).delete()
    Council.objects.all().delete()
