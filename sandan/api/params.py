"""Bounded query and body parameters shared by every API router.

An id or a year beyond what the database stores, a date at the edge of the calendar, or a
NUL character (which PostgreSQL refuses in text) is answered with a 422 and a message
instead of overflowing into a 500.
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


# A code (zone, province, office, KICOX id, category) and a free-text search.
Code = Annotated[str, StringConstraints(max_length=40), AfterValidator(no_nul)]
Search = Annotated[str, StringConstraints(max_length=200), AfterValidator(no_nul)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Year = Annotated[int, Field(ge=2000, le=2100)]
Day = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
# Free text in a request body: the services check the real limits with Korean messages;
# this only keeps NUL and absurd sizes out.
Text = Annotated[str, StringConstraints(max_length=50_000), AfterValidator(no_nul)]
