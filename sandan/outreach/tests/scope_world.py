"""The dues' share of the scope world, on the councils of sandan/councils/tests/scope_world.py.

Each of the three councils (Changwon, Ulsan, Banwol) has a dues level for its hub's year;
each member is on it and has an invoice with one payment, except the Changwon university,
which has a level and an invoice but has paid nothing. (주)창원기계 — the company user's
organisation — is a member of the Changwon council. The Changwon and Banwol hubs are
self-sustaining pilots.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from sandan.core.tests.world import EVERY, Table, World, rows
from sandan.core.tests.world import Part as ScopePart
from sandan.outreach.models import (
    DuesAssignment,
    DuesLevel,
    Invoice,
    LedgerEntry,
    Payment,
    Pilot,
)

MODELS = (
    "outreach.dueslevel",
    "outreach.duesassignment",
    "outreach.invoice",
    "outreach.payment",
    "outreach.pilot",
    "outreach.ledgerentry",
)
DUES = MODELS[:4]
MEMBERS = ("member_company", "member_university", "member_ulsan", "member_banwol")

CHANGWON = {
    "outreach.dueslevel": rows("level_changwon"),
    "outreach.duesassignment": rows("assign_member_company", "assign_member_university"),
    "outreach.invoice": rows("invoice_member_company", "invoice_member_university"),
    "outreach.payment": rows("payment_member_company"),
}
ULSAN = {
    "outreach.dueslevel": rows("level_ulsan"),
    "outreach.duesassignment": rows("assign_member_ulsan"),
    "outreach.invoice": rows("invoice_member_ulsan"),
    "outreach.payment": rows("payment_member_ulsan"),
}
RUN = ("view", "add", "change")


def _in_scope(*parts: dict[str, frozenset[str]]) -> dict[str, dict[str, frozenset[str]]]:
    return {
        label: dict.fromkeys(RUN, frozenset().union(*(part[label] for part in parts)))
        for label in DUES
    }


EXPECTED: Table = {
    "ministry": {label: {"view": EVERY} for label in MODELS},
    "auditor": {label: {"view": EVERY} for label in MODELS},
    "hq": {
        **{label: dict.fromkeys(RUN, EVERY) for label in MODELS},
        "outreach.ledgerentry": dict.fromkeys(("view", "add"), EVERY),
    },
    # The dongnam regional HQ: the dues of every council in its zone; pilots it reads.
    "regional": {
        **_in_scope(CHANGWON, ULSAN),
        "outreach.pilot": {"view": rows("pilot_changwon")},
        "outreach.ledgerentry": dict.fromkeys(("view", "add"), rows("ledger_changwon")),
    },
    # The dongnam branch's coordinator: the dues of the council of the hub it manages.
    "coordinator": {
        **_in_scope(CHANGWON),
        "outreach.pilot": {"view": rows("pilot_changwon")},
        "outreach.ledgerentry": dict.fromkeys(("view", "add"), rows("ledger_changwon")),
    },
    # A member firm: its council's levels, and only its own level, invoice and payment
    # (not the university's unpaid invoice in the same council).
    "company": {
        "outreach.dueslevel": {"view": rows("level_changwon")},
        "outreach.duesassignment": {"view": rows("assign_member_company")},
        "outreach.invoice": {"view": rows("invoice_member_company")},
        "outreach.payment": {"view": rows("payment_member_company")},
    },
    "expert": {},
}


def build(w: World) -> None:
    for key in ("changwon", "ulsan", "banwol"):
        council = w[f"council_{key}"]
        w.add(
            f"level_{key}",
            DuesLevel.objects.create(
                council=council,
                program_year=council.hub.program_year,
                name="정회원",
                annual_amount_krw=300_000,
            ),
        )
    council_of = {
        "member_company": "changwon",
        "member_university": "changwon",
        "member_ulsan": "ulsan",
        "member_banwol": "banwol",
    }
    for member_key in MEMBERS:
        member = w[member_key]
        level = w[f"level_{council_of[member_key]}"]
        w.add(
            f"assign_{member_key}",
            DuesAssignment.objects.create(
                membership=member, level=level, program_year=level.program_year
            ),
        )
        paid = 0 if member_key == "member_university" else 100_000
        invoice = w.add(
            f"invoice_{member_key}",
            Invoice.objects.create(
                membership=member,
                program_year=level.program_year,
                level=level,
                number=f"T-{member_key}",
                amount_krw=300_000,
                paid_krw=paid,
                issued_on=dt.date(2010, 4, 1),
                due_on=dt.date(2010, 4, 30),
            ),
        )
        if paid:
            w.add(
                f"payment_{member_key}",
                Payment.objects.create(
                    invoice=invoice, amount_krw=paid, paid_on=dt.date(2010, 4, 20)
                ),
            )

    for key in ("changwon", "banwol"):
        w.add(
            f"pilot_{key}",
            Pilot.objects.create(
                hub=w[f"hub_{key}"],
                starts_in=2011,
                score=Decimal("61.5"),
                reason="회비 징수율과 회원 규모",
                confirmed_at=timezone.now(),
            ),
        )
        w.add(
            f"ledger_{key}",
            LedgerEntry.objects.create(
                pilot=w[f"pilot_{key}"],
                kind="donation",
                amount_krw=5_000_000,
                on=dt.date(2011, 3, 2),
                counterparty="(주)창원기계",
                receipt_number=f"G-2011-{key}",
            ),
        )


PART = ScopePart(app="outreach", models=MODELS, expected=EXPECTED, build=build)
