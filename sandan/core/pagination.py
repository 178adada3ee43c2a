"""One way to paginate a list page: Django's Paginator, an elided page range."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: Any, per_page: int | None = None) -> dict[str, Any]:
    """`page` for the template; bad page numbers fall back to the first or last page."""
    paginator = Paginator(queryset, per_page or settings.SANDAN_PAGE_SIZE)
    page: Page[Any] = paginator.get_page(request.GET.get("page"))
    return {"page": page}
