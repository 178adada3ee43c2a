"""Shared parts of the support models: text lengths and the scope paths."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

TITLE_MAX = 200
TEXT_MAX = 5000

# A problem reaches staff through the firm's zone, the office of the firm's complex and the
# hub it belongs to in its year (a hub coordinator, whose scope is the hub complex, sees
# the problems of the hub's linked complexes too); a company reaches its own problems.
_PROBLEM_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "complex__office",
    "complex": "hub__complex",
    "organisation": "organisation",
}
# A project reaches staff through its hub and zone, a company through its participation
# (create_project makes every problem's firm a participant), an expert likewise.
_PROJECT_SCOPE: dict[str, str | None] = {
    "zone": "zone",
    "office": "hub__complex__office",
    "complex": "hub__complex",
    "organisation": "participants__organisation",
}


def _through(prefix: str, paths: dict[str, str | None]) -> dict[str, str | None]:
    return {kind: f"{prefix}__{path}" if path else None for kind, path in paths.items()}


def _choices_check(
    name: str, field: str, choices: type[models.TextChoices]
) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=Q(**{f"{field}__in": list(choices.values)}))
