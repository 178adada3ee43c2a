"""The duplicate-funding check of a project (same firm, year and category; a near-copy of
another funded project's text; a firm's public grant of the year beyond the cap)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import ensure_allowed
from sandan.registry.models import Organisation
from sandan.support.models import BudgetLine, DuplicateFlag, Participant, Project
from sandan.support.selectors import rule_of
from sandan.support.services._common import FUNDED

DEFAULT_SIMILARITY_THRESHOLD = 0.5


# Duplicate-funding check -------------------------------------------------------------


def text_similarity(texts: Sequence[str]) -> Any:
    """Cosine similarity matrix of Korean texts: TF-IDF over morphemes (sandan.support.text)
    and character 3-grams of the words, so that spacing and inflection do not hide a
    near-copy."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    from sandan.support.text import analyse

    def features(text: str) -> list[str]:
        tokens = analyse(text)
        grams: list[str] = []
        for token in tokens:
            padded = f"<{token}>"
            grams.extend(f"#{padded[i : i + 3]}" for i in range(max(1, len(padded) - 2)))
        return tokens + grams

    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
    matrix = vectorizer.fit_transform(list(texts))
    return cosine_similarity(matrix)


def _project_text(project: Project) -> str:
    parts = [project.title, project.summary]
    for problem in project.problems.all():
        parts.append(problem.text)
    return "\n".join(part for part in parts if part)


def _grants_by_firm(projects: Iterable[Project]) -> dict[tuple[int, int], int]:
    """{(project id, firm id): public grant}: a grant line counts for its organisation, or
    for the lead firm when it names none (for the firms equally when there is no lead)."""
    result: dict[tuple[int, int], int] = {}
    project_ids = [p.pk for p in projects]
    firms: dict[int, list[int]] = {}
    leads: dict[int, int] = {}
    for project_id, org_id, role in Participant.objects.filter(
        project_id__in=project_ids, organisation__kind=Organisation.Kind.COMPANY
    ).values_list("project_id", "organisation_id", "role"):
        firms.setdefault(project_id, []).append(org_id)
        if role == Participant.Role.LEAD_FIRM:
            leads[project_id] = org_id
    for project_id, org_id, amount in BudgetLine.objects.filter(
        project_id__in=project_ids, kind=BudgetLine.Kind.PUBLIC_GRANT
    ).values_list("project_id", "organisation_id", "amount_krw"):
        if org_id is not None:
            targets = [org_id]
        elif project_id in leads:
            targets = [leads[project_id]]
        else:
            targets = firms.get(project_id, [])
        for target in targets:
            key = (project_id, target)
            result[key] = result.get(key, 0) + amount // max(1, len(targets))
    return result


@dataclass(frozen=True)
class _Flag:
    kind: str
    organisation_id: int
    other_project_id: int | None
    similarity: float | None
    detail: str


