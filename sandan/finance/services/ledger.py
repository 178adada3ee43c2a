"""Every movement of money, each in one database transaction that locks the lines it reads.

The invariants (ADR 0019): a line never passes down more than it received (children ≤
parent), never reserves more than it has left (commitments ≤ allocation), a project is never
paid more than it was committed, and no figure goes below zero. Each service locks the
lines whose balances it checks (`SELECT … FOR UPDATE` on PostgreSQL; SQLite takes its one
write lock), re-reads the balances under the lock, then writes one append-only transaction
and its audit entry. A refusal raises `Overspend` with the amount that was available.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import NotAllowed, ensure_allowed
from sandan.finance import selectors
from sandan.finance.models import BudgetLine, LedgerTransaction

K = LedgerTransaction.Kind


class Overspend(ValidationError):
    """An invariant would break; `available_krw` is what the line (or project) had left."""

    def __init__(self, message: str, available_krw: int, field: str = "amount_krw") -> None:
        super().__init__({field: [message]}, code="overspend")
        self.available_krw = available_krw
        self.detail = message


def _won(value: int) -> str:
    return f"{value:,}"


def clean_amount(value: Any) -> int:
    """A positive whole number of won; anything else is a field error."""
    if isinstance(value, bool) or value is None:
        raise ValidationError({"amount_krw": _("금액은 원 단위 정수로 적어 주세요.")})
    try:
        amount = int(value)
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        if isinstance(value, str) and value.strip() != str(amount):
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"amount_krw": _("금액은 원 단위 정수로 적어 주세요.")}) from None
    if amount <= 0:
        raise ValidationError({"amount_krw": _("금액은 0원보다 커야 합니다.")})
    return amount


def _check_open(line: BudgetLine) -> None:
    if line.program_year.status == line.program_year.Status.CLOSED:
        raise ValidationError(
            {
                "line": _("%(year)s년 사업은 종료되어 예산을 움직일 수 없습니다.")
                % {"year": line.program_year.year}
            }
        )


def _lock(*lines: BudgetLine) -> list[BudgetLine]:
    """Lock the lines in one order (ascending id: a parent is always older than its
    children), so that two services locking overlapping lines cannot deadlock."""
    ids = sorted({line.pk for line in lines})
    locked = {
        line.pk: line
        for line in BudgetLine.objects.select_for_update(of=("self",))
        .select_related("program_year")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    return [locked[line.pk] for line in lines]


def _record(
    actor: Any,
    line: BudgetLine,
    kind: str,
    amount: int,
    *,
    project_id: int | None = None,
    reason: str = "",
    approved_by: Any = None,
    transfer: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    entry = LedgerTransaction.objects.create(
        line=line,
        kind=kind,
        amount_krw=amount,
        project_id=project_id,
        reason=reason[:300],
        approved_by=approved_by,
        transfer=transfer,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now or timezone.now(),
    )
    audit.record(actor, entry, AuditAction.CREATE, source=source, reason=reason)
    return entry


def _may_move(actor: Any, line: BudgetLine) -> None:
    """Moving money out of a line needs "change" on that line."""
    ensure_allowed(actor, line, "change")


@transaction.atomic
def allocate(
    actor: Any,
    line: BudgetLine,
    amount_krw: Any,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    """배정: the line receives money from its parent, or the year total from the year's budget."""
    amount = clean_amount(amount_krw)
    if line.parent_id is None:
        (line,) = _lock(line)
        _check_open(line)
        _may_move(actor, line)
        available = line.program_year.budget_total_krw - selectors.line_sums(line).allocated_krw
        where = _("%(year)s년 총 예산") % {"year": line.program_year.year}
    else:
        parent, line = _lock(line.parent, line)  # type: ignore[arg-type]
        _check_open(line)
        _may_move(actor, parent)
        available = selectors.balance_of(parent).available_krw
        where = parent.name
    if amount > available:
        raise Overspend(
            _("%(where)s의 배정 가능액은 %(available)s원입니다. %(amount)s원을 배정할 수 없습니다.")
            % {"where": where, "available": _won(available), "amount": _won(amount)},
            available,
        )
    return _record(actor, line, K.ALLOCATE, amount, reason=reason, now=now, source=source)


