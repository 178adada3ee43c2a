"""The program-year editor keeps to the year's rules (ADR 0015, 0016): zone targets that no
hub could meet with a linked complex, or that the designations in force no longer meet, are
refused unless a rule-exception reason says why; an approved year refuses any unreasoned
change, in Korean and in English. HQ reaches the editor from the menu's 사업연도 편집."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.program import services, services_year
from sandan.program.defaults import load_program_year
from sandan.program.models import Designation, ProgramYear
from sandan.program.tests.test_planner import ALL_ZONES, _dongnam_world
from sandan.program.tests.test_year_editor import _targets_post
from sandan.registry.models import Complex
from sandan.registry.tests.factories import zone

pytestmark = pytest.mark.django_db


@pytest.fixture
def year() -> ProgramYear:
    for code in ALL_ZONES:
        zone(code)
    return load_program_year(2010)


@pytest.fixture
def in_force(year: ProgramYear) -> ProgramYear:
    """동남권 alone, 2 hubs and 3 linked complexes designated as its targets ask."""
    _dongnam_world()
    services_year.update_year_targets(
        None,
        year,
        hub_target=2,
        linked_target=3,
        budget_total_krw=year.budget_total_krw,
        zone_targets={code: (2, 3) if code == "dongnam" else (0, 0) for code in ALL_ZONES},
    )
    by_name = {c.name_ko: c for c in Complex.objects.all()}
    hubs = {}
    for name in ("울산미포", "창원"):
        hubs[name] = services.designate(
            None, program_year=year, complex=by_name[name], role=Designation.Role.HUB
        )
    for name, hub in (("온산", "울산미포"), ("진해", "창원"), ("김해골든루트", "창원")):
        services.designate(
            None,
            program_year=year,
            complex=by_name[name],
            role=Designation.Role.LINKED,
            hub=hubs[hub],
        )
    year.refresh_from_db()
    assert services_year.rule_breaches(year) == []
    return year


def _client(role: str = Role.HQ_STAFF) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


def _dongnam_post(hubs: int, linked: int, **changes: Any) -> dict[str, Any]:
    data = _targets_post(hub_target=hubs, linked_target=linked, **changes)
    for code in ALL_ZONES:
        data[f"hubs_{code}"], data[f"linked_{code}"] = (0, 0)
    data["hubs_dongnam"], data["linked_dongnam"] = hubs, linked
    return data


def test_targets_the_designations_in_force_no_longer_meet_need_a_rule_exception_reason(
    in_force: ProgramYear,
) -> None:
    client = _client()
    refused = client.post("/program/2010/edit/", _dongnam_post(2, 4))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert (
        "동남권: 거점단지 2곳·연계단지 3곳으로 목표(거점단지 2곳·연계단지 4곳)와 다릅니다" in page
    )
    assert "규칙 예외 사유를 적으세요" in page
    dongnam = in_force.zone_targets.get(zone__code="dongnam")
    assert (dongnam.hubs, dongnam.linked) == (2, 3)
    assert not AuditEntry.objects.filter(reason__contains="4").exists()

    done = client.post(
        "/program/2010/edit/", _dongnam_post(2, 4, override_reason="하반기 연계단지 추가 예정")
    )
    assert done.status_code == 302
    dongnam.refresh_from_db()
    assert dongnam.linked == 4
    entry = AuditEntry.objects.filter(content_type__model="zonetarget", action="update").latest(
        "pk"
    )
    assert entry.reason == "하반기 연계단지 추가 예정"
    assert entry.changes["linked"] == [3, 4]


def test_a_change_that_breaks_nothing_new_is_kept_on_a_year_already_off_target(
    in_force: ProgramYear,
) -> None:
    # A designation made by hand leaves 동남권 off target before anything is edited.
    Designation.all_objects.filter(complex__name_ko="김해골든루트").delete()
    assert services_year.rule_breaches(in_force)
    done = _client().post("/program/2010/edit/", _dongnam_post(2, 3, budget_total_krw=7 * 10**10))
    assert done.status_code == 302
    in_force.refresh_from_db()
    assert in_force.budget_total_krw == 7 * 10**10


def test_every_hub_needs_a_linked_complex_so_a_zone_cannot_ask_for_more_hubs(
    year: ProgramYear,
) -> None:
    client = _client()
    refused = client.post("/program/2010/edit/", _targets_post(linked_jeju=0, linked_capital=32))
    assert refused.status_code == 400
    assert "제주권: 거점단지마다 연계단지가 있어야 하므로" in refused.content.decode()
    assert year.zone_targets.get(zone__code="jeju").linked == 2
    # A year without that rule (2005–2009: target complexes ran their own councils) takes it.
    services_year.update_year_rules(None, year, {"hub_requires_linked": False})
    done = client.post("/program/2010/edit/", _targets_post(linked_jeju=0, linked_capital=32))
    assert done.status_code == 302
    assert year.zone_targets.get(zone__code="jeju").linked == 0


def test_turning_on_a_rule_the_designations_in_force_break_needs_a_reason(
    in_force: ProgramYear,
) -> None:
    services_year.update_year_rules(None, in_force, {"designations_meet_zone_targets": False})
    services_year.update_year_targets(
        None,
        in_force,
        hub_target=2,
        linked_target=4,
        budget_total_krw=in_force.budget_total_krw,
        zone_targets={"dongnam": (2, 4)},
    )
    in_force.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services_year.update_year_rules(None, in_force, {"designations_meet_zone_targets": True})
    assert "override_reason" in refused.value.message_dict
    in_force.refresh_from_db()
    assert in_force.rule("designations_meet_zone_targets") is False
    services_year.update_year_rules(
        None,
        in_force,
        {"designations_meet_zone_targets": True},
        override_reason="연계단지 1곳 추가 지정 중",
    )
    in_force.refresh_from_db()
    assert in_force.rule("designations_meet_zone_targets") is True


@pytest.mark.parametrize(
    ("url", "post", "field"),
    [
        ("/program/2010/rules/", {"triage_within_days": 9}, "triage_within_days"),
        (
            "/program/2010/categories/new/",
            {"code": "ENERGY", "name_ko": "에너지 전환", "name_en": "Energy transition"},
            "categories",
        ),
        ("/program/2010/timeline/", {"due_on": "2010-07-01", "title_ko": "점검"}, "milestones"),
    ],
)
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ko", "승인된 사업연도는 사유를 남겨야 바꿀 수 있습니다."),
        ("en", "An approved program year changes only with a reason"),
    ],
)
def test_an_approved_year_refuses_an_unreasoned_change_on_every_editor(
    year: ProgramYear, url: str, post: dict[str, Any], field: str, language: str, message: str
) -> None:
    services.approve_program_year(None, year)
    before = AuditEntry.objects.count()
    client = _client()
    data = dict(post)
    if field == "triage_within_days":
        data.update({name: value for name, value in year.rules.items() if value is not True})
        data["triage_within_days"] = 9
        data.update({name: "on" for name, value in year.rules.items() if value is True})
    refused = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert message in html and 'id="id_reason_error"' in html
    year.refresh_from_db()
    assert year.rule("triage_within_days") == 5
    assert not year.categories.filter(code="ENERGY").exists()
    assert not year.milestones.filter(title_ko="점검").exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ko", ["사업연도 편집", "목표와 예산", "운영 규칙", "새 사업연도 만들기", "작성 중"]),
        ("en", ["Program-year editor", "Targets and budget", "Operating rules", "Draft"]),
    ],
)
def test_hq_reaches_every_editor_of_every_year_from_the_menu(
    year: ProgramYear, language: str, texts: list[str], django_assert_num_queries: Any
) -> None:
    services.copy_program_year(None, year, 2011)
    client = _client()
    client.get("/program/editor/")  # warm the session and the menu's grants
    # session, user, memberships, the year holding today (HQ's missing-year notice), the years
    with django_assert_num_queries(5):
        page = client.get("/program/editor/", HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    for text in texts:
        assert text in html
    for url in ("/program/2011/edit/", "/program/2010/rules/", "/program/2010/categories/"):
        assert f'href="{url}"' in html
    assert '<a href="/program/editor/" aria-current="page">' in html  # the menu's entry
    assert 'action="/program/2011/copy/"' in html
    for url in ("/program/2010/edit/", "/program/2010/rules/", "/program/2010/timeline/"):
        assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200


@pytest.mark.parametrize(
    "role", [Role.REGIONAL_STAFF, Role.COORDINATOR, Role.MINISTRY_OFFICER, Role.AUDITOR]
)
def test_only_hq_has_the_year_editor(year: ProgramYear, role: str) -> None:
    client = _client(role)
    assert client.get("/program/editor/").status_code == 403
    assert 'href="/program/editor/"' not in client.get("/program/").content.decode()
