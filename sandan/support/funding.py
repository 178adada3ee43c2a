"""Who may draw the program's public grant for a project: rules handed down by the apps
above support (ADR 0014: support never imports them).

An app above registers a guard at start-up (its AppConfig.ready); a guard gets the project
and answers a message when the project may not have public-grant lines, or None. The
budget service asks the guards when lines are set and when a project is submitted or
approved, so a refused project never reaches the program's project lines.
(sandan.outreach registers the rule that a self-sustaining pilot's public money pays for
networking only; ADR 0020.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

PublicGrantGuard = Callable[[Any], str | None]

_GUARDS: list[PublicGrantGuard] = []


def register_public_grant_guard(guard: PublicGrantGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def check_public_grant(project: Any, field: str = "budget_lines") -> None:
    """Raise a ValidationError on `field` when a guard refuses the project public grant."""
    for guard in _GUARDS:
        message = guard(project)
        if message:
            raise ValidationError({field: message})
