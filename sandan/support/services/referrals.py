"""Referrals of problems to partner agencies (협력기관 연계)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sandan.core.models import AuditEvent
from sandan.core.services import create_object
from sandan.registry.models import Organisation
from sandan.support.models import Problem, Referral
from sandan.support.services._common import _choice, _move, _now, _update, _user, clean_text


def refer_problem(
    actor: Any,
    problem: Problem,
    partner_kind: str,
    agency: Organisation | None = None,
    note: Any = "",
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Referral:
    """협력기관 연계: hand the problem to another agency's program that fits better."""
    problem.refresh_from_db()
    kind = _choice(partner_kind, Referral.PartnerKind, "partner_kind")
    text = clean_text(note, "note", required=False)
    if agency is not None and agency.kind != Organisation.Kind.AGENCY:
        raise ValidationError({"agency": _("%(org)s은(는) 지원기관이 아닙니다.") % {"org": agency}})
    if (
        problem.status not in Problem.TRANSITIONS
        or Problem.Status.REFERRED not in Problem.TRANSITIONS[problem.status]
    ):
        raise ValidationError(
            {
                "problem": _("'%(status)s' 상태의 애로과제는 연계할 수 없습니다.")
                % {"status": problem.get_status_display()}
            }
        )
    if problem.referrals.filter(
        status__in=[Referral.Status.SENT, Referral.Status.ACCEPTED]
    ).exists():
        raise ValidationError({"problem": _("이 애로과제는 이미 연계 중입니다.")})
    when = _now(now)
    with transaction.atomic():
        referral = create_object(
            actor,
            Referral,
            {
                "problem": problem,
                "agency": agency,
                "partner_kind": kind,
                "note": text,
                "referred_by": _user(actor),
                "referred_at": when,
            },
            source=source,
            event=AuditEvent.REFERRED,
        )
        _update(
            actor,
            problem,
            {"status": Problem.Status.REFERRED},
            source=source,
            event=AuditEvent.REFERRED,
        )
    return referral


def update_referral(
    actor: Any,
    referral: Referral,
    status: str,
    outcome: Any = "",
    *,
    now: dt.datetime | None = None,
    source: str = "web",
) -> Referral:
    """sent → accepted | declined; accepted → completed | declined. A completed referral
    closes the problem; a declined one sends it back (triaged/matched, or submitted)."""
    new = _choice(status, Referral.Status, "status")
    referral.refresh_from_db()
    _move(Referral, referral.status, new)
    text = clean_text(outcome, "outcome", required=new == Referral.Status.COMPLETED)
    when = _now(now)
    fields: dict[str, Any] = {"status": new, "outcome": text or referral.outcome}
    if new in (Referral.Status.DECLINED, Referral.Status.COMPLETED):
        fields["closed_at"] = when
    problem = Problem.objects.get(pk=referral.problem_id)
    with transaction.atomic():
        result = _update(actor, referral, fields, source=source)
        if problem.status == Problem.Status.REFERRED:
            if new == Referral.Status.COMPLETED:
                _update(
                    actor,
                    problem,
                    {
                        "status": Problem.Status.CLOSED,
                        "closed_at": when,
                        "resolved_at": problem.resolved_at or when,
                        "close_reason": _("협력기관 연계로 지원 완료"),
                    },
                    source=source,
                )
            elif new == Referral.Status.DECLINED:
                if problem.category_id is None:
                    back = Problem.Status.SUBMITTED
                elif problem.assignments.exists():
                    back = Problem.Status.MATCHED
                else:
                    back = Problem.Status.TRIAGED
                _update(actor, problem, {"status": back}, source=source)
    return result
