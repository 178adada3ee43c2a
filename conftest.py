"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: pytest.FixtureRequest) -> None:
    # Tests create many users; the production hasher stays the default everywhere else.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _plain_static(settings: pytest.FixtureRequest) -> None:
    settings.STORAGES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _refit_inline(settings: pytest.FixtureRequest) -> None:
    # A test reads the model a write just taught (in its own transaction, which a worker
    # thread would not see); sandan/core/tests/test_background.py tests the background path.
    settings.SANDAN_REFIT_IN_BACKGROUND = False  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request in English (language cookie) leaves English active in the thread after the
    # response; the next test would read English messages. Every test starts in Korean.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