@transaction.atomic
def reallocate(
    actor: Any,
    source_line: BudgetLine,
    target_line: BudgetLine,
    amount_krw: Any,
    *,
    reason: str,
    approver: Any,
    now: dt.datetime | None = None,
    source: str = "web",
) -> tuple[LedgerTransaction, LedgerTransaction]:
    """전용: move money between two lines of one parent, with a reason and the approval of a
    role above the requester (someone with "approve" on both lines, not the requester)."""
    amount = clean_amount(amount_krw)
    why = (reason or "").strip()
    if not why:
        raise ValidationError({"reason": _("전용 사유를 적어 주세요.")})
    if source_line.parent_id is None or source_line.parent_id != target_line.parent_id:
        raise ValidationError({"line": _("같은 상위 항목 아래의 항목끼리만 전용할 수 있습니다.")})
    if source_line.pk == target_line.pk:
        raise ValidationError({"line": _("같은 항목으로는 전용할 수 없습니다.")})
    from_line, to_line = _lock(source_line, target_line)
    _check_open(from_line)
    _may_move(actor, from_line)
    _may_move(actor, to_line)
    if approver is None or getattr(approver, "pk", None) == getattr(actor, "pk", object()):
        raise NotAllowed(_("전용은 요청자가 아닌 상급 승인권자가 승인해야 합니다."))
    ensure_allowed(approver, from_line, "approve")
    ensure_allowed(approver, to_line, "approve")
    available = selectors.balance_of(from_line).available_krw
    if amount > available:
        raise Overspend(
            _("%(where)s의 전용 가능액은 %(available)s원입니다.")
            % {"where": from_line.name, "available": _won(available)},
            available,
        )
    pair = uuid.uuid4().hex
    common: dict[str, Any] = {
        "reason": why,
        "approved_by": approver,
        "transfer": pair,
        "now": now,
        "source": source,
    }
    out = _record(actor, from_line, K.REALLOCATE_OUT, amount, **common)
    into = _record(actor, to_line, K.REALLOCATE_IN, amount, **common)
    return out, into


def _commit_locked(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount: int,
    *,
    reason: str,
    now: dt.datetime | None,
    source: str,
) -> LedgerTransaction:
    if line.kind != BudgetLine.Kind.CATEGORY:
        raise ValidationError({"line": _("과제 약정은 지원서비스 분야 항목에만 할 수 있습니다.")})
    available = selectors.balance_of(line).available_krw
    if amount > available:
        raise Overspend(
            _(
                "%(where)s의 약정 가능액은 %(available)s원입니다. "
                "정부지원금 %(amount)s원을 약정할 수 없습니다."
            )
            % {"where": line.name, "available": _won(available), "amount": _won(amount)},
            available,
        )
    return _record(
        actor, line, K.COMMIT, amount, project_id=project_id, reason=reason, now=now, source=source
    )


