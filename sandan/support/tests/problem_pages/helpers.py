"""What the problem page tests share: a Korean intake and its attachments, logging in, the
problem page's address."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sandan.support.models import (
    Problem,
)

INJECTION_TITLE = "사출 성형품 수축 불량이 계속 발생합니다"
INJECTION_TEXT = (
    "자동차 내장 부품을 사출하는데 여름철만 되면 수축 불량률이 8%까지 올라갑니다. "
    "금형 온도와 보압 조건을 바꿔 봤지만 원인을 못 찾았습니다."
)
INJECTION_HELP = "성형 조건 최적화와 불량 원인 분석을 도와줄 전문가가 필요합니다."


def pdf(name: str = "불량사진.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * (size - 9), "application/pdf")


def intake(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": INJECTION_TITLE,
        "description": INJECTION_TEXT,
        "help_wanted": INJECTION_HELP,
        "urgency": "high",
    }
    data.update(overrides)
    return data


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def detail(problem: Problem) -> str:
    return reverse("support:problem_detail", args=[problem.pk])
