"""One clock for every business "today" and "now" (ADR 0017).

A site may run "as of" a date (`settings.SANDAN_AS_OF`, e.g. the demo's world of 2010): then
today is that date and now is that date at the real time of day, so new work, its audit
entries and every deadline agree with the data already there. Without it the clock is the
real one. Security timing (sessions, tokens, throttling) keeps the real clock.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

_override: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar(
    "sandan_as_of", default=None
)


def _parse(value: object) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def as_of() -> dt.date | None:
    """The date the site is held at, or None when it runs on the real date."""
    return _override.get() or _parse(getattr(settings, "SANDAN_AS_OF", ""))


def today() -> dt.date:
    return as_of() or timezone.localdate()


def now() -> dt.datetime:
    real = timezone.now()
    day = as_of()
    if day is None:
        return real
    return timezone.make_aware(dt.datetime.combine(day, timezone.localtime(real).time()))


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of a local day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_end(day: dt.date) -> dt.datetime:
    """The first instant after a local day."""
    return day_start(day + dt.timedelta(days=1))


@contextmanager
def held_at(day: dt.date | str | None) -> Iterator[None]:
    """Run the block as of `day` (the demo builders, tests); None keeps the current clock."""
    token = _override.set(_parse(day) or _override.get())
    try:
        yield
    finally:
        _override.reset(token)
