"""The main menu: pages grouped in two levels, each shown to the roles that use it.

An entry is shown when the user may do what the page is for (a `(model label, action)`
pair read from `POLICY` through the user's grants, so no query beyond the memberships
every page loads already) and, where an entry names roles, holds one of them. A group with
no entry left is not shown. Apps add their pages here, not in the base template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sandan.accounts.roles import Role, grants_for

STAFF = frozenset({Role.HQ_STAFF, Role.REGIONAL_STAFF, Role.COORDINATOR})
READERS = frozenset({Role.MINISTRY_OFFICER, Role.AUDITOR})


@dataclass(frozen=True)
class Entry:
    """One page of the menu.

    - `url_name`: the page (reversed without arguments);
    - `pages`: the "namespace:url-name prefix" of the pages that belong to this entry, so
      the menu marks it current on them (the longest prefix that matches wins);
    - `needs`: `(model label, action)` pairs; the user must have any one of them;
    - `roles`: when set, only users holding one of these roles see the entry.
    """

    label: str | Promise
    url_name: str
    pages: tuple[str, ...] = ()
    needs: tuple[tuple[str, str], ...] = ()
    roles: frozenset[str] | None = None


@dataclass(frozen=True)
class Group:
    key: str
    label: str | Promise
    entries: tuple[Entry, ...]


MENU: tuple[Group, ...] = (
    Group(
        "home",
        _("대시보드"),
        (Entry(_("대시보드"), "analytics:dashboard", ("analytics:dashboard",)),),
    ),
    Group(
        "support",
        _("애로·지원"),
        (
            Entry(
                pgettext_lazy("menu", "애로과제"),
                "support:problem_list",
                ("support:problem",),
                needs=(("support.problem", "view"),),
                roles=STAFF | READERS | {Role.COMPANY_USER},
            ),
            Entry(
                _("애로과제 등록"),
                "support:problem_create",
                ("support:problem_create",),
                needs=(("support.problem", "add"),),
            ),
            Entry(
                _("애로과제 일괄 등록"),
                "support:problem_import",
                ("support:problem_import",),
                needs=(("support.problem", "change"),),
            ),
            Entry(
                _("내 자문 과제"),
                "support:case_list",
                ("support:case",),
                roles=frozenset({Role.EXPERT}),
            ),
            Entry(
                pgettext_lazy("menu", "지원과제"),
                "support:project_list",
                ("support:project",),
                needs=(("support.project", "view"),),
            ),
        ),
    ),
    Group(
        "councils",
        pgettext_lazy("menu", "협의체"),
        (
            Entry(
                _("협의체 목록"),
                "councils:council_list",
                ("councils:council",),
                needs=(("councils.council", "view"),),
            ),
            Entry(
                _("활동 목록"),
                "councils:activity_list",
                ("councils:activity", "councils:attendance", "support:activity_problems"),
                needs=(("councils.activity", "view"),),
            ),
            Entry(
                pgettext_lazy("menu", "활동 일정"),
                "councils:calendar",
                ("councils:calendar",),
                needs=(("councils.activity", "view"),),
            ),
            Entry(
                _("회비 징수 현황"),
                "outreach:dues_overview",
                ("outreach:dues_overview", "outreach:council_dues"),
                needs=(("outreach.invoice", "view"),),
                roles=STAFF | READERS,
            ),
            Entry(
                _("회비 청구서"),
                "outreach:invoice_list",
                ("outreach:invoice",),
                needs=(("outreach.invoice", "view"),),
            ),
            Entry(
                _("자립형 시범 거점"),
                "outreach:pilot_readiness",
                ("outreach:pilot",),
                needs=(("outreach.pilot", "view"),),
            ),
        ),
    ),
    Group(
        "results",
        _("성과·현황"),
        (
            Entry(
                _("전국 산업단지 현황"),
                "analytics:overview",
                ("analytics:overview",),
                needs=(("registry.complex", "view"),),
            ),
            Entry(
                pgettext_lazy("menu", "성과"),
                "support:outcome_dashboard",
                ("support:outcome",),
                needs=(("support.outcome", "view"),),
                roles=STAFF | READERS | {Role.COMPANY_USER},
            ),
            Entry(
                _("서비스 수준"),
                "support:service_levels",
                ("support:service_level",),
                needs=(("support.triagedecision", "view"),),
            ),
        ),
    ),
    Group(
        "program",
        _("사업 관리"),
        (
            Entry(
                _("사업연도·지정"),
                "program:year_list",
                ("program:year", "program:designation"),
                needs=(("program.programyear", "view"),),
                roles=STAFF | READERS,
            ),
            Entry(
                _("사업연도 편집"),
                "program:editor",
                (
                    "program:editor",
                    "program:year_edit",
                    "program:year_rules",
                    "program:categor",
                    "program:timeline",
                    "program:milestone",
                ),
                needs=(("program.programyear", "change"),),
            ),
            Entry(
                _("지정 계획"),
                "program:planner_current",
                ("program:planner", "program:plan"),
                needs=(("program.planrun", "add"),),
            ),
            Entry(
                _("예산"),
                "finance:budget_tree",
                ("finance:",),
                needs=(("finance.budgetline", "view"),),
            ),
        ),
    ),
    Group(
        "registry",
        _("기준정보"),
        (
            Entry(
                pgettext_lazy("menu", "산업단지"),
                "registry:complex_list",
                ("registry:complex",),
                needs=(("registry.complex", "view"),),
            ),
            Entry(
                pgettext_lazy("menu", "기관"),
                "registry:organisation_list",
                ("registry:organisation",),
                needs=(("registry.organisation", "view"),),
                roles=STAFF | READERS | {Role.COMPANY_USER},
            ),
            Entry(
                pgettext_lazy("menu", "전문가"),
                "registry:expert_list",
                ("registry:expert",),
                needs=(("registry.expert", "view"),),
                # An expert reaches only their own record: their cases are their menu.
                roles=STAFF | READERS,
            ),
            Entry(
                pgettext_lazy("menu", "공단 조직"),
                "registry:office_chart",
                ("registry:office",),
                needs=(("registry.office", "view"),),
                roles=STAFF | READERS,
            ),
            Entry(
                _("데이터 가져오기"),
                "registry:import",
                ("registry:import",),
                needs=(("registry.complex", "add"),),
            ),
        ),
    ),
    Group(
        "admin",
        _("관리"),
        (
            Entry(
                _("사용자·역할"),
                "accounts:people_list",
                (
                    "accounts:people",
                    "accounts:person",
                    "accounts:account_create",
                    "accounts:membership",
                    "accounts:request_",
                ),
                roles=frozenset(
                    {Role.HQ_STAFF, Role.REGIONAL_STAFF, Role.COORDINATOR, Role.AUDITOR}
                ),
            ),
            Entry(
                _("감사 기록"),
                "core:audit_log",
                ("core:",),
                needs=(("core.auditentry", "view"),),
            ),
        ),
    ),
)


@dataclass
class ShownEntry:
    label: str | Promise
    url: str
    current: bool


@dataclass
class ShownGroup:
    key: str
    label: str | Promise
    entries: list[ShownEntry] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(entry.current for entry in self.entries)

    @property
    def single(self) -> ShownEntry | None:
        """The group's only entry when it is a plain link (the dashboard)."""
        return self.entries[0] if self.key == "home" and len(self.entries) == 1 else None


