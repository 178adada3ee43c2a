"""The finance share of the scope world: the 2010 budget tree and a commitment per project.

The tree: the year total; the dongnam and capital zone lines; a line per hub (Changwon and
Ulsan in dongnam — the dongnam branch manages Changwon — and Banwol in capital), each with
its manufacturing-efficiency category line; the national linkage line with its category.
Each support project of the world has its grant committed on its hub's category line, and
the Changwon project (whose lead firm is the company user's) also one on the linkage line.
"""

from __future__ import annotations

from django.utils import timezone

from sandan.core.tests.world import EVERY, Part, Table, World, rows
from sandan.finance.models import BudgetLine, LedgerTransaction

MODELS = ("finance.budgetline", "finance.ledgertransaction")
HUBS = ("changwon", "ulsan", "banwol")

DONGNAM_LINES = rows(
    "line_dongnam", "line_hub_changwon", "line_hub_ulsan", "line_cat_changwon", "line_cat_ulsan"
)
DONGNAM_TRANSACTIONS = rows("allocate_dongnam", "commit_changwon", "commit_ulsan")

EXPECTED: Table = {
    # The ministry reads the ledger and approves reallocations.
    "ministry": {
        "finance.budgetline": {"view": EVERY, "approve": EVERY},
        "finance.ledgertransaction": {"view": EVERY},
    },
    "auditor": {label: {"view": EVERY} for label in MODELS},
    # HQ opens lines, moves money on every line and approves reallocations.
    "hq": {
        "finance.budgetline": dict.fromkeys(("view", "add", "change", "approve"), EVERY),
        "finance.ledgertransaction": {"view": EVERY},
    },
    # The dongnam regional HQ moves the money of its zone's lines; the national lines and
    # the total are out of its reach.
    "regional": {
        "finance.budgetline": {"view": DONGNAM_LINES, "change": DONGNAM_LINES},
        "finance.ledgertransaction": {"view": DONGNAM_TRANSACTIONS},
    },
    # The dongnam branch's coordinator reads the lines of the hub its branch manages.
    "coordinator": {
        "finance.budgetline": {"view": rows("line_hub_changwon", "line_cat_changwon")},
        "finance.ledgertransaction": {"view": rows("commit_changwon")},
    },
    # The Changwon firm reads the money of its project, on whatever line it sits.
    "company": {
        "finance.ledgertransaction": {"view": rows("commit_changwon", "commit_linkage")},
    },
    "expert": {},
}


def _line(w: World, key: str, **fields: object) -> BudgetLine:
    line: BudgetLine = w.add(key, BudgetLine.objects.create(program_year=w["year_2010"], **fields))
    return line


def build(w: World) -> None:
    category = w["category_MFG_EFFICIENCY"]
    root = _line(w, "line_year", kind="year", name="2010년 사업 총액")
    zones = {
        zone: _line(w, f"line_{zone}", kind="zone", name=zone, parent=root, zone=w[zone])
        for zone in ("dongnam", "capital")
    }
    for hub_key in HUBS:
        hub = w[f"hub_{hub_key}"]
        hub_line = _line(
            w,
            f"line_hub_{hub_key}",
            kind="hub",
            name=hub_key,
            parent=zones["capital" if hub_key == "banwol" else "dongnam"],
            zone=hub.zone,
            hub=hub,
        )
        _line(
            w,
            f"line_cat_{hub_key}",
            kind="category",
            name="제조 효율화",
            parent=hub_line,
            zone=hub.zone,
            hub=hub,
            category=category,
        )
    linkage = _line(w, "line_linkage", kind="national", name="연계", parent=root, purpose="linkage")
    _line(
        w,
        "line_cat_linkage",
        kind="category",
        name="제조 효율화",
        parent=linkage,
        category=category,
    )
    now = timezone.now()

    def move(key: str, line: str, kind: str, amount: int, project: str | None = None) -> None:
        w.add(
            key,
            LedgerTransaction.objects.create(
                line=w[line],
                kind=kind,
                amount_krw=amount,
                project=w[project] if project else None,
                at=now,
            ),
        )

    move("allocate_year", "line_year", "allocate", 66_300_000_000)
    move("allocate_dongnam", "line_dongnam", "allocate", 1_000_000_000)
    for hub_key in HUBS:
        move(f"commit_{hub_key}", f"line_cat_{hub_key}", "commit", 40_000_000, f"project_{hub_key}")
    move("commit_linkage", "line_cat_linkage", "commit", 30_000_000, "project_changwon")


PART = Part(app="finance", models=MODELS, expected=EXPECTED, build=build)
