"""Production settings refuse to start without what a real deployment must say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "SANDAN_ENV": "production",
    "SANDAN_SECRET_KEY": "x" * 64,
    "SANDAN_ALLOWED_HOSTS": "sandan.example.kr",
    "SANDAN_SITE_URL": "https://sandan.example.kr",
}


def _load(**changes: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDAN_")}
    env.update(PRODUCTION)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    code = "import config.settings as s; print(s.SANDAN_SITE_URL)"
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed snippet
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_load_with_everything_given() -> None:
    done = _load()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "https://sandan.example.kr"


def test_production_needs_the_site_address_for_links_in_e_mails() -> None:
    for value in (None, "", "http://sandan.example.kr"):
        done = _load(SANDAN_SITE_URL=value)
        assert done.returncode != 0
        assert "SANDAN_SITE_URL" in done.stderr


def test_production_needs_a_secret_key() -> None:
    done = _load(SANDAN_SECRET_KEY=None)
    assert done.returncode != 0 and "SANDAN_SECRET_KEY" in done.stderr
