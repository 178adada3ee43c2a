"""Reads about people, always through the reader's scope.

HQ (and the auditor) see every account; a regional HQ sees the people who hold a role
inside its zone, a coordinator those inside its office or complex (staff and the users of
its firms). An account with no role at all is seen only by those who see every account.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from sandan.accounts.models import (
    AccountRequest,
    AccountRequestQuerySet,
    AccountRequestStatus,
    Membership,
    MembershipQuerySet,
    MembershipStatus,
    User,
)
from sandan.core.querysets import scope_condition

_SCOPE_TARGETS = ("zone", "office", "complex", "organisation")


def memberships(user: Any, action: str = "view") -> MembershipQuerySet:
    queryset: MembershipQuerySet = Membership.objects.restrict(user, action)  # type: ignore[assignment]
    return queryset.select_related("user", *_SCOPE_TARGETS).order_by("user__username", "id")


def _with_status(queryset: MembershipQuerySet, status: str | None) -> MembershipQuerySet:
    if status == MembershipStatus.IN_FORCE:
        return queryset.in_force()
    if status == MembershipStatus.ENDED:
        return queryset.ended()
    if status == MembershipStatus.UPCOMING:
        return queryset.upcoming()
    return queryset


def people(
    user: Any, *, q: str | None = None, role: str | None = None, status: str | None = None
) -> QuerySet[User]:
    """The accounts `user` may see, each with the memberships `user` may see of it."""
    visible = memberships(user)
    if scope_condition(Membership, user, "view") is None:
        queryset = User.objects.all()
    else:
        queryset = User.objects.filter(pk__in=visible.values("user"))
    if role or status:
        matching = _with_status(visible, status)
        if role:
            matching = matching.filter(role=role)
        queryset = queryset.filter(pk__in=matching.values("user"))
    if q:
        queryset = queryset.filter(
            Q(username__icontains=q) | Q(display_name__icontains=q) | Q(email__icontains=q)
        )
    return queryset.prefetch_related(
        Prefetch("memberships", queryset=visible.order_by("-is_active", "id"), to_attr="shown")
    ).order_by("username")


def person(user: Any, pk: int) -> User | None:
    """One account `user` may see, or None."""
    return people(user).filter(pk=pk).first()


def account_requests(user: Any, status: str | None = None) -> AccountRequestQuerySet:
    queryset: AccountRequestQuerySet = AccountRequest.objects.restrict(user, "view")  # type: ignore[assignment]
    queryset = queryset.select_related("organisation__complex", "decided_by", "user")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def pending_request_count(user: Any) -> int:
    return account_requests(user, AccountRequestStatus.PENDING).count()
