"""What the support API tests share: which hubs' rows each role reaches, and a client that
speaks to /api/v1/ as one user, by bearer token.

The world is the support scope world (sandan/support/tests/test_scope.py): three hubs —
Changwon (dongnam, the dongnam branch's), Ulsan (dongnam, no branch) and Banwol (capital) —
each with a problem, a referral, a project with participants, an outcome and an answered
survey. The company user is (주)창원기계 of Changwon; the expert user 박지훈 is assigned to
the Changwon problem and takes part in the Changwon project. The Banwol project is
inter-zone: 울산화학(주) of the dongnam zone takes part in it.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.utils import timezone

from sandan.accounts.models import ApiToken
from sandan.core.tests.world import World
from sandan.support.models import (
    Problem,
)

HUBS = ("changwon", "ulsan", "banwol")
LISTS = ("problems", "projects", "referrals", "outcomes", "surveys")
EVERY_HUB = frozenset(HUBS)
DONGNAM = frozenset({"changwon", "ulsan"})
CHANGWON = frozenset({"changwon"})
NONE: frozenset[str] = frozenset()
# Which hubs' rows each role reaches, per list (docs/permissions.md).
SCOPE: dict[str, dict[str, frozenset[str]]] = {
    "hq": dict.fromkeys(LISTS, EVERY_HUB),
    "ministry": dict.fromkeys(LISTS, EVERY_HUB),
    "auditor": dict.fromkeys(LISTS, EVERY_HUB),
    # The dongnam HQ also reads the inter-zone Banwol project (a dongnam firm takes part)
    # with its outcome and survey, but not the capital firm's problem or its referral.
    "regional": {
        **dict.fromkeys(LISTS, DONGNAM),
        **dict.fromkeys(("projects", "outcomes", "surveys"), EVERY_HUB),
    },
    "coordinator": dict.fromkeys(LISTS, CHANGWON),
    "company": dict.fromkeys(LISTS, CHANGWON),
    # An expert reaches only what is assigned to them: no referrals, no surveys.
    "expert": {
        "problems": CHANGWON,
        "projects": CHANGWON,
        "referrals": NONE,
        "outcomes": CHANGWON,
        "surveys": NONE,
    },
}
ROW = {
    "problems": "problem",
    "projects": "project",
    "referrals": "referral",
    "outcomes": "outcome",
    "surveys": "survey",
}


class Api:
    """A client that speaks to /api/v1/ as one user, by bearer token."""

    def __init__(self, user: Any) -> None:
        self.client = Client()
        token, self.raw = ApiToken.issue(user)
        # API tokens keep the real clock (ADR 0017), whatever date the site is held at.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(
            f"/api/v1/support/{path}", query, HTTP_AUTHORIZATION=f"Bearer {self.raw}"
        )

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"/api/v1/support/{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.raw}",
        )


def api(world: World, role: str) -> Api:
    return Api(world.users[role])


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {item["id"] for item in response.json()["items"]}


def rows(world: World, path: str, hubs: frozenset[str]) -> set[int]:
    return {world[f"{ROW[path]}_{hub}"].pk for hub in hubs}


def problem_count() -> int:
    return Problem.objects.count()
