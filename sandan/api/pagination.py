"""The one pagination of every API list: `limit` / `offset`, answered as
{"items": [...], "count": N}.

ninja's own class leaves `offset` unbounded, and an offset beyond a database integer
overflowed into a 500; here it is bounded (422 with a message instead).

`Rows(queryset, Schema)` is what a list endpoint returns when its schema is a
`schemas.Row`: the filtered queryset is counted as it is (no joins), and only the page is
read, as `values()` of the schema's lookups.
"""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from sandan.api.schemas import Row

MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def _items_count(self, queryset: Any) -> int:
        if isinstance(queryset, QuerySet | Rows):
            return int(queryset.count())
        return len(queryset)


class Rows:
    """The rows of a list endpoint whose schema reads `values()` (see `schemas.Row`)."""

    def __init__(self, queryset: QuerySet[Any], schema: type[Row]) -> None:
        self.queryset = queryset
        self.schema = schema

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return list(self.queryset.values(*self.schema.lookups())[page])
