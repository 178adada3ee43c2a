"""A project's budget lines and the year's cost-share rule."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import ensure_allowed
from sandan.registry.models import Organisation
from sandan.support.funding import check_public_grant
from sandan.support.models import BudgetLine, Project
from sandan.support.selectors import rule_of
from sandan.support.services.projects import _check_editable


def set_budget_lines(
    actor: Any,
    project: Project,
    lines: Iterable[Mapping[str, Any]],
    *,
    reason: str = "",
    source: str = "web",
) -> list[BudgetLine]:
    """Replace the project's budget: lines of kind (public_grant / firm_cash / firm_in_kind),
    amount_krw (> 0), organisation (a participant; required for the firm's shares), note."""
    why = _check_editable(project, reason)
    ensure_allowed(actor, project, "change")
    kinds: dict[int, str] = dict(
        project.participants.filter(organisation__isnull=False).values_list(
            "organisation_id", "organisation__kind"
        )
    )
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):

        def bad(field: str, message: str, number: int = number) -> None:
            errors.setdefault(field, []).append(
                _("%(row)d번째 줄: %(message)s") % {"row": number, "message": message}
            )

        kind = str(line.get("kind") or "")
        if kind not in BudgetLine.Kind.values:
            bad("kind", _("재원 구분이 올바르지 않습니다."))
            continue
        raw = line.get("amount_krw")
        try:
            amount = int(raw)  # type: ignore[arg-type]
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            bad("amount_krw", _("금액은 원 단위 정수로 적어 주세요."))
            continue
        if amount <= 0:
            bad("amount_krw", _("금액은 0원보다 커야 합니다."))
            continue
        organisation = line.get("organisation")
        org_id: int | None = getattr(organisation, "pk", organisation)
        if kind != BudgetLine.Kind.PUBLIC_GRANT and org_id is None:
            bad("organisation", _("기업부담금은 부담하는 기업을 적어야 합니다."))
            continue
        if org_id is not None and org_id not in kinds:
            bad("organisation", _("이 과제의 참여기관이 아닙니다."))
            continue
        if (
            kind != BudgetLine.Kind.PUBLIC_GRANT
            and kinds.get(org_id or 0) != Organisation.Kind.COMPANY
        ):
            bad("organisation", _("기업부담금은 참여기업만 낼 수 있습니다."))
            continue
        note = str(line.get("note") or "").strip()
        if len(note) > 200:
            bad("note", _("비고는 200자 이내로 적어 주세요."))
            continue
        cleaned.append(
            {"kind": kind, "amount_krw": amount, "organisation_id": org_id, "note": note}
        )
    if errors:
        raise ValidationError(errors)
    if any(line["kind"] == BudgetLine.Kind.PUBLIC_GRANT for line in cleaned):
        check_public_grant(project, "kind")
    batch = uuid.uuid4().hex
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        old = list(locked.budget_lines.all())
        content_type = ContentType.objects.get_for_model(BudgetLine)
        entries = [
            audit.entry_for(
                actor,
                line,
                AuditAction.DELETE,
                audit.snapshot(line),
                source=source,
                batch=batch,
                reason=why,
                content_type=content_type,
            )
            for line in old
        ]
        BudgetLine.objects.filter(pk__in=[line.pk for line in old]).delete()
        created = BudgetLine.objects.bulk_create(
            BudgetLine(project=locked, **values) for values in cleaned
        )
        entries += [
            audit.entry_for(
                actor,
                line,
                AuditAction.CREATE,
                {},
                source=source,
                batch=batch,
                reason=why,
                content_type=content_type,
            )
            for line in created
        ]
        audit.record_many(entries)
    return created


@dataclass(frozen=True)
class CostShare:
    public_krw: int
    firm_cash_krw: int
    firm_in_kind_krw: int
    min_pct: float

    @property
    def total_krw(self) -> int:
        return self.public_krw + self.firm_cash_krw + self.firm_in_kind_krw

    @property
    def firm_pct(self) -> float:
        return (
            100.0 * (self.firm_cash_krw + self.firm_in_kind_krw) / self.total_krw
            if self.total_krw
            else 0.0
        )

    @property
    def ok(self) -> bool:
        return self.total_krw > 0 and self.firm_pct + 1e-9 >= self.min_pct


def cost_share(project: Project) -> CostShare:
    sums = dict(
        project.budget_lines.values("kind").annotate(s=Sum("amount_krw")).values_list("kind", "s")
    )
    return CostShare(
        public_krw=int(sums.get(BudgetLine.Kind.PUBLIC_GRANT, 0) or 0),
        firm_cash_krw=int(sums.get(BudgetLine.Kind.FIRM_CASH, 0) or 0),
        firm_in_kind_krw=int(sums.get(BudgetLine.Kind.FIRM_IN_KIND, 0) or 0),
        min_pct=float(rule_of(project.program_year, "firm_cost_share_min_pct", 20)),
    )


def check_cost_share(project: Project) -> CostShare:
    share = cost_share(project)
    if share.public_krw:
        check_public_grant(project)
    if share.total_krw == 0:
        raise ValidationError(
            {"budget_lines": _("사업비가 없습니다. 정부지원금과 기업부담금을 적어 주세요.")}
        )
    if not share.ok:
        raise ValidationError(
            {
                "budget_lines": _(
                    "기업부담 비율이 %(pct).1f%%로 %(year)s년 기준(%(min)s%% 이상)에 못 미칩니다. "
                    "총사업비 %(total)s원 중 기업부담(현금+현물)이 %(need)s원 이상이어야 합니다."
                )
                % {
                    "pct": share.firm_pct,
                    "year": project.program_year.year,
                    "min": f"{share.min_pct:g}",
                    "total": f"{share.total_krw:,}",
                    "need": f"{math.ceil(share.total_krw * share.min_pct / 100):,}",
                }
            }
        )
    return share
