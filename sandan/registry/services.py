"""Every write to the registry goes through these functions (views, API, importers, admin)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandan.core.services import create_object, delete_object, update_object
from sandan.registry.models import Complex, ComplexStat, Expert, Industry, Organisation
from sandan.registry.validators import normalise_business_number


def _clean_org_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(fields)
    if cleaned.get("business_number"):
        cleaned["business_number"] = normalise_business_number(cleaned["business_number"])
    elif "business_number" in cleaned:
        cleaned["business_number"] = None
    if cleaned.get("corporate_number"):
        cleaned["corporate_number"] = cleaned["corporate_number"].replace("-", "").strip()
    return cleaned


def create_organisation(actor: Any, *, source: str = "web", **fields: Any) -> Organisation:
    return create_object(actor, Organisation, _clean_org_fields(fields), source=source)


def update_organisation(
    actor: Any, organisation: Organisation, *, source: str = "web", reason: str = "", **fields: Any
) -> Organisation:
    return update_object(
        actor, organisation, _clean_org_fields(fields), source=source, reason=reason
    )


def delete_organisation(actor: Any, organisation: Organisation, *, reason: str = "") -> None:
    delete_object(actor, organisation, reason=reason)


def create_complex(actor: Any, *, source: str = "web", **fields: Any) -> Complex:
    return create_object(actor, Complex, fields, source=source)


def update_complex(
    actor: Any, complex_: Complex, *, source: str = "web", reason: str = "", **fields: Any
) -> Complex:
    return update_object(actor, complex_, fields, source=source, reason=reason)


def record_complex_stat(actor: Any, *, source: str = "web", **fields: Any) -> ComplexStat:
    """Create or update the figures of one complex for one quarter."""
    existing = ComplexStat.objects.filter(
        complex=fields["complex"], year=fields["year"], quarter=fields["quarter"]
    ).first()
    if existing is None:
        return create_object(actor, ComplexStat, fields, source=source)
    return update_object(actor, existing, fields, source=source)


def create_expert(
    actor: Any, *, industries: Iterable[Industry] = (), source: str = "web", **fields: Any
) -> Expert:
    return create_object(actor, Expert, fields, source=source, m2m={"industries": list(industries)})


def update_expert(
    actor: Any,
    expert: Expert,
    *,
    industries: Iterable[Industry] | None = None,
    source: str = "web",
    reason: str = "",
    **fields: Any,
) -> Expert:
    m2m = {"industries": list(industries)} if industries is not None else None
    return update_object(actor, expert, fields, source=source, reason=reason, m2m=m2m)
