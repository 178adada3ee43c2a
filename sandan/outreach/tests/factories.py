"""A council with dues: a level, members on it and their invoices, through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sandan.councils.models import Council, Membership
from sandan.councils.tests.factories import CouncilFactory, MembershipFactory
from sandan.outreach import services
from sandan.outreach.models import DuesLevel, Invoice

ISSUED = dt.date(2010, 4, 1)
DUE = dt.date(2010, 4, 30)


@dataclass
class DuesWorld:
    council: Council
    level: DuesLevel
    members: list[Membership]
    invoices: list[Invoice]


def council_with_dues(members: int = 3, amount: int = 300_000) -> DuesWorld:
    """A 2010 council, one level of `amount`, `members` members on it, invoices issued."""
    council = CouncilFactory()
    level = services.create_dues_level(
        None,
        council=council,
        program_year=council.hub.program_year,
        name="정회원",
        annual_amount_krw=amount,
    )
    people = [MembershipFactory(council=council) for _ in range(members)]
    for member in people:
        services.assign_dues_level(None, membership=member, level=level)
    result = services.issue_invoices(
        None, council=council, program_year=level.program_year, issued_on=ISSUED, due_on=DUE
    )
    return DuesWorld(council, level, people, result.issued)
