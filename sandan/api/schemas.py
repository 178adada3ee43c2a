"""Schemas every app's API shares: `Row`, the base of list rows, and the error body.

Related rows appear by their natural codes; personal data is masked for rows that the
selector did not flag `contact_visible`. Each app's own schemas live in its `api.py`."""

from __future__ import annotations

from typing import Any, ClassVar

from ninja import Schema
from pydantic import BaseModel, model_validator

from sandan.core.privacy import mask_unless_visible


class Row(BaseModel):
    """One row of an API list, read from `QuerySet.values(*Row.lookups())`.

    A field that comes from a related row names its lookup as `validation_alias`
    (`zone: str = Field(validation_alias="province__zone__code")`); the output keeps the
    field's name. Validating plain dicts is several times cheaper per row than building
    model instances and reading them through ninja's attribute resolver (ADR 0006).
    Fields named in `personal` are masked unless the row's `contact_visible` is true
    (`sandan.core.privacy`).
    """

    personal: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def lookups(cls) -> list[str]:
        names = [str(field.validation_alias or name) for name, field in cls.model_fields.items()]
        return [*names, "contact_visible"] if cls.personal else names

    @model_validator(mode="before")
    @classmethod
    def _mask_personal(cls, data: Any) -> Any:
        if cls.personal and isinstance(data, dict):
            mask_unless_visible(data, cls.personal)
        return data


class ErrorOut(Schema):
    detail: str
