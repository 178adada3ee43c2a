"""What the project page tests share: a survey's answers, logging in, addresses, a
submitted project."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from sandan.support import services
from sandan.support.models import (
    Project,
)
from sandan.support.tests.factories import (
    ready_project,
)

ANSWERS = {
    "overall": "5",
    "timeliness": "4",
    "expertise": "5",
    "usefulness": "4",
    "recommend": "5",
    "comment": "현장 진단이 빨라 불량 원인을 바로 찾았습니다.",
}


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def _url(name: str, *args: Any) -> str:
    return reverse(f"support:{name}", args=args)


def _submitted(hub: Any, **kwargs: Any) -> Project:
    project = ready_project(hub=hub, **kwargs)
    return services.submit_project(None, project)
