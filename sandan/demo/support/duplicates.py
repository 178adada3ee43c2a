"""Duplicate-funding flags of the demo's projects, found by the product's own rule
(`sandan.support.services.duplicates.duplicate_funding_flags`) at the moment each project was
approved or submitted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandan.demo.support.plans import ProjectPlan
from sandan.demo.support.world import YEAR, World
from sandan.support.models import Project
from sandan.support.services.duplicates import (
    DEFAULT_FIRM_GRANT_CAP_KRW,
    DEFAULT_SIMILARITY_THRESHOLD,
    Funding,
    duplicate_funding_flags,
)


@dataclass
class FlagPlan:
    project: ProjectPlan
    kind: str
    organisation: int
    other: ProjectPlan | None
    similarity: float | None
    detail: str
    overridden_by: Any = None
    override_reason: str = ""
    overridden_at: dt.datetime | None = None


def _funding(world: World, project: ProjectPlan) -> Funding:
    category = project.lead.category
    return Funding(
        key=project,
        title=project.title,
        text="\n".join([project.title, project.summary, *(p.text for p in project.problems)]),
        category=category,
        category_name=world.categories[category].name_ko,
        firms=project.firms,
        grants=project.grants(),
    )


def duplicate_flags(world: World, projects: Sequence[ProjectPlan]) -> list[FlagPlan]:
    """What the duplicate-funding check finds at each approval (overridden there, with a
    reason) and, for projects still waiting, when the coordinator ran it on submission (left
    open)."""
    cap = int(world.year.rule("firm_grant_cap_krw") or DEFAULT_FIRM_GRANT_CAP_KRW)
    threshold = float(
        world.year.rule("duplicate_similarity_threshold") or DEFAULT_SIMILARITY_THRESHOLD
    )
    checks: list[tuple[dt.datetime, ProjectPlan, bool]] = []
    for project in projects:
        if project.approved_at is not None:
            checks.append((project.approved_at, project, True))
        elif project.status == Project.Status.SUBMITTED and project.submitted_at is not None:
            checks.append((project.submitted_at, project, False))
    checks.sort(key=lambda item: (item[0], item[1].lead.index))
    funded: list[Funding] = []
    flags: list[FlagPlan] = []
    names = {f.pk: f.name for f in world.firms}
    reasons = world.words["duplicate_reasons"]
    for when, project, approving in checks:
        candidate = _funding(world, project)
        for found in duplicate_funding_flags(
            candidate,
            funded,
            year=YEAR,
            cap_krw=cap,
            similarity_threshold=threshold,
            firm_names=names,
        ):
            flag = FlagPlan(
                project,
                found.kind,
                found.organisation_id,
                found.other_project_id,
                found.similarity,
                found.detail,
            )
            if approving:
                flag.overridden_by = world.approver_of(project.lead.place.hub.zone_id)
                flag.override_reason = reasons[flag.kind]
                flag.overridden_at = when
            flags.append(flag)
        if approving:
            funded.append(candidate)
    return flags
