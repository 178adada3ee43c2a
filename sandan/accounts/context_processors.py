"""Template context shared by every page: the navigation the user may see (the menu's
groups and entries are in `sandan.accounts.navigation`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sandan.accounts.navigation import menu_for
from sandan.accounts.roles import Role, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else set()
    labels = dict(Role.choices)
    return {
        "user_roles": sorted(str(labels.get(role, role)) for role in roles),
        "can_import": bool(user and (user.is_superuser or Role.HQ_STAFF in roles)),
        "can_see_people": bool(
            user
            and (
                user.is_superuser
                or roles & {Role.HQ_STAFF, Role.REGIONAL_STAFF, Role.COORDINATOR, Role.AUDITOR}
            )
        ),
        "can_read_history": bool(
            user
            and (user.is_superuser or roles & {Role.AUDITOR, Role.HQ_STAFF, Role.MINISTRY_OFFICER})
        ),
        "menu": menu_for(user, request),
    }
