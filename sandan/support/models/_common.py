"""Shared parts of the support models: text lengths and the scope paths."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from sandan.core.querysets import ReadAlso

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


# A project is read (not changed) by the staff of every zone, office and complex whose firms
# take part in it, e.g. the zone of a partner firm in an inter-zone project led by another.
_PROJECT_READERS = ReadAlso(
    paths={
        "zone": ("participants__organisation__complex__province__zone",),
        "office": ("participants__organisation__complex__office",),
        "complex": ("participants__organisation__complex",),
    }
)


def _through(prefix: str, paths: dict[str, str | None]) -> dict[str, str | None]:
    return {kind: f"{prefix}__{path}" if path else None for kind, path in paths.items()}


def _read_through(prefix: str, read_also: ReadAlso) -> ReadAlso:
    """The same readers for the parts of a row (a project's participants, milestones, ...)."""
    return ReadAlso(
        paths={
            kind: tuple(f"{prefix}__{path}" for path in paths)
            for kind, paths in read_also.paths.items()
        },
        only=read_also.only,
        unplaced=f"{prefix}__{read_also.unplaced}" if read_also.unplaced else "",
        actions=read_also.actions,
    )


def _choices_check(
    name: str, field: str, choices: type[models.TextChoices]
) -> models.CheckConstraint:
    return models.CheckConstraint(name=name, condition=Q(**{f"{field}__in": list(choices.values)}))
