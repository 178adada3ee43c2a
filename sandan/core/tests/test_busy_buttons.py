"""Buttons that start longer work say so and are pressed once (sandan.js; CSP: no inline
script, so the behaviour lives in the static file and the templates only mark the buttons)."""

from __future__ import annotations

from pathlib import Path

SANDAN = Path(__file__).resolve().parents[2]
SCRIPT = SANDAN / "core" / "static" / "core" / "sandan.js"


def test_the_long_buttons_carry_a_busy_text() -> None:
    """Import, planner, plan acceptance, triage and the exports name what they are doing."""
    for template in (
        "registry/templates/registry/import.html",
        "support/templates/support/problem_import.html",
        "program/templates/program/planner.html",
        "program/templates/program/plan_detail.html",
        "support/templates/support/problem_detail.html",
        "support/templates/support/outcome_dashboard.html",
    ):
        text = (SANDAN / template).read_text(encoding="utf-8")
        assert "data-busy=\"{% trans '처리 중…' %}\"" in text or (
            "data-busy=\"{% trans '파일을 만드는 중…' %}\"" in text
        ), template


def test_the_script_sends_a_form_once_and_marks_the_button_busy() -> None:
    script = SCRIPT.read_text(encoding="utf-8")
    # A second submit while the first is on its way is cancelled ...
    assert 'form.hasAttribute("data-submitting")' in script
    assert "event.preventDefault();" in script
    # ... the button is marked busy for assistive technology and shows its busy text ...
    assert 'control.setAttribute("aria-busy", "true")' in script
    assert 'control.getAttribute("data-idle-label")' in script or "data-idle-label" in script
    # ... and given back when the page is restored or an HTMX answer arrives.
    assert '"pageshow"' in script and '"htmx:afterRequest"' in script
