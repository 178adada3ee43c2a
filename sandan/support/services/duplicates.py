"""The duplicate-funding check of a project (same firm, year and category; a near-copy of
another funded project's text; a firm's public grant of the year beyond the cap)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
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
DEFAULT_FIRM_GRANT_CAP_KRW = 100_000_000


# Text similarity ----------------------------------------------------------------------


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


# The rule, over plain data -------------------------------------------------------------


@dataclass(frozen=True)
class Funding:
    """A project as the duplicate-funding rule sees it: plain data, no database.

    `key` is whatever the caller knows the project by (its id); it comes back as a flag's
    `other_project_id`. `category` is compared for equality only (id or code). `firms` are
    the participating firms (organisation ids); `grants` the public grant each of them gets
    from this project."""

    key: Any
    title: str
    text: str
    category: Any
    category_name: str
    firms: Sequence[int]
    grants: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FundingFlag:
    """One finding of the rule: a firm, and the funded project it collides with (none for
    the grant cap)."""

    kind: str
    organisation_id: int
    other_project_id: Any | None
    similarity: float | None
    detail: str


def duplicate_funding_flags(
    candidate: Funding,
    funded: Sequence[Funding],
    *,
    year: int,
    cap_krw: int,
    similarity_threshold: float,
    firm_names: Mapping[int, str] | None = None,
    similarity: Callable[[Sequence[str]], Any] = text_similarity,
) -> list[FundingFlag]:
    """The duplicate-funding rule. For each firm of the candidate, against each project of
    the year already funded for the same firm: the same category, or a text at least
    `similarity_threshold` alike (`similarity` gives a matrix of the texts, candidate
    first); then each firm whose grants of the year, the candidate's included, pass
    `cap_krw`. Funded projects that share no firm with the candidate are ignored."""
    names = firm_names or {}
    others = [other for other in funded if set(other.firms) & set(candidate.firms)]
    scores: list[float] = []
    if others:
        matrix = similarity([candidate.text] + [other.text for other in others])
        scores = [float(matrix[0, i + 1]) for i in range(len(others))]
    flags: list[FundingFlag] = []
    for firm in candidate.firms:
        name = names.get(firm, firm)
        for other, score in zip(others, scores, strict=True):
            if firm not in other.firms:
                continue
            if other.category == candidate.category:
                flags.append(
                    FundingFlag(
                        DuplicateFlag.Kind.SAME_CATEGORY,
                        firm,
                        other.key,
                        None,
                        _(
                            "%(firm)s은(는) 같은 해 같은 분야(%(category)s)의 과제 "
                            "'%(other)s'을(를) 이미 지원받고 "
                            "있습니다."
                        )
                        % {"firm": name, "category": other.category_name, "other": other.title},
                    )
                )
            if score >= similarity_threshold:
                flags.append(
                    FundingFlag(
                        DuplicateFlag.Kind.SIMILAR_TEXT,
                        firm,
                        other.key,
                        round(score, 4),
                        _(
                            "%(firm)s의 과제 '%(other)s'와(과) 내용이 매우 비슷합니다(유사도 "
                            "%(score).2f)."
                        )
                        % {"firm": name, "other": other.title, "score": score},
                    )
                )
    for firm in candidate.firms:
        own = candidate.grants.get(firm, 0)
        before = sum(other.grants.get(firm, 0) for other in others if firm in other.firms)
        if own and before + own > cap_krw:
            flags.append(
                FundingFlag(
                    DuplicateFlag.Kind.OVER_CAP,
                    firm,
                    None,
                    None,
                    _(
                        "%(firm)s의 %(year)s년 정부지원금이 이 과제를 더하면 %(total)s원으로 한도 "
                        "%(cap)s원을 넘습니다."
                    )
                    % {
                        "firm": names.get(firm, firm),
                        "year": year,
                        "total": f"{before + own:,}",
                        "cap": f"{cap_krw:,}",
                    },
                )
            )
    return flags


# The rule applied to stored projects ------------------------------------------------


def duplicate_flags(project: Project) -> list[FundingFlag]:
    """What the duplicate-funding check finds for a project, firm by firm: another funded
    project of the same firm and year in the same category, or with a very similar text;
    and the firm's public grant of the year beyond the cap (`duplicate_funding_flags` over
    the stored projects)."""
    year = project.program_year
    firm_ids = list(
        project.participants.filter(organisation__kind=Organisation.Kind.COMPANY).values_list(
            "organisation_id", flat=True
        )
    )
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
    firms_of: dict[int, list[int]] = {}
    for project_id, org_id in Participant.objects.filter(
        project__in=others, organisation_id__in=firm_ids
    ).values_list("project_id", "organisation_id"):
        firms_of.setdefault(project_id, []).append(org_id)
    grants = _grants_by_firm([project, *others])

    def funding(of: Project, firms: Sequence[int]) -> Funding:
        return Funding(
            key=of.pk,
            title=of.title,
            text=_project_text(of),
            category=of.category_id,
            category_name=str(of.category),
            firms=firms,
            grants={firm: grants[(of.pk, firm)] for firm in firms if (of.pk, firm) in grants},
        )

    return duplicate_funding_flags(
        funding(project, firm_ids),
        [funding(other, firms_of.get(other.pk, [])) for other in others],
        year=year.year,
        cap_krw=int(rule_of(year, "firm_grant_cap_krw", DEFAULT_FIRM_GRANT_CAP_KRW)),
        similarity_threshold=float(
            rule_of(year, "duplicate_similarity_threshold", DEFAULT_SIMILARITY_THRESHOLD)
        ),
        firm_names=dict(Organisation.objects.filter(pk__in=firm_ids).values_list("pk", "name_ko")),
    )


def _refresh_flags(
    actor: Any, project: Project, found: Sequence[FundingFlag], batch: str
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
