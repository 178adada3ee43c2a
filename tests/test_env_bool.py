"""Yes/no settings (config.settings.env_bool) accept the words people write and refuse the
rest, naming the variable. Here, not under sandan/, because it imports config."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool

ROOT = Path(__file__).resolve().parents[1]
NAME = "SANDAN_TEST_FLAG"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On", "Yes"])
def test_yes_words_read_as_true(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    assert env_bool(NAME, default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "False", " no", "OFF", "No "])
def test_no_words_read_as_false(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    assert env_bool(NAME, default=True) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_empty_takes_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv(NAME, raising=False)
    else:
        monkeypatch.setenv(NAME, value)
    assert env_bool(NAME, default=True) is True
    assert env_bool(NAME, default=False) is False


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "false!"])
def test_an_unknown_word_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(NAME, value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool(NAME, default=True)
    message = str(refused.value)
    assert NAME in message
    assert repr(value) in message
    for word in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        assert word in message


def test_a_typo_in_secure_cookies_stops_the_settings_from_loading() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDAN_")}
    env["SANDAN_SECURE_COOKIES"] = "ture"
    done = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "SANDAN_SECURE_COOKIES='ture'" in done.stderr