def _may(user: Any, roles: set[str], entry: Entry) -> bool:
    if user.is_superuser:
        return True
    if entry.roles is not None and not roles & entry.roles:
        return False
    if not entry.needs:
        return True
    return any(
        grant.reach(label, action) is not None
        for grant in grants_for(user)
        for label, action in entry.needs
        if entry.roles is None or grant.role in entry.roles
    )


def _current_page(request: Any) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return ""
    return f"{match.namespace}:{match.url_name}"


def menu_for(user: Any, request: Any = None) -> list[ShownGroup]:
    """The groups and entries `user` sees, the current page's entry marked."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    roles = {grant.role for grant in grants_for(user)}
    page = _current_page(request)
    shown: list[ShownGroup] = []
    best: tuple[int, ShownEntry | None] = (0, None)
    for group in MENU:
        entries = []
        for entry in group.entries:
            if not _may(user, roles, entry):
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:  # an app not installed in this configuration
                continue
            shown_entry = ShownEntry(entry.label, url, current=False)
            entries.append(shown_entry)
            matched = max((len(p) for p in entry.pages if page and page.startswith(p)), default=0)
            if matched > best[0]:
                best = (matched, shown_entry)
        if entries:
            shown.append(ShownGroup(group.key, group.label, entries))
    if best[1] is not None:
        best[1].current = True
    return shown
