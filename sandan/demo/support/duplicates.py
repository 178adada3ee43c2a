"""Duplicate-funding flags of the demo's projects.

Kept apart on purpose: this copy of the duplicate-funding rule is to be replaced by the
product's own rule (one rule for the product and the demo).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sandan.demo.support.plans import ProjectPlan
from sandan.demo.support.world import YEAR, World
from sandan.support.models import (
    DuplicateFlag,
    Project,
)

# --- duplicate-funding flags -----------------------------------------------------------------


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


def _project_text(project: ProjectPlan) -> str:
    return "\n".join([project.title, project.summary, *(p.text for p in project.problems)])


def duplicate_flags(world: World, projects: Sequence[ProjectPlan]) -> list[FlagPlan]:
    """What the duplicate-funding check (services.duplicate_flags) finds at each approval
    (overridden there, with a reason) and, for projects still waiting, when the coordinator
    ran it on submission (left open)."""
    from sandan.support.services import text_similarity

    cap = int(world.year.rule("firm_grant_cap_krw") or 100_000_000)
    threshold = float(world.year.rule("duplicate_similarity_threshold") or 0.5)
    checks: list[tuple[dt.datetime, ProjectPlan, bool]] = []
    for project in projects:
        if project.approved_at is not None:
            checks.append((project.approved_at, project, True))
        elif project.status == Project.Status.SUBMITTED and project.submitted_at is not None:
            checks.append((project.submitted_at, project, False))
    checks.sort(key=lambda item: (item[0], item[1].lead.index))
    funded: list[ProjectPlan] = []
    flags: list[FlagPlan] = []
    names = {f.pk: f.name for f in world.firms}
    reasons = world.words["duplicate_reasons"]
    for when, project, approving in checks:
        found: list[FlagPlan] = []
        others = [o for o in funded if set(o.firms) & set(project.firms)]
        similarity: dict[int, float] = {}
        if others:
            matrix = text_similarity([_project_text(project)] + [_project_text(o) for o in others])
            similarity = {id(o): float(matrix[0, i + 1]) for i, o in enumerate(others)}
        category = project.lead.category
        for firm in project.firms:
            for other in others:
                if firm not in other.firms:
                    continue
                if other.lead.category == category:
                    found.append(
                        FlagPlan(
                            project,
                            DuplicateFlag.Kind.SAME_CATEGORY,
                            firm,
                            other,
                            None,
                            f"{names.get(firm, firm)}은(는) 같은 해 같은 분야"
                            f"({world.categories[category].name_ko})의 과제 "
                            f"'{other.title}'을(를) 이미 지원받고 있습니다.",
                        )
                    )
                score = similarity.get(id(other), 0.0)
                if score >= threshold:
                    found.append(
                        FlagPlan(
                            project,
                            DuplicateFlag.Kind.SIMILAR_TEXT,
                            firm,
                            other,
                            round(score, 4),
                            f"{names.get(firm, firm)}의 과제 '{other.title}'와(과) 내용이 매우 "
                            f"비슷합니다(유사도 {score:.2f}).",
                        )
                    )
        own = project.grants()
        for firm in project.firms:
            before = sum(o.grants().get(firm, 0) for o in others if firm in o.firms)
            if own.get(firm) and before + own[firm] > cap:
                found.append(
                    FlagPlan(
                        project,
                        DuplicateFlag.Kind.OVER_CAP,
                        firm,
                        None,
                        None,
                        f"{names.get(firm, firm)}의 {YEAR}년 정부지원금이 이 과제를 더하면 "
                        f"{before + own[firm]:,}원으로 한도 {cap:,}원을 넘습니다.",
                    )
                )
        for flag in found:
            if approving:
                flag.overridden_by = world.approver_of(project.lead.place.hub.zone_id)
                flag.override_reason = reasons[flag.kind]
                flag.overridden_at = when
        flags.extend(found)
        if approving:
            funded.append(project)
    return flags
