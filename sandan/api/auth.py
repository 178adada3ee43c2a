"""API authentication: `Authorization: Bearer <token>`, or the browser's session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from sandan.accounts.models import ApiToken

TOUCH_EVERY = timedelta(minutes=5)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        now = timezone.now()
        found = ApiToken.objects.find(token, stale_before=now - TOUCH_EVERY)
        if found is None:
            return None
        if found.needs_touch:
            # A conditional update, at most every few minutes: reads stay reads.
            ApiToken.objects.filter(pk=found.token_id).update(last_used_at=now)
        request.user = found.user
        return found.user


class Session(SessionAuth):
    """The logged-in browser user (GET only needs no CSRF token)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user or None
