"""Helpers shared by the support services: time, actor, status moves, text checks, files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _

from sandan.core import clock
from sandan.core.files import check_attachment
from sandan.core.services import create_object, update_following, update_object
from sandan.support.models import TEXT_MAX, TITLE_MAX, Problem, Project

M = TypeVar("M", bound=models.Model)

FUNDED = (Project.Status.APPROVED, Project.Status.IN_PROGRESS, Project.Status.COMPLETED)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or clock.now()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _label(choices: Any, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def _move(model: Any, current: str, new: str, field: str = "status") -> None:
    if new not in model.TRANSITIONS.get(current, ()):
        raise ValidationError(
            {
                field: _("'%(old)s'에서 '%(new)s'(으)로 바꿀 수 없습니다.")
                % {"old": _label(model.Status, current), "new": _label(model.Status, new)}
            }
        )


def _gather(errors: dict[str, list[str]], *checks: tuple[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check, so that all that is wrong is said at once: {name: value} of those
    that pass; the messages of those that fail are added to `errors` under their keys."""
    values: dict[str, Any] = {}
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    return values


def _update(actor: Any, instance: M, fields: Mapping[str, Any], **kwargs: Any) -> M:
    """`update_object`, then the caller's instance shows the saved values too."""
    saved = update_object(actor, instance, fields, **kwargs)
    instance.refresh_from_db()
    return saved


def _update_problem_of(
    actor: Any,
    project: Project,
    action: str,
    problem: Problem,
    fields: Mapping[str, Any],
    *,
    source: str,
    reason: str = "",
) -> Problem:
    """A problem of `project` moves on because the actor did `action` to the project
    (approve, start, complete, cancel): the right is the project's, so a problem of a firm
    of another zone in the project moves too (see `update_following`)."""
    saved = update_following(
        actor,
        problem,
        fields,
        cause=project,
        cause_action=action,
        belongs=lambda: project.problems.filter(pk=problem.pk).exists(),
        source=source,
        reason=reason,
    )
    problem.refresh_from_db()
    return saved


# Text -------------------------------------------------------------------------------


def clean_text(value: Any, field: str, *, maximum: int = TEXT_MAX, required: bool = True) -> str:
    """Stripped text (line ends kept), or a ValidationError on `field`: empty or too long."""
    text = str(value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("내용을 적어 주세요. 비워 둘 수 없습니다.")})
    if len(text) > maximum:
        raise ValidationError(
            {
                field: _("%(max)s자 이내로 적어 주세요. 지금 %(len)s자입니다.")
                % {"max": f"{maximum:,}", "len": f"{len(text):,}"}
            }
        )
    return text


def _clean_title(value: Any, field: str = "title") -> str:
    text = " ".join(str(value or "").split())
    return clean_text(text, field, maximum=TITLE_MAX)


def _choice(value: Any, choices: Any, field: str, default: str | None = None) -> str:
    text = str(value or "").strip() or (default or "")
    if text not in choices.values:
        raise ValidationError(
            {
                field: _(
                    "'%(value)s'은(는) 고를 수 있는 값이 아닙니다. 고를 수 있는 값: %(allowed)s"
                )
                % {
                    "value": text,
                    "allowed": ", ".join(str(label) for label in choices.labels),
                }
            }
        )
    return text


def _store_file(
    actor: Any,
    model: type[M],
    owner: Mapping[str, Any],
    upload: UploadedFile,
    *,
    title: str = "",
    source: str,
) -> M:
    """A checked upload saved as a `model` row of `owner` (title: given or the file's name)."""
    content_type, size = check_attachment(upload)
    return create_object(
        actor,
        model,
        {
            **owner,
            "file": upload,
            "title": (title.strip() or Path(upload.name or "").name)[:200],
            "content_type": content_type,
            "size_bytes": size,
            "uploaded_by": _user(actor),
        },
        source=source,
    )
