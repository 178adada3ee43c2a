"""Running a service behind a form or a button; the pieces every filter form is built of.

A view calls a service through `run_service` (a form) or `run_action` (a form-less POST
button). A `ValidationError` the service raises becomes the form's field errors, or error
messages; either helper then returns `FAILED` instead of the service's result. `NotAllowed`
is a `PermissionDenied`: it is left to Django, which answers 403.

    if form.is_valid() and (council := run_service(form, lambda: create(...))) is not FAILED:
        return redirect(council)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")


class Failed(enum.Enum):
    """The type of `FAILED`."""

    FAILED = "failed"


FAILED: Final = Failed.FAILED
"""What `run_service` and `run_action` return when the service raised a ValidationError."""


def add_model_errors(
    form: forms.BaseForm, error: ValidationError, rename: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form fields it names (others on top);
    `rename` maps a model field to the form field that stands for it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, field_messages in error.message_dict.items():
        field = (rename or {}).get(name, name)
        form.add_error(field if field in form.fields else None, field_messages)


def run_service(
    form: forms.BaseForm, action: Callable[[], T], rename: Mapping[str, str] | None = None
) -> T | Failed:
    """`action()`'s result, or FAILED with its ValidationError on the form."""
    try:
        return action()
    except ValidationError as error:
        add_model_errors(form, error, rename)
        return FAILED


def run_action(request: HttpRequest, action: Callable[[], T]) -> T | Failed:
    """`action()`'s result, or FAILED with its ValidationError as error messages."""
    try:
        return action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return FAILED


# A list page's filters are a GET form: every field optional, KRDS-styled, a bad value
# reported on its field and that filter ignored.

ALL: list[tuple[str, Any]] = [("", _("전체"))]
INPUT = {"class": "krds-input"}
SELECT = {"class": "krds-form-select"}


def filter_select(choices: Any = (), **kwargs: Any) -> forms.ChoiceField:
    """An optional select of a filter form (its choices are often set per request)."""
    return forms.ChoiceField(
        choices=choices, required=False, widget=forms.Select(attrs=SELECT), **kwargs
    )


def search_field(label: Any, placeholder: Any) -> forms.CharField:
    """The free-text search box of a filter form."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={**INPUT, "placeholder": placeholder, "type": "search"}),
    )


class FilterForm(forms.Form):
    """A GET filter form: a bad value is reported on its field and that filter ignored."""

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return None
        self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name) or None


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, known to be a ChoiceField (to set its choices per request)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field
