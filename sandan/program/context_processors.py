"""Template context every page shares about time: the date the site's world is "as of"
(the header states it) and, for HQ, the program year that today needs but nobody made."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sandan.accounts.roles import Role, roles_of
from sandan.core import clock
from sandan.program.selectors import missing_current_year

# Those who create and approve program years see that the current one is missing.
YEAR_KEEPERS = {Role.HQ_STAFF, Role.MINISTRY_OFFICER}


def time_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    keeper = bool(
        user is not None
        and user.is_authenticated
        and (user.is_superuser or roles_of(user) & YEAR_KEEPERS)
    )
    return {
        # A date when the site is held "as of" it (the demo), None on the real date.
        "as_of": clock.as_of(),
        "today": clock.today(),
        "missing_program_year": missing_current_year() if keeper else None,
    }
