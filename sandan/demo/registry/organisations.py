"""Companies, institutions and experts of the demo registry, as rows to import."""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sandan.demo import words
from sandan.demo.base import apportion, rng_for, weighted_choice
from sandan.registry.models import (
    Industry,
)
from sandan.registry.validators import business_check_digit, corporate_check_digit

ORGANISATION_COLUMNS = (
    "기관구분",
    "기관명",
    "영문명",
    "사업자등록번호",
    "법인등록번호",
    "업종코드",
    "종업원수",
    "단지코드",
    "시도",
    "주소",
    "담당자",
    "이메일",
    "전화",
)
ORG_KIND_KO = {"company": "기업", "university": "대학", "institute": "연구소", "agency": "지원기관"}


# --- organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrgRow:
    kind: str  # company / university / institute / agency
    name_ko: str
    name_en: str = ""
    business_number: str = ""
    corporate_number: str = ""
    industry: str = ""
    employees: int | None = None
    complex_code: str = ""
    province: str = ""  # where a body without a complex works (short name: 경남)
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""

    def cells(self) -> list[str]:
        return [
            ORG_KIND_KO[self.kind],
            self.name_ko,
            self.name_en,
            self.business_number,
            self.corporate_number,
            self.industry,
            "" if self.employees is None else str(self.employees),
            self.complex_code,
            self.province,
            self.address,
            self.contact_name,
            self.contact_email,
            self.contact_phone,
        ]


@dataclass(frozen=True)
class ComplexInfo:
    """What the organisation generator needs to know about an imported complex."""

    kicox_id: str
    kind: str  # model value (national, …)
    sido: str  # short Korean name
    sigungu: str
    name: str
    tenants: int


_SURNAME_CUM = list(itertools.accumulate(w for *_x, w in words.SURNAMES))


def person(rng: random.Random) -> tuple[str, str]:
    """(Korean name, romanised 'given.surname') of a made-up person."""
    surname = rng.choices(words.SURNAMES, cum_weights=_SURNAME_CUM, k=1)[0]
    given = rng.choice(words.GIVEN_NAMES)
    return surname[0] + given[0], f"{given[1]}.{surname[1]}"


def phone(rng: random.Random, sido: str, mobile_share: float = 0.2) -> str:
    if rng.random() < mobile_share:
        return f"010-{rng.randint(2000, 9999)}-{rng.randint(0, 9999):04d}"
    area = words.AREA_CODES.get(sido, "02")
    middle = rng.randint(200, 999) if area != "02" else rng.randint(2000, 8999)
    return f"{area}-{middle}-{rng.randint(0, 9999):04d}"


def business_number(rng: random.Random, sido: str, corporation: bool, used: set[str]) -> str:
    """A unique 사업자등록번호 with the NTS check digit (corporations use 81/86/87)."""
    offices = words.TAX_OFFICES.get(sido, (101,))
    while True:
        middle = rng.choice((81, 81, 81, 86, 87)) if corporation else rng.randint(1, 79)
        head = f"{rng.choice(offices):03d}{middle:02d}{rng.randint(1, 9999):04d}"
        number = head + str(business_check_digit(head))
        if number not in used:
            used.add(number)
            return number


def corporate_number(rng: random.Random, limited: bool = False) -> str:
    """A 법인등록번호: registry office (4), kind 11 주식회사 / 14 유한회사, serial, check digit."""
    head = f"{rng.randint(1101, 2855):04d}{14 if limited else 11}{rng.randint(1, 299999):06d}"
    return head + str(corporate_check_digit(head))


def _industry_codes() -> dict[str, list[str]]:
    """Manufacturing (KSIC C, divisions 10–34) from the loaded reference: division → codes."""
    codes: dict[str, list[str]] = defaultdict(list)
    for code in Industry.objects.filter(
        level__in=[Industry.Level.DIVISION, Industry.Level.CLASS]
    ).values_list("code", flat=True):
        division = code[:2]
        if code.isdigit() and "10" <= division <= "34":
            codes[division].append(code)
    return {k: sorted(v) for k, v in sorted(codes.items())}


