"""The one pagination of every API list: `limit` / `offset`, answered as
{"items": [...], "count": N}.

ninja's own class leaves `offset` unbounded, and an offset beyond a database integer
overflowed into a 500; here it is bounded (422 with a message instead).
"""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_OFFSET = 2**31 - 1


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
