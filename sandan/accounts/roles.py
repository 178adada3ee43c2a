"""The roles of domain.md and how far each reaches, per model and action.

This table is the one place that says who may do what; `restrict()` applies it to rows
and `docs/permissions.md` prints it for people. A model missing from a role's entry is
out of that role's reach entirely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from sandan.core.scope import Reach as Reach  # the reach of a role is the core's notion


class Role(models.TextChoices):
    MINISTRY_OFFICER = "ministry_officer", _("부처 담당관")
    HQ_STAFF = "hq_staff", _("공단 본사")
    REGIONAL_STAFF = "regional_staff", _("광역본부")
    COORDINATOR = "coordinator", _("지사·거점 코디네이터")
    COMPANY_USER = "company_user", _("기업 사용자")
    EXPERT = "expert", _("전문가")
    AUDITOR = "auditor", _("감사인")


ALL, SCOPE, OWN = Reach.ALL, Reach.SCOPE, Reach.OWN
READ = ("view",)
Table = dict[str, dict[str, Reach]]


def _reach(**actions: Reach) -> dict[str, Reach]:
    return dict(actions)


REFERENCE_MODELS = (
    "registry.zone",
    "registry.province",
    "registry.municipality",
    "registry.industry",
    "registry.office",
    "registry.officeterm",
    "registry.complex",
    "registry.complexstat",
    "program.programyear",
    "program.zonetarget",
    "program.servicecategory",
    "program.categorymapping",
    "program.yearmilestone",
    "program.designation",
)


def _everyone_reads_reference() -> Table:
    return {label: {"view": ALL} for label in REFERENCE_MODELS}


def _table(*parts: Table) -> Table:
    merged: Table = {}
    for part in parts:
        for label, actions in part.items():
            merged.setdefault(label, {}).update(actions)
    return merged


_READ_EVERYTHING: Table = {
    "registry.organisation": _reach(view=ALL),
    "registry.expert": _reach(view=ALL),
    "core.auditentry": _reach(view=ALL),
    "program.planrun": _reach(view=ALL),
}

# Councils and their activities (sandan.councils). Staff reach the councils of their scope
# (zone; office or complex of the hub); a company reaches the councils it belongs to and
# only its own attendance rows, which it adds itself to register for an activity.
COUNCIL_MODELS = (
    "councils.council",
    "councils.membership",
    "councils.subgroup",
    "councils.activity",
    "councils.attendance",
    "councils.activityattachment",
    "councils.activityreminder",
)
_READ_COUNCILS: Table = {label: {"view": ALL} for label in COUNCIL_MODELS}
_RUN_COUNCILS: Table = {
    **{label: _reach(view=ALL, add=ALL, change=ALL, delete=ALL) for label in COUNCIL_MODELS},
    "councils.activityreminder": _reach(view=ALL),
}
_RUN_COUNCILS_IN_SCOPE: Table = {
    **{
        label: _reach(view=SCOPE, add=SCOPE, change=SCOPE, delete=SCOPE) for label in COUNCIL_MODELS
    },
    "councils.activityreminder": _reach(view=SCOPE),
}
_COMPANY_COUNCILS: Table = {
    "councils.council": _reach(view=SCOPE),
    "councils.membership": _reach(view=SCOPE),
    "councils.subgroup": _reach(view=SCOPE),
    "councils.activity": _reach(view=SCOPE),
    "councils.activityattachment": _reach(view=SCOPE),
    "councils.attendance": _reach(view=SCOPE, add=SCOPE, change=SCOPE, delete=SCOPE),
}

# The support pipeline (sandan.support): problems, triage, expert assignments, projects,
# referrals, duplicate flags, outcomes and surveys. Staff reach the rows of their scope (a
# problem through the firm's zone, its complex's office and its hub; a project through its
# hub and zone); regional staff approve the projects of their zone. A company reaches its
# own problems and the projects it takes part in, and only its own outcomes and surveys;
# an expert reaches only the problems and projects assigned to them.
SUPPORT_MODELS = (
    "support.problem",
    "support.problemattachment",
    "support.triagedecision",
    "support.expertassignment",
    "support.mentoringnote",
    "support.project",
    "support.participant",
    "support.milestone",
    "support.budgetline",
    "support.projectdocument",
    "support.referral",
    "support.duplicateflag",
    "support.outcome",
    "support.survey",
    "support.surveyresponse",
)
_READ_SUPPORT: Table = {label: {"view": ALL} for label in SUPPORT_MODELS}
_RUN_SUPPORT: Table = {
    **{
        label: _reach(view=ALL, add=ALL, change=ALL, delete=ALL, contact=ALL)
        for label in SUPPORT_MODELS
    },
    "support.project": _reach(view=ALL, add=ALL, change=ALL, delete=ALL, contact=ALL, approve=ALL),
}
_RUN_SUPPORT_IN_SCOPE: Table = {
    label: _reach(view=SCOPE, add=SCOPE, change=SCOPE, delete=SCOPE, contact=SCOPE)
    for label in SUPPORT_MODELS
}
_APPROVE_PROJECTS_IN_SCOPE: Table = {"support.project": _reach(approve=SCOPE)}
_COMPANY_SUPPORT: Table = {
    "support.problem": _reach(view=SCOPE, add=SCOPE),
    "support.problemattachment": _reach(view=SCOPE, add=SCOPE),
    "support.expertassignment": _reach(view=SCOPE),
    "support.mentoringnote": _reach(view=SCOPE),
    "support.project": _reach(view=SCOPE),
    "support.participant": _reach(view=SCOPE),
    "support.milestone": _reach(view=SCOPE),
    "support.budgetline": _reach(view=SCOPE),
    "support.projectdocument": _reach(view=SCOPE),
    "support.referral": _reach(view=SCOPE),
    "support.outcome": _reach(view=SCOPE),
    "support.survey": _reach(view=SCOPE, contact=SCOPE),
    "support.surveyresponse": _reach(view=SCOPE),
}
_EXPERT_SUPPORT: Table = {
    "support.problem": _reach(view=OWN),
    "support.problemattachment": _reach(view=OWN),
    "support.expertassignment": _reach(view=OWN),
    "support.mentoringnote": _reach(view=OWN, add=OWN, change=OWN),
    "support.project": _reach(view=OWN),
    "support.participant": _reach(view=OWN),
    "support.milestone": _reach(view=OWN),
    "support.projectdocument": _reach(view=OWN, add=OWN),
    "support.outcome": _reach(view=OWN),
}

# The program's money (sandan.finance): HQ opens the budget tree and moves money on every
# line; a regional HQ moves the money of its zone's lines (zone → hubs → categories) and
# pays its projects; reallocations are approved by a role above the requester (HQ, or the
# ministry). Coordinators read the lines of their hubs; a company reads the movements of
# the projects it takes part in.
FINANCE_MODELS = ("finance.budgetline", "finance.ledgertransaction")
_READ_FINANCE: Table = {label: {"view": ALL} for label in FINANCE_MODELS}
_RUN_FINANCE: Table = {
    "finance.budgetline": _reach(view=ALL, add=ALL, change=ALL, approve=ALL),
    "finance.ledgertransaction": _reach(view=ALL),
}
_RUN_FINANCE_IN_SCOPE: Table = {
    "finance.budgetline": _reach(view=SCOPE, change=SCOPE),
    "finance.ledgertransaction": _reach(view=SCOPE),
}
_SEE_FINANCE_IN_SCOPE: Table = {label: {"view": SCOPE} for label in FINANCE_MODELS}
_COMPANY_FINANCE: Table = {"finance.ledgertransaction": _reach(view=SCOPE)}

# Council dues (sandan.outreach): HQ runs the dues of every council, regional staff and
# coordinators those of the councils of their scope (levels, assignments, invoices,
# payments and refunds); national readers read them. A member firm reads the levels of its
# councils and only its own assignments, invoices and payments (its receipts).
DUES_MODELS = (
    "outreach.dueslevel",
    "outreach.duesassignment",
    "outreach.invoice",
    "outreach.payment",
)
_READ_DUES: Table = {label: {"view": ALL} for label in DUES_MODELS}
_RUN_DUES: Table = {label: _reach(view=ALL, add=ALL, change=ALL) for label in DUES_MODELS}
_RUN_DUES_IN_SCOPE: Table = {
    label: _reach(view=SCOPE, add=SCOPE, change=SCOPE) for label in DUES_MODELS
}
_COMPANY_DUES: Table = {label: _reach(view=SCOPE) for label in DUES_MODELS}
# Self-sustaining pilots: HQ confirms them (with a reason); regional staff and coordinators
# read those of their scope; national readers read all; companies and experts none.
# Their ledgers are kept by HQ and by the staff of the pilot's zone or hub.
_RUN_PILOTS: Table = {
    "outreach.pilot": _reach(view=ALL, add=ALL, change=ALL),
    "outreach.ledgerentry": _reach(view=ALL, add=ALL),
}
_SEE_PILOTS_IN_SCOPE: Table = {
    "outreach.pilot": _reach(view=SCOPE),
    "outreach.ledgerentry": _reach(view=SCOPE, add=SCOPE),
}
_READ_PILOTS: Table = {
    "outreach.pilot": _reach(view=ALL),
    "outreach.ledgerentry": _reach(view=ALL),
}

# People (sandan.accounts): only HQ creates accounts, grants and ends memberships; regional
# HQs and coordinators see the people of their scope and decide the account requests of
# its firms; the auditor reads who holds which role.
_PEOPLE_MODELS = ("accounts.membership", "accounts.accountrequest")
_RUN_PEOPLE: Table = {
    "accounts.membership": _reach(view=ALL, add=ALL, change=ALL, contact=ALL),
    "accounts.accountrequest": _reach(view=ALL, approve=ALL, contact=ALL),
}
_SEE_PEOPLE_IN_SCOPE: Table = {
    "accounts.membership": _reach(view=SCOPE, contact=SCOPE),
    "accounts.accountrequest": _reach(view=SCOPE, approve=SCOPE, contact=SCOPE),
}
_READ_PEOPLE: Table = {label: {"view": ALL} for label in _PEOPLE_MODELS}

POLICY: dict[str, Table] = {
    Role.MINISTRY_OFFICER: _table(
        _everyone_reads_reference(),
        _READ_EVERYTHING,
        # The ministry approves program years (and their budgets) and the designation plans
        # KICOX puts forward; it edits nothing else.
        {
            "program.programyear": _reach(approve=ALL),
            "program.designation": _reach(approve=ALL),
            "finance.budgetline": _reach(approve=ALL),
        },
        _READ_COUNCILS,
        _READ_SUPPORT,
        _READ_FINANCE,
        _READ_DUES,
        _READ_PILOTS,
    ),
    Role.AUDITOR: _table(
        _everyone_reads_reference(),
        _READ_EVERYTHING,
        _READ_COUNCILS,
        _READ_SUPPORT,
        _READ_DUES,
        _READ_PILOTS,
        _READ_PEOPLE,
        _READ_FINANCE,
    ),
    Role.HQ_STAFF: _table(
        {label: _reach(view=ALL, add=ALL, change=ALL, delete=ALL) for label in REFERENCE_MODELS},
        {
            "registry.organisation": _reach(view=ALL, add=ALL, change=ALL, delete=ALL, contact=ALL),
            "registry.expert": _reach(view=ALL, add=ALL, change=ALL, delete=ALL, contact=ALL),
            "core.auditentry": _reach(view=ALL),
            "program.planrun": _reach(view=ALL, add=ALL, change=ALL),
        },
        _RUN_COUNCILS,
        _RUN_SUPPORT,
        _RUN_DUES,
        _RUN_PILOTS,
        _RUN_PEOPLE,
        _RUN_FINANCE,
    ),
    Role.REGIONAL_STAFF: _table(
        _everyone_reads_reference(),
        {
            "program.planrun": _reach(view=ALL),
            "registry.complex": _reach(change=SCOPE),
            # A regional HQ runs the designations of its zone.
            "program.designation": _reach(add=SCOPE, change=SCOPE, delete=SCOPE),
            # Only HQ deletes; a wrong quarter is corrected, not removed.
            "registry.complexstat": _reach(add=SCOPE, change=SCOPE),
            "registry.organisation": _reach(view=SCOPE, add=SCOPE, change=SCOPE, contact=SCOPE),
            # The expert pool is national for matching, but a zone's staff edit only the
            # experts affiliated inside their zone (domain.md: regional HQ staff = one zone).
            "registry.expert": _reach(view=ALL, contact=ALL, add=SCOPE, change=SCOPE),
        },
        _RUN_COUNCILS_IN_SCOPE,
        _RUN_SUPPORT_IN_SCOPE,
        _APPROVE_PROJECTS_IN_SCOPE,
        _RUN_DUES_IN_SCOPE,
        _SEE_PILOTS_IN_SCOPE,
        _SEE_PEOPLE_IN_SCOPE,
        _RUN_FINANCE_IN_SCOPE,
    ),
    Role.COORDINATOR: _table(
        _everyone_reads_reference(),
        {
            "registry.complex": _reach(change=SCOPE),
            "registry.organisation": _reach(view=SCOPE, add=SCOPE, change=SCOPE, contact=SCOPE),
            "registry.expert": _reach(view=ALL, contact=ALL),
        },
        _RUN_COUNCILS_IN_SCOPE,
        _RUN_SUPPORT_IN_SCOPE,
        _RUN_DUES_IN_SCOPE,
        _SEE_PILOTS_IN_SCOPE,
        _SEE_PEOPLE_IN_SCOPE,
        _SEE_FINANCE_IN_SCOPE,
    ),
    Role.COMPANY_USER: _table(
        _everyone_reads_reference(),
        {"registry.organisation": _reach(view=SCOPE, change=SCOPE, contact=SCOPE)},
        _COMPANY_COUNCILS,
        _COMPANY_SUPPORT,
        _COMPANY_FINANCE,
        _COMPANY_DUES,
    ),
    Role.EXPERT: _table(
        _everyone_reads_reference(),
        {
            "registry.organisation": _reach(view=SCOPE),
            "registry.expert": _reach(view=OWN, change=OWN, contact=OWN),
        },
        _EXPERT_SUPPORT,
    ),
}


@dataclass(frozen=True)
class Grant:
    """One membership, resolved: a role, a scope kind and the ids that scope covers.

    It is the `sandan.core.scope.Grant` that `restrict()` reads, with this module's policy.
    """

    role: str
    scope_kind: str
    scope_ids: frozenset[int]

    def reach(self, label: str, action: str) -> Reach | None:
        return POLICY.get(self.role, {}).get(label, {}).get(action)


def grants_for(user: Any) -> list[Grant]:
    """The user's resolved memberships, loaded once per user object (`User.scope_grants`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    grants: list[Grant] = user.scope_grants()
    return grants


def roles_of(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {grant.role for grant in grants_for(user)}