def company_rows(
    seed: int,
    complexes: Sequence[ComplexInfo],
    count: int,
    industry_codes: dict[str, list[str]],
    *,
    address_names: dict[str, str] | None = None,
    specialties: dict[str, str] | None = None,
    ensure: Iterable[str] = (),
) -> list[OrgRow]:
    """`count` companies spread over `complexes` in proportion to their tenants.

    Complexes in `ensure` (kicox ids) get at least one company when `count` allows.
    """
    address_names = address_names or words.PROVINCE_FULL_2009
    specialties = specialties or {}
    weights = [float(c.tenants) for c in complexes]
    per_complex = apportion(count, weights) if sum(weights) else [0] * len(complexes)
    ensured = set(ensure)
    must = [i for i, c in enumerate(complexes) if c.kicox_id in ensured]
    for i in must:
        if per_complex[i] == 0 and count >= len(must):
            donor = max(range(len(per_complex)), key=lambda j: (per_complex[j], -j))
            per_complex[donor] -= 1
            per_complex[i] += 1
    used_numbers: set[str] = set()
    used_names: set[str] = set()
    rows: list[OrgRow] = []
    divisions = [d for d in sorted(industry_codes) if d in words.INDUSTRY_WORDS]
    for info, n in zip(complexes, per_complex, strict=True):
        if not n:
            continue
        rng = rng_for(seed, "companies", info.kicox_id)
        kind_weights = {
            d: w
            for d, w in words.KIND_INDUSTRY_WEIGHTS.get(info.kind, {"25": 1}).items()
            if d in divisions
        } or {divisions[0]: 1}
        keys = sorted(kind_weights)
        cum = list(itertools.accumulate(kind_weights[k] for k in keys))
        specialty = specialties.get(info.kicox_id) or weighted_choice(rng, kind_weights)
        road = rng.choice(words.ROAD_WORDS)
        for _i in range(n):
            division = specialty if rng.random() < 0.45 else rng.choices(keys, cum_weights=cum)[0]
            rows.append(
                _company(
                    rng,
                    info,
                    division,
                    industry_codes,
                    road,
                    address_names,
                    used_numbers,
                    used_names,
                )
            )
    return rows


def _stem(rng: random.Random) -> tuple[str, str]:
    """A listed stem (대성, 한빛 …) or one of two common syllables (태진, 광명 …)."""
    if rng.random() < 0.5:
        return rng.choice(words.COMPANY_STEMS)
    (a_ko, a_en), (b_ko, b_en) = rng.sample(words.STEM_SYLLABLES, 2)
    return a_ko + b_ko, a_en.capitalize() + b_en.lower()


FORMS = ((0, 36), (1, 20), (2, 9), (3, 9), (4, 23), (5, 3))
_FORM_CODES = [f for f, _w in FORMS]
_FORM_CUM = list(itertools.accumulate(w for _f, w in FORMS))


def _company(
    rng: random.Random,
    info: ComplexInfo,
    division: str,
    industry_codes: dict[str, list[str]],
    road: str,
    address_names: dict[str, str],
    used_numbers: set[str],
    used_names: set[str],
) -> OrgRow:
    for _attempt in range(4):
        stem_ko, stem_en = _stem(rng)
        word_ko, word_en = rng.choice(words.INDUSTRY_WORDS[division])
        tail_ko, tail_en = rng.choice(words.NAME_TAILS) if rng.random() < 0.25 else ("", "")
        base = f"{stem_ko}{word_ko}{tail_ko}"
        if base not in used_names:
            break
    used_names.add(base)
    word_en = f"{word_en} {tail_en}".strip()
    form = rng.choices(_FORM_CODES, cum_weights=_FORM_CUM, k=1)[0]
    name_ko = {
        0: f"(주){base}",
        1: f"{base}(주)",
        2: f"{base} 주식회사",
        3: f"주식회사 {base}",
        4: base,
        5: f"(유){base}",
    }[form]
    corporation = form != 4
    suffix = {4: "", 5: " Ltd."}.get(form, " Co., Ltd.")
    name_en = f"{stem_en} {word_en}{suffix}"
    codes = industry_codes.get(division) or [division]
    classes = [c for c in codes if len(c) == 4]
    code = rng.choice(classes) if classes and rng.random() < 0.8 else division
    employees = max(1, min(3000, round(rng.lognormvariate(2.35, 1.05))))
    contact, local = person(rng)
    domain = re.sub(r"[^a-z0-9]", "", f"{stem_en}{word_en}".lower())
    return OrgRow(
        kind="company",
        name_ko=name_ko,
        name_en=name_en,
        business_number=business_number(rng, info.sido, corporation, used_numbers),
        corporate_number=corporate_number(rng, form == 5) if corporation else "",
        industry=code,
        employees=employees,
        complex_code=info.kicox_id,
        address=(
            f"{address_names.get(info.sido, info.sido)} {info.sigungu} {road} {rng.randint(1, 480)}"
        ),
        contact_name=contact,
        contact_email=f"{local}@{domain}.example.kr",
        contact_phone=phone(rng, info.sido),
    )


