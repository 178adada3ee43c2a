"""`sandan load_demo`: the 2009 world, valid numbers, determinism, a user per role, reruns.

The world is built once per module (inside a transaction rolled back at the end) with a small
organisation count, and the tests read it; they are all marked slow.
"""

from __future__ import annotations

import io
import itertools
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from sandan.accounts.models import Membership, User
from sandan.accounts.roles import Role
from sandan.core.models import AuditEntry
from sandan.demo import words
from sandan.demo.base import AUDIT_SOURCE, apportion, rng_for
from sandan.demo.registry.complexes import (
    find_original,
    quarterly_stats,
    read_real_complexes,
    world_2009_complexes,
)
from sandan.demo.registry.organisations import business_number
from sandan.demo.registry.scales import CHANGWON, ORIGINALS, SCALES
from sandan.demo.registry.users import DEMO_PASSWORD
from sandan.program.models import Designation, PlanRun, ProgramYear
from sandan.registry.models import Complex, ComplexStat, Expert, Organisation
from sandan.registry.reference import load_reference
from sandan.registry.validators import validate_business_number

SEED = 7
ORGANISATIONS = 500
EXPERTS = 30


class _Rollback(Exception):
    pass


def _load(**options: Any) -> str:
    out = io.StringIO()
    call_command(
        "load_demo",
        seed=options.pop("seed", SEED),
        organisations=options.pop("organisations", ORGANISATIONS),
        experts=options.pop("experts", EXPERTS),
        activities=options.pop("activities", 200),  # councils' activities: few, for speed
        problems=options.pop("problems", 0),  # no support problems (sandan/support/tests)
        verbosity=1,
        fingerprint=True,
        stdout=out,
        stderr=io.StringIO(),
        **options,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Reference data + the demo world, shared by the module and rolled back after it."""
    fast_hasher = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast_hasher):
        try:
            with transaction.atomic():
                load_reference()
                yield _load()
                raise _Rollback
        except _Rollback:
            pass


# Building the world takes 10-30 s, paid by whichever of these tests runs first; with
# `-m "not slow"` only the generator tests below run.
slow_world = pytest.mark.slow


def _fingerprint(output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith("fingerprint: "))
    return line.removeprefix("fingerprint: ")


# --- pure generators (no database) ------------------------------------------------------------


def test_2009_world_is_742_complexes_by_kind_and_deterministic() -> None:
    first = world_2009_complexes(SEED)
    assert len(first) == 742
    assert Counter(row.kind for row in first) == {"국가": 35, "일반": 322, "농공": 385}
    assert world_2009_complexes(SEED) == first
    assert world_2009_complexes(SEED + 1) != first
    keys = {row.key for row in first}
    assert len(keys) == 742
    for original in ORIGINALS:
        assert (original.kind, original.sido, original.sigungu, original.name) in keys
    assert all(row.operating <= row.tenants for row in first)
    assert not any(row.sido == "세종" for row in first)  # 세종 dates from 2012


def test_provinces_follow_todays_list() -> None:
    rows = world_2009_complexes(SEED)
    real = read_real_complexes()
    assert len(real) == 1363
    agro_today = Counter(r.sido for r in real if r.kind == "농공")
    agro_2009 = Counter(r.sido for r in rows if r.kind == "농공")
    # The biggest agro-industrial provinces of today are the biggest of the 2009 world too.
    assert {p for p, _n in agro_today.most_common(3)} == {p for p, _n in agro_2009.most_common(3)}


def test_apportion_and_check_digits() -> None:
    assert apportion(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(apportion(742, [3.0, 5.5, 0.0, 9.0])) == 742
    rng = rng_for(1, "x")
    used: set[str] = set()
    for _ in range(500):
        validate_business_number(business_number(rng, "경남", rng.random() < 0.5, used))
    assert len(used) == 500


def test_quarterly_stats_end_at_current_figures() -> None:
    quarters = SCALES["2009"].quarters
    rows = quarterly_stats(rng_for(1, "s"), "national", 400, 360, 9000.0, quarters)
    assert [(r.year, r.quarter) for r in rows] == quarters
    assert (rows[-1].tenants, rows[-1].operating) == (400, 360)
    assert all(a.tenants <= b.tenants for a, b in itertools.pairwise(rows))
    assert all(r.operating <= r.tenants and r.employment > 0 and r.output > 0 for r in rows)
    crisis = next(r for r in rows if (r.year, r.quarter) == (2009, 1))
    assert crisis.exports < rows[-1].exports


# --- the loaded world -------------------------------------------------------------------------


@slow_world
@pytest.mark.django_db
def test_world_counts(world: str) -> None:
    assert Complex.objects.count() == 742
    assert dict(Counter(Complex.objects.values_list("kind", flat=True))) == {
        "national": 35,
        "general": 322,
        "agro_industrial": 385,
    }
    assert ComplexStat.objects.count() == 742 * 20
    assert Organisation.objects.count() == ORGANISATIONS
    assert Expert.objects.count() == EXPERTS
    assert "742 complexes" in world


@slow_world
@pytest.mark.django_db
def test_originals_present_with_companies(world: str) -> None:
    for original in ORIGINALS:
        found = find_original(original)
        assert found is not None, original.label
        assert found.organisations.filter(kind="company").exists(), original.label


@slow_world
@pytest.mark.django_db
def test_organisations_are_valid(world: str) -> None:
    companies = Organisation.objects.filter(kind="company")
    numbers = list(companies.values_list("business_number", flat=True))
    assert len(numbers) == len(set(numbers)) == companies.count() > 300
    for number in numbers:
        validate_business_number(number)
    assert not companies.filter(complex__isnull=True).exists()
    assert not companies.filter(industry__isnull=True).exists()
    assert all(
        "10" <= code[:2] <= "34" for code in companies.values_list("industry__code", flat=True)
    )
    small = companies.filter(is_small_firm=True).count()
    assert small / companies.count() > 0.75  # most firms have ≤ 50 employees
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds["university"] >= 55 and kinds["institute"] >= 35 and kinds["agency"] >= 35
    assert all(
        email.endswith(".example.kr")
        for email in Organisation.objects.values_list("contact_email", flat=True)
    )


@slow_world
@pytest.mark.django_db
def test_experts(world: str) -> None:
    codes = {c for e in Expert.objects.all() for c in e.service_categories}
    assert codes <= set(words.SERVICE_CATEGORIES)
    assert not Expert.objects.filter(affiliation__isnull=True).exists()
    assert not Expert.objects.filter(industries__isnull=True).exists()
    assert Expert.objects.exclude(specialties="").count() == EXPERTS


@slow_world
@pytest.mark.django_db
def test_every_write_is_audited(world: str) -> None:
    entries = AuditEntry.objects.filter(source=AUDIT_SOURCE)
    assert entries.filter(content_type__model="complexstat").count() >= 742 * 19
    assert entries.filter(content_type__model="organisation").count() == ORGANISATIONS
    assert entries.filter(content_type__model="expert", action="create").count() == EXPERTS
    memberships = entries.filter(
        content_type__app_label="accounts", content_type__model="membership"
    )
    assert memberships.count() == len(Role)
    user_entries = list(entries.filter(content_type__model="user", action="create"))
    assert len(user_entries) == len(Role) + 1  # and admin
    for entry in user_entries:  # the hash itself never enters the log, only a digest
        assert entry.changes["password"][1].startswith("sha256:")


@slow_world
@pytest.mark.django_db
def test_every_role_has_a_working_demo_user(world: str) -> None:
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {role.value for role in Role}
    assert User.objects.get(username="admin").is_superuser
    for username in ("ministry", "hq", "auditor", "regional", "coordinator", "company", "expert"):
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)

    company = User.objects.get(username="company")
    membership = Membership.objects.get(user=company)
    visible = Organisation.objects.restrict(company)
    assert list(visible) == [membership.organisation]
    changwon = find_original(CHANGWON)
    assert membership.organisation is not None and membership.organisation.complex == changwon

    expert_user = User.objects.get(username="expert")
    expert = Expert.objects.get(user=expert_user)
    assert list(Expert.objects.restrict(expert_user)) == [expert]
    assert list(Organisation.objects.restrict(expert_user)) == [expert.affiliation]

    regional = User.objects.get(username="regional")
    zone_orgs = Organisation.objects.restrict(regional)
    assert zone_orgs.exists()
    firms_and_schools = zone_orgs.exclude(kind=Organisation.Kind.AGENCY)
    assert set(firms_and_schools.values_list("complex__province__zone__code", flat=True)) == {
        "dongnam"
    }
    # Partner agencies are reference data: those of the zone (and any national one), to refer
    # problems to; the other zones' technoparks stay out of the list.
    agencies = zone_orgs.filter(kind=Organisation.Kind.AGENCY)
    assert set(agencies.values_list("region__zone__code", flat=True)) == {"dongnam"}
    assert agencies.filter(name_ko="경남테크노파크").exists()
    assert not agencies.filter(name_ko="경기테크노파크").exists()

    coordinator = User.objects.get(username="coordinator")
    scoped = Organisation.objects.restrict(coordinator)
    assert changwon is not None and scoped.filter(complex=changwon).exists()
    assert scoped.count() < Organisation.objects.filter(complex__isnull=False).count()
    assert scoped.filter(kind=Organisation.Kind.AGENCY, name_ko="경남테크노파크").exists()
    assert Complex.objects.restrict(coordinator, "change").filter(pk=changwon.pk).exists()

    for national in ("ministry", "hq", "auditor"):
        user = User.objects.get(username=national)
        assert Organisation.objects.restrict(user).count() == ORGANISATIONS
    auditor = User.objects.get(username="auditor")
    assert not Organisation.objects.restrict(auditor, "change").exists()


@slow_world
@pytest.mark.django_db
def test_a_firm_of_the_coordinators_complex_waits_for_its_account(world: str) -> None:
    from sandan.accounts.models import AccountRequest

    (waiting,) = AccountRequest.objects.filter(status="pending")
    assert waiting.organisation.complex == find_original(CHANGWON)
    coordinator = User.objects.get(username="coordinator")
    assert AccountRequest.objects.restrict(coordinator, "approve").filter(pk=waiting.pk).exists()
    regional = User.objects.get(username="regional")
    assert AccountRequest.objects.restrict(regional, "approve").filter(pk=waiting.pk).exists()


@slow_world
@pytest.mark.django_db
def test_running_twice_does_not_duplicate(world: str) -> None:
    before = (
        Complex.objects.count(),
        Organisation.objects.count(),
        Expert.objects.count(),
        ComplexStat.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    again = _load(seed=SEED + 1)
    assert "only the demo users" in again
    assert _fingerprint(again) == _fingerprint(world)
    after = (
        Complex.objects.count(),
        Organisation.objects.count(),
        Expert.objects.count(),
        ComplexStat.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert after == before
    assert "company_user" in again and DEMO_PASSWORD in again


@slow_world
@pytest.mark.django_db
def test_same_seed_same_data(world: str) -> None:
    """Empty the registry, build again with the same seed: the same fingerprint."""
    # The councils stand on the designations, the program's designations and plan runs on
    # the complexes: they go first.
    from sandan.accounts.models import AccountRequest
    from sandan.demo.councils.load import delete_councils
    from sandan.demo.finance import delete_finance

    delete_councils()  # with the dues and pilots that stand on the councils' members
    delete_finance()  # the budget tree stands on the year, its zones and hubs
    PlanRun.objects.all().delete()
    Designation.objects.filter(role="linked").delete()
    Designation.objects.all().delete()
    ProgramYear.objects.all().delete()
    AccountRequest.objects.all().delete()  # a firm's request stands on the firm
    Membership.objects.all().delete()
    User.objects.all().delete()
    Expert.objects.all().delete()
    Organisation.objects.all().delete()
    ComplexStat.objects.all().delete()
    Complex.objects.all().delete()
    rebuilt = _load()
    assert "742 complexes" in rebuilt
    assert _fingerprint(rebuilt) == _fingerprint(world)
