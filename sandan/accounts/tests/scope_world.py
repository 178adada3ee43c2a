"""The accounts' share of the scope world: who holds which role, and the firms' account
requests.

The base world's users hold one membership each; this part names them and adds a coordinator
in the capital zone and users of two more firms, plus an account request from a firm of
each kind of place. Only HQ grants and ends roles; regional HQs and coordinators see the
people and decide the requests inside their scope; the auditor reads them all.
"""

from __future__ import annotations

from sandan.accounts.models import AccountRequest, Membership
from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.tests.world import EVERY, Part, World, rows


def build(w: World) -> None:
    for key, user in w.users.items():
        w.add(f"m_{key}", Membership.objects.get(user=user))
    for key, role, scope in (
        ("m_capital_coordinator", Role.COORDINATOR, {"office": w["branch_capital"]}),
        ("m_capital_company", Role.COMPANY_USER, {"organisation": w["company_capital"]}),
        (
            "m_unmanaged_company",
            Role.COMPANY_USER,
            {"organisation": w["company_dongnam_unmanaged"]},
        ),
    ):
        user = user_with_role(role, username=key.removeprefix("m_"), **scope)
        w.add(key, Membership.objects.get(user=user))
    for key, firm in (
        ("req_dongnam", "company_dongnam"),
        ("req_unmanaged", "company_dongnam_unmanaged"),
        ("req_capital", "company_capital"),
    ):
        organisation = w[firm]
        w.add(
            key,
            AccountRequest.objects.create(
                organisation=organisation,
                business_number=organisation.business_number,
                name="오세훈",
                email=f"{key}@firm.example.kr",
            ),
        )


# Memberships whose scope lies inside the dongnam zone: the zone itself, its branch office,
# and the organisations in its complexes (managed by the branch or not).
DONGNAM_PEOPLE = rows("m_regional", "m_coordinator", "m_company", "m_expert", "m_unmanaged_company")
BRANCH_PEOPLE = rows("m_coordinator", "m_company", "m_expert")

PART = Part(
    app="accounts",
    models=("accounts.membership", "accounts.accountrequest"),
    build=build,
    expected={
        "hq": {
            "accounts.membership": dict.fromkeys(("view", "add", "change", "contact"), EVERY),
            "accounts.accountrequest": dict.fromkeys(("view", "approve", "contact"), EVERY),
        },
        "auditor": {
            "accounts.membership": {"view": EVERY},
            "accounts.accountrequest": {"view": EVERY},
        },
        "ministry": {},
        "regional": {
            "accounts.membership": dict.fromkeys(("view", "contact"), DONGNAM_PEOPLE),
            "accounts.accountrequest": dict.fromkeys(
                ("view", "approve", "contact"), rows("req_dongnam", "req_unmanaged")
            ),
        },
        "coordinator": {
            "accounts.membership": dict.fromkeys(("view", "contact"), BRANCH_PEOPLE),
            "accounts.accountrequest": dict.fromkeys(
                ("view", "approve", "contact"), rows("req_dongnam")
            ),
        },
        "company": {},
        "expert": {},
    },
)
