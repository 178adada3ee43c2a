"""The registry's share of the scope world (its rows are the base world's).

The table is the specification in row terms ("the coordinator changes the organisations of
the complexes its branch manages"); it is deliberately not derived from
`sandan.accounts.roles.POLICY`, so that a wrong entry in the policy shows up as a failure.
"""

from __future__ import annotations

import datetime as dt

from sandan.core.tests.world import EVERY, Expected, Part, World, rows
from sandan.registry.models import OfficeTerm

MODELS = (
    "registry.zone",
    "registry.province",
    "registry.municipality",
    "registry.industry",
    "registry.office",
    "registry.officeterm",
    "registry.complex",
    "registry.complexstat",
    "registry.organisation",
    "registry.expert",
)
REFERENCE = MODELS[:8]
# The actions the registry uses; `approve` is granted on no registry row.
ROW_ACTIONS = ("view", "add", "change", "delete", "contact")

DONGNAM_COMPLEXES = rows("cx_dongnam", "cx_dongnam_unmanaged")
DONGNAM_STATS = rows("stat_dongnam", "stat_dongnam_unmanaged")
DONGNAM_ORGS = rows("company_dongnam", "company_dongnam_unmanaged", "university_dongnam")
BRANCH_ORGS = rows("company_dongnam", "university_dongnam")
# Partner agencies are reference data for staff: those of the zone, and the national one.
DONGNAM_AGENCIES = rows("agency_dongnam", "agency_nowhere")
DONGNAM_EXPERTS = rows("expert_linked")  # affiliated with an organisation in dongnam

READ_REFERENCE: dict[str, dict[str, Expected]] = {label: {"view": EVERY} for label in REFERENCE}


def build(w: World) -> None:
    """The dongnam branch reported to the HQ itself until 2009 (an office's earlier parent)."""
    w.add(
        "term_dongnam_2009",
        OfficeTerm.objects.create(
            office=w["branch_dongnam"], parent=w["hq_office"], valid_until=dt.date(2009, 12, 31)
        ),
    )


PART = Part(
    app="registry",
    models=MODELS,
    build=build,
    expected={
        # National, read (and, later, approve): reads everything, writes nothing, and sees
        # no personal contact data.
        "ministry": {
            **READ_REFERENCE,
            "registry.organisation": {"view": EVERY},
            "registry.expert": {"view": EVERY},
        },
        # National, read-only.
        "auditor": {
            **READ_REFERENCE,
            "registry.organisation": {"view": EVERY},
            "registry.expert": {"view": EVERY},
        },
        # National: everything, and the only role that deletes.
        "hq": {
            **{
                label: {"view": EVERY, "add": EVERY, "change": EVERY, "delete": EVERY}
                for label in REFERENCE
            },
            "registry.organisation": dict.fromkeys(ROW_ACTIONS, EVERY),
            "registry.expert": dict.fromkeys(ROW_ACTIONS, EVERY),
        },
        # One zone (dongnam): reads the national reference, writes inside the zone; reads
        # (never writes, never sees the contacts of) the partner agencies of its zone and the
        # national ones.
        "regional": {
            **READ_REFERENCE,
            "registry.complex": {"view": EVERY, "change": DONGNAM_COMPLEXES},
            "registry.complexstat": {
                "view": EVERY,
                "add": DONGNAM_STATS,
                "change": DONGNAM_STATS,
            },
            "registry.organisation": {
                "view": DONGNAM_ORGS | DONGNAM_AGENCIES,
                "add": DONGNAM_ORGS,
                "change": DONGNAM_ORGS,
                "contact": DONGNAM_ORGS,
            },
            # The expert pool is national for matching; edits stay inside the zone.
            "registry.expert": {
                "view": EVERY,
                "contact": EVERY,
                "add": DONGNAM_EXPERTS,
                "change": DONGNAM_EXPERTS,
            },
        },
        # The dongnam branch: the complexes it manages and their organisations; the partner
        # agencies of its zone and the national ones, to read.
        "coordinator": {
            **READ_REFERENCE,
            "registry.complex": {"view": EVERY, "change": rows("cx_dongnam")},
            "registry.organisation": {
                "view": BRANCH_ORGS | DONGNAM_AGENCIES,
                "add": BRANCH_ORGS,
                "change": BRANCH_ORGS,
                "contact": BRANCH_ORGS,
            },
            "registry.expert": {"view": EVERY, "contact": EVERY},
        },
        # Own organisation only.
        "company": {
            **READ_REFERENCE,
            "registry.organisation": {
                "view": rows("company_dongnam"),
                "change": rows("company_dongnam"),
                "contact": rows("company_dongnam"),
            },
        },
        # Own expert record; sees its affiliation.
        "expert": {
            **READ_REFERENCE,
            "registry.organisation": {"view": rows("university_dongnam")},
            "registry.expert": {
                "view": rows("expert_linked"),
                "change": rows("expert_linked"),
                "contact": rows("expert_linked"),
            },
        },
    },
)
