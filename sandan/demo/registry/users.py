"""One demo user per role, with their grants (re-created at every run)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.demo.base import AUDIT_SOURCE
from sandan.demo.registry.complexes import find_original
from sandan.demo.registry.scales import CHANGWON
from sandan.registry.models import (
    Complex,
    Expert,
    Organisation,
    Zone,
)

DEMO_PASSWORD = "sandan-demo-2010"  # noqa: S105  (public, printed: demo only)


# --- users -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    scope: dict[str, Any]
    scope_label: str


def demo_users() -> list[DemoUser]:
    """One user per role with a scope that makes sense in the loaded world."""
    from sandan.accounts.roles import Role

    users = [
        DemoUser("ministry", "지식경제부 담당관", Role.MINISTRY_OFFICER, {}, "전국"),
        DemoUser("hq", "공단 본사 클러스터사업팀", Role.HQ_STAFF, {}, "전국"),
        DemoUser("auditor", "감사인", Role.AUDITOR, {}, "전국"),
    ]
    zone = Zone.objects.filter(code="dongnam").first() or Zone.objects.order_by("order").first()
    if zone is not None:
        users.append(
            DemoUser(
                "regional", f"{zone.name_ko}본부", Role.REGIONAL_STAFF, {"zone": zone}, str(zone)
            )
        )
    changwon = find_original(CHANGWON) or Complex.objects.order_by("-tenants", "kicox_id").first()
    if changwon is not None:
        if changwon.office is not None:
            office = changwon.office
            users.append(
                DemoUser(
                    "coordinator",
                    f"{office.name_ko} 코디네이터",
                    Role.COORDINATOR,
                    {"office": office},
                    f"{office} ({office.code})",
                )
            )
        else:
            users.append(
                DemoUser(
                    "coordinator",
                    f"{changwon.name_ko} 코디네이터",
                    Role.COORDINATOR,
                    {"complex": changwon},
                    f"{changwon} ({changwon.kicox_id})",
                )
            )
        companies = Organisation.objects.filter(complex=changwon, kind="company").order_by(
            "business_number"
        )
        # A small incorporated firm, the program's typical user; else any firm there.
        company = (
            companies.filter(name_ko__startswith="(주)", employees__range=(10, 50)).first()
            or companies.first()
        )
        if company is not None:
            users.append(
                DemoUser(
                    "company",
                    f"{company.name_ko} 담당자",
                    Role.COMPANY_USER,
                    {"organisation": company},
                    f"{company} ({company.business_number_display})",
                )
            )
    expert = _demo_expert()
    if expert is not None and expert.affiliation is not None:
        users.append(
            DemoUser(
                "expert",
                f"{expert.name_ko} {expert.title}",
                Role.EXPERT,
                {"organisation": expert.affiliation},
                f"{expert.affiliation} (전문가 {expert.name_ko})",
            )
        )
    return users


def _demo_expert() -> Expert | None:
    """The expert the `expert` user is: already linked, or the first one at 창원대학교."""
    linked = Expert.objects.filter(user__username="expert").select_related("affiliation").first()
    if linked is not None:
        return linked
    return (
        Expert.objects.filter(affiliation__name_ko="창원대학교", user__isnull=True)
        .select_related("affiliation")
        .order_by("name_ko", "id")
        .first()
        or Expert.objects.filter(affiliation__isnull=False, user__isnull=True)
        .select_related("affiliation")
        .order_by("name_ko", "id")
        .first()
    )


def ensure_users(
    password: str = DEMO_PASSWORD, *, admin: bool = True
) -> list[tuple[str, str, str, str]]:
    """(Re)create the demo users: set their password, grant missing memberships; audited."""
    from sandan.accounts.models import Membership
    from sandan.accounts.services import grant_role
    from sandan.registry.services import update_expert

    table: list[tuple[str, str, str, str]] = []
    passwords = _Passwords(password)
    with transaction.atomic():
        if admin:
            _user("admin", "관리자", passwords, superuser=True)
            table.append(("admin", password, "superuser", "전체 (관리자)"))
        for spec in demo_users():
            user = _user(spec.username, spec.display_name, passwords)
            scope = {k: spec.scope.get(k) for k in ("zone", "office", "complex", "organisation")}
            wanted = Membership.objects.filter(user=user, role=spec.role, is_active=True, **scope)
            # A demo user holds exactly its one role: memberships left from an older demo
            # (another scope or role) are switched off, audited like any change.
            for stale in Membership.objects.filter(user=user, is_active=True).exclude(
                pk__in=wanted.values("pk")
            ):
                before = audit.snapshot(stale)
                stale.is_active = False
                stale.save(update_fields=["is_active"])
                audit.record(None, stale, AuditAction.UPDATE, before, source=AUDIT_SOURCE)
            if not wanted.exists():
                grant_role(None, user, spec.role, source=AUDIT_SOURCE, **spec.scope)
            if spec.role == "expert":
                expert = _demo_expert()
                if expert is not None and expert.user_id != user.pk:
                    update_expert(None, expert, user=user, source=AUDIT_SOURCE)
            table.append((spec.username, password, str(spec.role), spec.scope_label))
        _waiting_account_request()
    return table


def _waiting_account_request() -> None:
    """One firm of the coordinator's complex waits for its account (the tour approves it)."""
    from sandan.accounts.models import AccountRequest, Membership
    from sandan.accounts.services import request_account

    if AccountRequest.objects.filter(status="pending").exists():
        return
    changwon = find_original(CHANGWON) or Complex.objects.order_by("-tenants", "kicox_id").first()
    firm = (
        Organisation.objects.filter(complex=changwon, kind="company", business_number__isnull=False)
        .exclude(
            pk__in=Membership.objects.filter(organisation__isnull=False).values("organisation")
        )
        .order_by("-business_number")
        .first()
    )
    if firm is None or firm.business_number is None:
        return
    request_account(
        organisation=firm,
        business_number=firm.business_number,
        name="정다은",
        email=f"jung.daeun.{firm.pk}@demo.example.kr",
        phone="055-239-0000",
        department="경영지원팀 대리",
        message="애로과제를 등록하려고 계정을 신청합니다.",
        source=AUDIT_SOURCE,
        notify=False,
    )


class _Passwords:
    """Hash the demo password once (PBKDF2 takes most of a second) and share the hash."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._encoded = ""
        self._checked: dict[str, bool] = {}

    def encoded(self) -> str:
        if not self._encoded:
            self._encoded = make_password(self.raw)
            self._checked[self._encoded] = True
        return self._encoded

    def matches(self, encoded: str) -> bool:
        if not encoded:
            return False
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


def _user(
    username: str, display_name: str, passwords: _Passwords, *, superuser: bool = False
) -> Any:
    from sandan.accounts.models import User

    user = User.objects.filter(username=username).first()
    before = audit.snapshot(user)
    created = user is None
    if user is None:
        user = User(username=username)
    user.display_name = display_name
    user.email = f"{username}@demo.example.kr"
    user.is_active = True
    user.is_staff = superuser or user.is_staff
    user.is_superuser = superuser or user.is_superuser
    if not passwords.matches(user.password):
        user.password = passwords.encoded()
    user.save()
    audit.record(
        None,
        user,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        before,
        source=AUDIT_SOURCE,
    )
    return user
