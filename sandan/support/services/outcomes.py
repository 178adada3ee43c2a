"""Outcomes of the participating firms and their one-time satisfaction surveys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sandan.core import audit
from sandan.core.models import AuditAction
from sandan.core.services import create_object, ensure_allowed
from sandan.registry.models import Organisation
from sandan.support.models import (
    OUTCOME_FIGURES,
    SURVEY_ITEMS,
    Outcome,
    Project,
    Survey,
    SurveyResponse,
)
from sandan.support.selectors import rule_of
from sandan.support.services._common import _now, _update, _user, clean_text

DEFAULT_SURVEY_VALID_DAYS = 30


def survey_link(token: str) -> str:
    """The absolute address of a survey (it goes out by e-mail): SANDAN_SITE_URL + path."""
    from django.urls import reverse

    return f"{settings.SANDAN_SITE_URL}{reverse('support:survey_answer', args=[token])}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _survey_message(survey: Survey, project: Project, token: str, connection: Any) -> Any:
    from django.core.mail import EmailMessage

    subject = _("[산단] 지원과제 만족도 조사: %(title)s") % {"title": project.title}
    body = _(
        "%(org)s 담당자님,\n\n'%(title)s' 과제가 완료되었습니다. 아래 링크에서 만족도 조사에 "
        "답해 주세요(5개 문항, 약 2분). 링크는 한 번만 쓸 수 있고 %(expires)s까지 "
        "유효합니다.\n\n%(link)s\n"
    ) % {
        "org": survey.organisation.name_ko,
        "title": project.title,
        "expires": timezone.localtime(survey.expires_at).strftime("%Y-%m-%d"),
        "link": survey_link(token),
    }
    return EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [survey.email], connection=connection
    )


def _new_survey(
    project: Project, organisation: Organisation, when: dt.datetime
) -> tuple[Survey, str]:
    token = secrets.token_urlsafe(32)
    days = int(rule_of(project.program_year, "survey_valid_days", DEFAULT_SURVEY_VALID_DAYS))
    survey = Survey(
        project=project,
        organisation=organisation,
        email=(organisation.contact_email or "").strip(),
        token_hash=hash_token(token),
        sent_at=when,
        expires_at=when + dt.timedelta(days=days),
    )
    return survey, token


def resend_survey(
    actor: Any, survey: Survey, *, now: dt.datetime | None = None, connection: Any = None
) -> str:
    """A new one-time link for an unanswered survey (the old one stops working)."""
    from django.core.mail import get_connection

    if survey.answered_at is not None:
        raise ValidationError({"survey": _("이미 응답한 조사입니다.")})
    ensure_allowed(actor, survey.project, "change")
    when = _now(now)
    fresh, token = _new_survey(survey.project, survey.organisation, when)
    updated = _update(
        actor,
        survey,
        {
            "token_hash": fresh.token_hash,
            "sent_at": when,
            "expires_at": fresh.expires_at,
            "email": fresh.email,
        },
        check_action="view",
    )
    if updated.email:
        message = _survey_message(updated, survey.project, token, connection)
        (connection or get_connection()).send_messages([message])
    return token


# Outcomes and surveys ---------------------------------------------------------------


def record_outcome(
    actor: Any,
    project: Project,
    organisation: Organisation,
    *,
    now: dt.datetime | None = None,
    note: Any = "",
    source: str = "web",
    **figures: Any,
) -> Outcome:
    """성과 of one participating firm: counts and amounts (non-negative integers) and its
    before/after figures. Recording again updates the same row."""
    unknown = set(figures) - set(OUTCOME_FIGURES)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("알 수 없는 성과 항목입니다.")})
    if project.status not in (Project.Status.IN_PROGRESS, Project.Status.COMPLETED):
        raise ValidationError(
            {"project": _("수행 중이거나 완료된 과제에만 성과를 적을 수 있습니다.")}
        )
    if not project.participants.filter(
        organisation=organisation, organisation__kind=Organisation.Kind.COMPANY
    ).exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s은(는) 이 과제의 참여기업이 아닙니다.")
                % {"org": organisation}
            }
        )
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, raw in figures.items():
        if raw is None or raw == "":
            values[name] = (
                None
                if name.endswith(
                    ("_before", "_after", "_before_krw", "_after_krw", "_before_usd", "_after_usd")
                )
                else 0
            )
            continue
        try:
            number = int(raw)
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = [_("정수로 적어 주세요.")]
            continue
        if number < 0:
            errors[name] = [_("0 이상이어야 합니다.")]
            continue
        if number > 9_000_000_000_000_000:
            errors[name] = [_("값이 너무 큽니다.")]
            continue
        values[name] = number
    if errors:
        raise ValidationError(errors)
    values["note"] = clean_text(note, "note", required=False)
    values["recorded_by"] = _user(actor)
    values["recorded_at"] = _now(now)
    ensure_allowed(actor, project, "change")
    with transaction.atomic():
        existing = (
            Outcome.objects.select_for_update()
            .filter(project=project, organisation=organisation)
            .first()
        )
        if existing is not None:
            return _update(actor, existing, values, source=source)
        return create_object(
            actor,
            Outcome,
            {"project": project, "organisation": organisation, **values},
            source=source,
        )


def answer_survey(
    token: str, answers: Mapping[str, Any], comment: Any = "", *, now: dt.datetime | None = None
) -> SurveyResponse:
    """The firm's answers through its one-time link: five items, 1–5 each, and a comment.
    A used, replaced or expired link is refused and nothing changes."""
    when = _now(now)
    errors: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for item in SURVEY_ITEMS:
        raw = answers.get(item)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors[item] = [_("1점부터 5점 중에서 골라 주세요.")]
            continue
        if not 1 <= value <= 5 or (isinstance(raw, float) and not raw.is_integer()):
            errors[item] = [_("1점부터 5점 중에서 골라 주세요.")]
            continue
        scores[item] = value
    try:
        text = clean_text(comment, "comment", required=False)
    except ValidationError as error:
        errors.update(error.message_dict)
        text = ""
    digest = hash_token(str(token or ""))
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(token_hash=digest).first()
        if survey is None:
            raise ValidationError(
                {"token": _("유효하지 않은 조사 링크입니다. 메일의 링크를 다시 확인해 주세요.")}
            )
        if survey.answered_at is not None:
            raise ValidationError(
                {"token": _("이미 응답한 조사입니다. 링크는 한 번만 쓸 수 있습니다.")}, code="used"
            )
        if survey.expires_at <= when:
            raise ValidationError({"token": _("조사 기간이 끝난 링크입니다.")}, code="expired")
        if errors:
            raise ValidationError(errors)
        before = audit.snapshot(survey)
        response = SurveyResponse.objects.create(
            survey=survey, comment=text, answered_at=when, **scores
        )
        survey.answered_at = when
        survey.save(update_fields=["answered_at"])
        audit.record(None, response, AuditAction.CREATE, source="survey")
        audit.record(None, survey, AuditAction.UPDATE, before, source="survey")
    return response


def survey_by_token(token: str) -> Survey | None:
    """The survey a link opens (for the answer page), or None."""
    return (
        Survey.objects.select_related("project", "organisation")
        .filter(token_hash=hash_token(str(token or "")))
        .first()
    )