@transaction.atomic
def commit(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount_krw: Any,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    """약정: reserve a project's public grant on a category line (needs "change" on it)."""
    amount = clean_amount(amount_krw)
    (line,) = _lock(line)
    _check_open(line)
    _may_move(actor, line)
    return _commit_locked(actor, line, project_id, amount, reason=reason, now=now, source=source)


@transaction.atomic
def commit_grant(
    actor: Any,
    *,
    program_year_id: int,
    hub_id: int,
    category_id: int,
    linkage: bool,
    project_id: int,
    amount_krw: int,
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    """The commitment of an approved project, called by support's approval inside its own
    transaction: the approver's authority over the project is the authority to commit, so
    the line's scope is not checked again (a regional HQ approves a linkage project of its
    zone, whose money is on the national linkage line)."""
    amount = clean_amount(amount_krw)
    line = selectors.line_for_project(program_year_id, hub_id, category_id, linkage)
    if line is None:
        raise Overspend(
            _(
                "이 과제의 예산 항목(%(which)s)이 아직 편성되지 않아 "
                "정부지원금을 약정할 수 없습니다."
            )
            % {"which": _("전국 연계 과제") if linkage else _("거점단지의 지원서비스 분야")},
            0,
            field="budget_lines",
        )
    (line,) = _lock(line)
    _check_open(line)
    try:
        return _commit_locked(
            actor, line, project_id, amount, reason=_("과제 승인"), now=now, source=source
        )
    except Overspend as refused:
        raise Overspend(refused.detail, refused.available_krw, field="budget_lines") from None


def _project_move(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount: int | None,
    kind: str,
    *,
    reason: str,
    now: dt.datetime | None,
    source: str,
    check: bool = True,
) -> LedgerTransaction | None:
    """One project movement on a line; `amount=None` takes all that is available (settle)."""
    (line,) = _lock(line)
    _check_open(line)
    if check:
        _may_move(actor, line)
    sums = selectors.project_sums(project_id, line)
    if kind == K.DISBURSE:
        available = sums.undisbursed_krw
        message = _("이 과제의 미집행 약정액은 %(available)s원입니다. 그 이상 집행할 수 없습니다.")
    elif kind == K.RETURN:
        available = sums.disbursed_krw
        message = _("이 과제에 집행된 금액은 %(available)s원입니다. 그 이상 반납할 수 없습니다.")
    else:
        available = sums.undisbursed_krw
        message = _("이 과제의 미집행 약정액은 %(available)s원입니다. 그 이상 정산할 수 없습니다.")
    if amount is None:
        if available <= 0:
            return None
        amount = available
    if amount > available:
        raise Overspend(message % {"available": _won(available)}, available)
    return _record(
        actor, line, kind, amount, project_id=project_id, reason=reason, now=now, source=source
    )


@transaction.atomic
def disburse(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount_krw: Any,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    """집행: pay the project, at most what is committed to it on the line and not yet paid."""
    amount = clean_amount(amount_krw)
    moved = _project_move(
        actor, line, project_id, amount, K.DISBURSE, reason=reason, now=now, source=source
    )
    assert moved is not None
    return moved


@transaction.atomic
def return_funds(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount_krw: Any,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction:
    """반납: the project pays back part of what it was paid; the money is the line's again."""
    amount = clean_amount(amount_krw)
    moved = _project_move(
        actor, line, project_id, amount, K.RETURN, reason=reason, now=now, source=source
    )
    assert moved is not None
    return moved


@transaction.atomic
def settle(
    actor: Any,
    line: BudgetLine,
    project_id: int,
    amount_krw: Any = None,
    *,
    reason: str = "",
    now: dt.datetime | None = None,
    source: str = "web",
) -> LedgerTransaction | None:
    """정산: release the unpaid rest of the project's commitment on the line (all of it when
    no amount is given); None when nothing is left to release."""
    amount = None if amount_krw is None else clean_amount(amount_krw)
    return _project_move(
        actor, line, project_id, amount, K.SETTLE, reason=reason, now=now, source=source
    )


@transaction.atomic
def settle_project(
    actor: Any,
    project_id: int,
    *,
    reason: str,
    now: dt.datetime | None = None,
    source: str = "web",
) -> list[LedgerTransaction]:
    """Release every line's unpaid commitment of a project (settlement, or cancellation).
    Runs as the system on the lines: the caller has checked its authority over the project."""
    lines = BudgetLine.objects.filter(transactions__project_id=project_id).distinct()
    done = []
    for line in lines.order_by("pk"):
        moved = _project_move(
            actor,
            line,
            project_id,
            None,
            K.SETTLE,
            reason=reason,
            now=now,
            source=source,
            check=False,
        )
        if moved is not None:
            done.append(moved)
    return done
