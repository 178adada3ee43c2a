"""What the councils demo reads once: organisations, people, coordinators; its summary."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sandan.councils.models import Council
from sandan.demo import words
from sandan.demo.base import rng_for
from sandan.demo.councils.themes import PERSON_TITLES, Theme
from sandan.demo.registry.organisations import person
from sandan.registry.models import Industry, Organisation, Province

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
