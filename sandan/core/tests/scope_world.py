"""The core's share of the scope world: the audit log (its rows are in the base world).

Read by the national roles that answer for the whole program; written only by the system
(append-only), so no role adds, changes or deletes an entry.
"""

from __future__ import annotations

from sandan.core.tests.world import EVERY, Part

READ = {"core.auditentry": {"view": EVERY}}

PART = Part(
    app="core",
    models=("core.auditentry",),
    expected={
        "ministry": READ,
        "auditor": READ,
        "hq": READ,
        "regional": {},
        "coordinator": {},
        "company": {},
        "expert": {},
    },
)
