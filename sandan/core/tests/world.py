"""A small, complete world for scope tests, which every app extends with its own rows.

The base (`build_world()`): two zones, an HQ with a branch in each, complexes,
organisations, experts, statistics, audit entries, and one user per role.

Every row gets a readable key (`world.rows["registry.organisation"]["company_dongnam"]`) so
that expectation tables can name rows instead of ids.

Extension point: an app that has scoped models adds `tests/scope_world.py` with a `PART`
(a `Part`): the rows it adds to the world and, written out by hand, what each role reaches
of each of its models. `every_part()` finds them, in the order of INSTALLED_APPS (lower
layers first, so a part may use the rows of the parts below it), and
sandan/core/tests/test_scope.py checks every role × model × action of every part against
its table; it also fails when a scoped model belongs to no part.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction

from sandan.accounts.models import User
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry
from sandan.registry.models import Office, Organisation
from sandan.registry.tests import factories as f


@dataclass
class World:
    rows: dict[str, dict[str, models.Model]] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def add(self, key: str, obj: models.Model) -> Any:
        self.rows.setdefault(obj._meta.label_lower, {})[key] = obj
        return obj

    def __getitem__(self, key: str) -> Any:
        for rows in self.rows.values():
            if key in rows:
                return rows[key]
        raise KeyError(key)

    def keys_of(self, label: str, pks: set[Any]) -> set[str]:
        """The keys of the rows of `label` whose primary keys are `pks`."""
        by_pk = {obj.pk: key for key, obj in self.rows.get(label, {}).items()}
        unknown = pks - set(by_pk)
        assert not unknown, f"rows outside the world in {label}: {unknown}"
        return {by_pk[pk] for pk in pks}


# role → model label → action → the rows it reaches: EVERY row, or the keys of those rows.
EVERY = "every row"
Expected = str | frozenset[str]
Table = dict[str, dict[str, dict[str, Expected]]]

# The key of each role's user in `World.users`.
ROLES = ("ministry", "hq", "auditor", "regional", "coordinator", "company", "expert")


def rows(*keys: str) -> frozenset[str]:
    return frozenset(keys)


@dataclass(frozen=True)
class Part:
    """One app's share of the scope world.

    `models`: the app's scoped models (labels); `expected`: for every role in ROLES, what
    it reaches of them (a model or action left out: no rows); `build`: adds the app's rows
    (None when the base world holds them already); `min_rows`: the fewest rows each model
    must have in the world.
    """

    app: str
    models: tuple[str, ...]
    expected: Table
    build: Callable[[World], None] | None = None
    min_rows: int = 1

    def want(self, world: World, role: str, label: str, action: str) -> set[str]:
        reach = self.expected[role].get(label, {}).get(action, frozenset())
        if reach == EVERY:
            return set(world.rows[label])
        assert not isinstance(reach, str), reach
        return set(reach)


def every_part() -> list[Part]:
    """The `PART` of every sandan app that has a tests/scope_world.py, lowest layer first."""
    parts = []
    for config in apps.get_app_configs():
        if not config.name.startswith("sandan."):
            continue
        name = f"{config.name}.tests.scope_world"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name in (name, f"{config.name}.tests"):
                continue
            raise
        parts.append(module.PART)
    return parts


def build_world(parts: Iterable[Part] = ()) -> World:
    """The base world, then the rows of each part in turn."""
    w = build_base()
    for part in parts:
        if part.build is not None:
            part.build(w)
    return w


def build_base() -> World:
    w = World()
    capital, dongnam = w.add("capital", f.zone("capital")), w.add("dongnam", f.zone("dongnam"))
    assert capital and dongnam
    gyeonggi = w.add("gyeonggi", f.province("41"))
    gyeongnam = w.add("gyeongnam", f.province("48"))
    w.add("ulsan", f.province("31"))
    ansan = w.add(
        "ansan",
        f.MunicipalityFactory(code="41270", name_ko="안산시", name_en="Ansan", province=gyeonggi),
    )
    changwon = w.add(
        "changwon",
        f.MunicipalityFactory(
            code="48120", name_ko="창원시", name_en="Changwon", province=gyeongnam
        ),
    )
    w.add("c29", f.IndustryFactory())

    hq = w.add(
        "hq_office",
        Office.objects.create(code="hq", kind="hq", name_ko="본사", name_en="Headquarters"),
    )
    branch_capital = w.add(
        "branch_capital",
        f.OfficeFactory(code="gyeonggi-west", name_ko="경기서부지사", parent=hq, zone=w["capital"]),
    )
    branch_dongnam = w.add(
        "branch_dongnam",
        f.OfficeFactory(code="changwon", name_ko="창원지사", parent=hq, zone=w["dongnam"]),
    )

    banwol = w.add(
        "cx_capital",
        f.ComplexFactory(
            kicox_id="141001",
            name_ko="반월국가산업단지",
            kind="national",
            province=gyeonggi,
            municipality=ansan,
            office=branch_capital,
        ),
    )
    changwon_cx = w.add(
        "cx_dongnam",
        f.ComplexFactory(
            kicox_id="148001",
            name_ko="창원국가산업단지",
            kind="national",
            province=gyeongnam,
            municipality=changwon,
            municipality_name="창원시",
            office=branch_dongnam,
        ),
    )
    # A dongnam complex that the dongnam branch does not manage: inside the regional
    # staff's zone, outside the coordinator's office.
    ulsan_cx = w.add(
        "cx_dongnam_unmanaged",
        f.ComplexFactory(
            kicox_id="231001",
            name_ko="울산미포국가산업단지",
            province=w["ulsan"],
            municipality_name="울산 남구",
            office=None,
        ),
    )
    for key, complex_ in (
        ("stat_capital", banwol),
        ("stat_dongnam", changwon_cx),
        ("stat_dongnam_unmanaged", ulsan_cx),
    ):
        w.add(key, f.ComplexStatFactory(complex=complex_, year=2009, quarter=4))

    w.add(
        "company_capital",
        f.OrganisationFactory(
            name_ko="(주)반월정밀", complex=banwol, business_number=f.valid_business_number(1)
        ),
    )
    w.add(
        "company_dongnam",
        f.OrganisationFactory(
            name_ko="(주)창원기계", complex=changwon_cx, business_number=f.valid_business_number(2)
        ),
    )
    w.add(
        "company_dongnam_unmanaged",
        f.OrganisationFactory(
            name_ko="울산화학(주)", complex=ulsan_cx, business_number=f.valid_business_number(3)
        ),
    )
    w.add(
        "university_dongnam",
        f.OrganisationFactory(
            kind=Organisation.Kind.UNIVERSITY,
            name_ko="창원대학교",
            business_number=None,
            complex=changwon_cx,
        ),
    )
    w.add(
        "institute_capital",
        f.OrganisationFactory(
            kind=Organisation.Kind.INSTITUTE,
            name_ko="한국생산기술연구원",
            business_number=None,
            complex=banwol,
        ),
    )
    # Partner agencies: a national one (no region) and one in each zone's province.
    w.add(
        "agency_nowhere",
        f.OrganisationFactory(
            kind=Organisation.Kind.AGENCY,
            name_ko="동남권선도산업지원단",
            business_number=None,
            complex=None,
        ),
    )
    w.add(
        "agency_dongnam",
        f.OrganisationFactory(
            kind=Organisation.Kind.AGENCY,
            name_ko="경남테크노파크",
            business_number=None,
            complex=None,
            region=gyeongnam,
        ),
    )
    w.add(
        "agency_capital",
        f.OrganisationFactory(
            kind=Organisation.Kind.AGENCY,
            name_ko="경기테크노파크",
            business_number=None,
            complex=None,
            region=gyeonggi,
        ),
    )

    expert_user = f_user(w, "expert", Role.EXPERT, organisation=w["university_dongnam"])
    w.add(
        "expert_linked",
        f.ExpertFactory(name_ko="박지훈", user=expert_user, affiliation=w["university_dongnam"]),
    )
    w.add(
        "expert_capital",
        f.ExpertFactory(name_ko="이서연", affiliation=w["institute_capital"]),
    )
    w.add("expert_unaffiliated", f.ExpertFactory(name_ko="최유진", affiliation=None))

    f_user(w, "ministry", Role.MINISTRY_OFFICER)
    f_user(w, "hq", Role.HQ_STAFF)
    f_user(w, "auditor", Role.AUDITOR)
    f_user(w, "regional", Role.REGIONAL_STAFF, zone=w["dongnam"])
    f_user(w, "coordinator", Role.COORDINATOR, office=w["branch_dongnam"])
    f_user(w, "company", Role.COMPANY_USER, organisation=w["company_dongnam"])

    w.add("audit_capital", audit.record(None, w["company_capital"], AuditAction.CREATE))
    w.add("audit_dongnam", audit.record(None, w["company_dongnam"], AuditAction.CREATE))
    w.add("audit_complex", audit.record(None, w["cx_dongnam"], AuditAction.CREATE))
    assert AuditEntry.objects.count() == 3
    return w


def f_user(w: World, key: str, role: str, **scope: Any) -> User:
    user = user_with_role(role, username=f"{key}-user", **scope)
    w.users[key] = user
    return user


def module_world(django_db_blocker: Any, parts: Iterable[Part] = ()) -> Iterator[World]:
    """One world for a whole test module, rolled back at its end.

    Each test still runs in its own savepoint (the `db` fixture), so what a test adds
    disappears after it; building the world once saves most of the time on PostgreSQL.
    Hand each test `fresh(world)` when it may add rows or memberships.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world(parts)
        yield world
        transaction.set_rollback(True)


def reached(world: World, label: str, user: Any, action: str) -> set[str]:
    """The keys of the rows of `label` that `restrict(user, action)` lets through, each once."""
    model: Any = apps.get_model(label)
    pks = list(model.objects.restrict(user, action).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)), f"{label} rows repeated for {action}"
    return world.keys_of(label, set(pks))


def fresh(world: World) -> World:
    """A copy of a module's world for one test: its own row index and freshly loaded users.

    What a test adds (`world.add`, a membership that a user's cached grants remember) then
    leaves no trace in the next test, as the database rows do not either.
    """
    users = User.objects.in_bulk([user.pk for user in world.users.values()])
    return World(
        rows={label: dict(keyed) for label, keyed in world.rows.items()},
        users={key: users[user.pk] for key, user in world.users.items()},
    )