def institution_rows(seed: int, address_names: dict[str, str] | None = None) -> list[OrgRow]:
    """Universities, research institutes and support agencies (real names of ~2009)."""
    address_names = address_names or words.PROVINCE_FULL_2009
    rng = rng_for(seed, "institutions")
    rows: list[OrgRow] = []

    def add(kind: str, entries: Iterable[tuple[str, str, str, str, str]]) -> None:
        for name_ko, name_en, sido, sigungu, domain in entries:
            contact, local = person(rng)
            rows.append(
                OrgRow(
                    kind=kind,
                    name_ko=name_ko,
                    name_en=name_en,
                    province=sido,
                    address=f"{address_names.get(sido, sido)} {sigungu}",
                    contact_name=contact,
                    contact_email=f"{local}@{domain}.example.kr",
                    contact_phone=phone(rng, sido, mobile_share=0.0),
                )
            )

    add("university", words.UNIVERSITIES)
    add("institute", words.INSTITUTES)
    zones = [
        (
            f"{ko} 광역경제발전위원회",
            f"{en} Economic Development Committee",
            *words.ZONE_SEATS[c],
            f"{c}-rc",
        )
        for c, ko, en in words.ZONE_NAMES
    ]
    leading = [
        (
            f"{ko} 선도산업지원단",
            f"{en} Leading Industry Support Group",
            *words.ZONE_SEATS[c],
            f"{c}-lisg",
        )
        for c, ko, en in words.ZONE_NAMES
    ]
    add("agency", [*zones, *leading, *words.TECHNOPARKS, *words.LOCAL_GOVERNMENTS])
    return rows


def write_organisations_csv(rows: Iterable[OrgRow], path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ORGANISATION_COLUMNS)
        writer.writerows(row.cells() for row in rows)
    return path


# --- experts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertSpec:
    name_ko: str
    affiliation_key: str  # business number, or the organisation's name for institutions
    title: str
    specialties: str
    service_categories: tuple[str, ...]
    industries: tuple[str, ...]  # KSIC division codes
    email: str
    phone: str


@dataclass(frozen=True)
class Affiliation:
    key: str
    kind: str
    domain: str
    sido: str
    division: str  # "" when unknown


def expert_specs(seed: int, count: int, affiliations: Sequence[Affiliation]) -> list[ExpertSpec]:
    rng = rng_for(seed, "experts")
    by_kind: dict[str, list[Affiliation]] = defaultdict(list)
    for a in affiliations:
        by_kind[a.kind].append(a)
    kinds = [k for k in ("university", "institute", "company") if by_kind[k]]
    shares = {"university": 45, "institute": 30, "company": 25}
    divisions = sorted(words.INDUSTRY_SPECIALTIES)
    specs: list[ExpertSpec] = []
    for i in range(count):
        kind = rng.choices(kinds, weights=[shares[k] for k in kinds], k=1)[0]
        where = rng.choice(by_kind[kind])
        name, local = person(rng)
        categories = sorted(rng.sample(words.SERVICE_CATEGORIES, k=rng.choice((1, 1, 2, 2, 3))))
        division = where.division if where.division in words.INDUSTRY_SPECIALTIES else ""
        industries = sorted(
            {division or rng.choice(divisions), *rng.sample(divisions, k=rng.choice((0, 1)))}
        )
        phrases: list[str] = []
        for category in categories:
            phrases.extend(rng.sample(words.SPECIALTIES[category], k=rng.choice((1, 2))))
        if category_flavour := words.INDUSTRY_SPECIALTIES.get(industries[0]):
            phrases.append(rng.choice(category_flavour))
        specs.append(
            ExpertSpec(
                name_ko=name,
                affiliation_key=where.key,
                title=rng.choice(words.TITLES[kind]),
                specialties=", ".join(dict.fromkeys(phrases)),
                service_categories=tuple(categories),
                industries=tuple(industries),
                email=f"{local}{i % 97 or ''}@{where.domain}.example.kr",
                phone=phone(rng, where.sido, mobile_share=0.5),
            )
        )
    return specs