def duplicate_flags(project: Project) -> list[_Flag]:
    """What the duplicate-funding check finds for a project, firm by firm: another funded
    project of the same firm and year in the same category, or with a very similar text;
    and the firm's public grant of the year beyond the cap."""
    year = project.program_year
    threshold = float(rule_of(year, "duplicate_similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD))
    cap = int(rule_of(year, "firm_grant_cap_krw", 100_000_000))
    firm_ids = list(
        project.participants.filter(organisation__kind=Organisation.Kind.COMPANY).values_list(
            "organisation_id", flat=True
        )
    )
    names = dict(Organisation.objects.filter(pk__in=firm_ids).values_list("pk", "name_ko"))
    others = list(
        Project.objects.filter(
            program_year=year,
            status__in=FUNDED,
            participants__organisation_id__in=firm_ids,
        )
        .exclude(pk=project.pk)
        .distinct()
        .select_related("category")
        .prefetch_related("problems")
        .order_by("pk")
    )
    firms_of: dict[int, set[int]] = {}
    for project_id, org_id in Participant.objects.filter(
        project__in=others, organisation_id__in=firm_ids
    ).values_list("project_id", "organisation_id"):
        firms_of.setdefault(project_id, set()).add(org_id)
    flags: list[_Flag] = []
    similarity: dict[int, float] = {}
    if others:
        matrix = text_similarity([_project_text(project)] + [_project_text(o) for o in others])
        similarity = {o.pk: float(matrix[0, i + 1]) for i, o in enumerate(others)}
    for firm_id in firm_ids:
        for other in others:
            if firm_id not in firms_of.get(other.pk, set()):
                continue
            if other.category_id == project.category_id:
                flags.append(
                    _Flag(
                        DuplicateFlag.Kind.SAME_CATEGORY,
                        firm_id,
                        other.pk,
                        None,
                        _(
                            "%(firm)s은(는) 같은 해 같은 분야(%(category)s)의 과제 "
                            "'%(other)s'을(를) 이미 지원받고 "
                            "있습니다."
                        )
                        % {
                            "firm": names.get(firm_id, firm_id),
                            "category": other.category,
                            "other": other.title,
                        },
                    )
                )
            score = similarity.get(other.pk, 0.0)
            if score >= threshold:
                flags.append(
                    _Flag(
                        DuplicateFlag.Kind.SIMILAR_TEXT,
                        firm_id,
                        other.pk,
                        round(score, 4),
                        _(
                            "%(firm)s의 과제 '%(other)s'와(과) 내용이 매우 비슷합니다(유사도 "
                            "%(score).2f)."
                        )
                        % {
                            "firm": names.get(firm_id, firm_id),
                            "other": other.title,
                            "score": score,
                        },
                    )
                )
    grants = _grants_by_firm([project, *others])
    for firm_id in firm_ids:
        own = grants.get((project.pk, firm_id), 0)
        before = sum(grants.get((o.pk, firm_id), 0) for o in others)
        if own and before + own > cap:
            flags.append(
                _Flag(
                    DuplicateFlag.Kind.OVER_CAP,
                    firm_id,
                    None,
                    None,
                    _(
                        "%(firm)s의 %(year)s년 정부지원금이 이 과제를 더하면 %(total)s원으로 한도 "
                        "%(cap)s원을 넘습니다."
                    )
                    % {
                        "firm": names.get(firm_id, firm_id),
                        "year": year.year,
                        "total": f"{before + own:,}",
                        "cap": f"{cap:,}",
                    },
                )
            )
    return flags


def _refresh_flags(
    actor: Any, project: Project, found: list[_Flag], batch: str
) -> list[DuplicateFlag]:
    """Keep the stored flags in step with what the check finds now; a flag already
    overridden keeps its override, a stale open one goes away."""
    stored = {
        (f.kind, f.organisation_id, f.other_project_id): f for f in project.duplicate_flags.all()
    }
    wanted = {(f.kind, f.organisation_id, f.other_project_id): f for f in found}
    stale = [
        flag for key, flag in stored.items() if key not in wanted and flag.overridden_at is None
    ]
    content_type = ContentType.objects.get_for_model(DuplicateFlag)
    entries = [
        audit.entry_for(
            actor,
            flag,
            AuditAction.DELETE,
            audit.snapshot(flag),
            source="web",
            batch=batch,
            content_type=content_type,
        )
        for flag in stale
    ]
    DuplicateFlag.objects.filter(pk__in=[flag.pk for flag in stale]).delete()
    result: list[DuplicateFlag] = []
    new: list[DuplicateFlag] = []
    for key, flag in wanted.items():
        if key in stored:
            existing = stored[key]
            if existing.detail != flag.detail or existing.similarity != flag.similarity:
                existing.detail, existing.similarity = flag.detail[:500], flag.similarity
                existing.save(update_fields=["detail", "similarity"])
            result.append(existing)
        else:
            new.append(
                DuplicateFlag(
                    project=project,
                    kind=flag.kind,
                    organisation_id=flag.organisation_id,
                    other_project_id=flag.other_project_id,
                    similarity=flag.similarity,
                    detail=flag.detail[:500],
                )
            )
    created = DuplicateFlag.objects.bulk_create(new)
    entries += [
        audit.entry_for(
            actor,
            flag,
            AuditAction.CREATE,
            {},
            source="web",
            batch=batch,
            content_type=content_type,
        )
        for flag in created
    ]
    audit.record_many(entries)
    return sorted(result + created, key=lambda f: f.pk)


def check_duplicates(actor: Any, project: Project) -> list[DuplicateFlag]:
    """Run the duplicate-funding check now and store its flags (for the approval page)."""
    ensure_allowed(actor, project, "view")
    with transaction.atomic():
        return _refresh_flags(actor, project, duplicate_flags(project), uuid.uuid4().hex)
