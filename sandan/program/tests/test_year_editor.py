"""The program-year editor: HQ changes targets, zone targets, rules, categories (and how they
map onto the previous year's) and the year's timeline; an approved year only with a reason,
which the audit log keeps; other roles see the year but no editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.program import selectors, services, services_year
from sandan.program.defaults import early_service_fields, load_program_year
from sandan.program.models import CategoryMapping, ProgramYear, ServiceCategory
from sandan.registry.tests.factories import zone

pytestmark = pytest.mark.django_db

ZONES = ("capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju")
# The 2010 file's zone targets, as the form posts them.
TARGETS_2010 = {
    "capital": (6, 30),
    "chungcheong": (4, 21),
    "honam": (4, 22),
    "daegyeong": (4, 20),
    "dongnam": (5, 25),
    "gangwon": (1, 5),
    "jeju": (1, 2),
}


@pytest.fixture
def year() -> ProgramYear:
    for code in ZONES:
        zone(code)
    return load_program_year(2010)


@pytest.fixture
def eras() -> ProgramYear:
    """2009 with the 11 service fields, then 2010 from its file (which maps onto them)."""
    for code in ZONES:
        zone(code)
    services.create_program_year(None, year=2009, categories=early_service_fields())
    return load_program_year(2010)


def _client(role: str = Role.HQ_STAFF, **scope: Any) -> Client:
    client = Client()
    client.force_login(user_with_role(role, **scope))
    return client


def _targets_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "hub_target": 25,
        "linked_target": 125,
        "budget_total_krw": 66_300_000_000,
        "notes": "",
        "reason": "",
    }
    for code, (hubs, linked) in TARGETS_2010.items():
        data[f"hubs_{code}"] = hubs
        data[f"linked_{code}"] = linked
    data.update(changes)
    return data


def _approve(year: ProgramYear) -> ProgramYear:
    return services.approve_program_year(None, year)


def test_hq_moves_a_linked_target_between_zones_and_the_year_page_shows_it(
    year: ProgramYear,
) -> None:
    client = _client()
    page = client.get("/program/2010/edit/")
    assert page.status_code == 200
    assert "권역별 목표" in page.content.decode()
    response = client.post("/program/2010/edit/", _targets_post(linked_capital=31, linked_jeju=1))
    assert response.status_code == 302
    capital = year.zone_targets.get(zone__code="capital")
    assert (capital.hubs, capital.linked) == (6, 31)
    assert year.zone_targets.get(zone__code="jeju").linked == 1
    assert AuditEntry.objects.filter(content_type__model="zonetarget", action="update").count() == 2


def test_zone_targets_must_add_up_to_the_year_targets(year: ProgramYear) -> None:
    response = _client().post("/program/2010/edit/", _targets_post(linked_capital=35))
    assert response.status_code == 400
    assert "권역별 연계단지 목표의 합(130)이 연도 목표(125)와 다릅니다" in response.content.decode()
    assert year.zone_targets.get(zone__code="capital").linked == 30


def test_an_approved_year_changes_only_with_a_reason_which_the_audit_log_keeps(
    year: ProgramYear,
) -> None:
    _approve(year)
    client = _client()
    page = client.get("/program/2010/edit/")
    assert "변경 사유를 적어야" in page.content.decode()
    refused = client.post("/program/2010/edit/", _targets_post(budget_total_krw=70_000_000_000))
    assert refused.status_code == 400
    year.refresh_from_db()
    assert year.budget_total_krw == 66_300_000_000
    done = client.post(
        "/program/2010/edit/",
        _targets_post(budget_total_krw=70_000_000_000, reason="추경 반영"),
    )
    assert done.status_code == 302
    year.refresh_from_db()
    assert year.budget_total_krw == 70_000_000_000
    entry = AuditEntry.objects.filter(content_type__model="programyear", action="update").first()
    assert entry is not None
    assert entry.reason == "추경 반영"
    assert entry.changes["budget_total_krw"] == [66_300_000_000, 70_000_000_000]


def test_a_closed_year_cannot_be_edited(year: ProgramYear) -> None:
    ProgramYear.objects.filter(pk=year.pk).update(
        status=ProgramYear.Status.CLOSED, approved_at=timezone.now()
    )
    year.refresh_from_db()
    with pytest.raises(ValidationError):
        services_year.update_year_rules(None, year, {"triage_within_days": 7}, reason="x")
    assert _client().get("/program/2010/edit/").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.REGIONAL_STAFF, Role.MINISTRY_OFFICER, Role.AUDITOR, Role.COORDINATOR]
)
def test_only_hq_edits_a_year_others_read_it(year: ProgramYear, role: str) -> None:
    client = _client(role)
    page = client.get("/program/2010/")
    assert page.status_code == 200
    assert "목표와 예산 고치기" not in page.content.decode()
    assert client.get("/program/2010/edit/").status_code == 403
    assert client.post("/program/2010/rules/", {"triage_within_days": 9}).status_code == 403
    assert client.get("/program/2010/categories/").status_code == 200


def test_hq_sets_the_rules_the_services_read(year: ProgramYear) -> None:
    client = _client()
    page = client.get("/program/2010/rules/")
    assert "착수 후 완료 기한" in page.content.decode()
    data = {name: year.rule(name) for name in ("triage_within_days", "start_within_days")}
    data.update(
        triage_within_days=7,
        complete_within_days=150,
        firm_cost_share_min_pct=25,
        duplicate_similarity_threshold=0.6,
        council_requires_academia="on",
    )
    assert client.post("/program/2010/rules/", data).status_code == 302
    year.refresh_from_db()
    assert year.rule("triage_within_days") == 7
    assert year.rule("complete_within_days") == 150
    assert year.rule("firm_cost_share_min_pct") == 25
    assert year.rule("duplicate_similarity_threshold") == 0.6
    bad = client.post("/program/2010/rules/", {**data, "firm_cost_share_min_pct": 120})
    assert bad.status_code == 400


def test_the_2010_timeline_comes_from_the_data_file_and_hq_extends_it(year: ProgramYear) -> None:
    titles = list(year.milestones.values_list("due_on", "title_ko"))
    assert [str(d) for d, _t in titles] == ["2009-09-30", "2009-12-31", "2010-02-26", "2010-04-01"]
    assert "운영요령 개정" in titles[2][1]
    client = _client()
    page = client.get("/program/2010/").content.decode()
    assert "세부추진계획" in page and "2010-04-01" in page
    response = client.post(
        "/program/2010/timeline/",
        {"due_on": "2010-06-30", "title_ko": "상반기 점검", "title_en": "Mid-year review"},
    )
    assert response.status_code == 302
    assert year.milestones.filter(title_ko="상반기 점검").exists()
    english = client.get("/program/2010/timeline/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Mid-year review" in english.content.decode()


def test_a_milestone_of_an_approved_year_is_removed_only_with_a_reason(year: ProgramYear) -> None:
    _approve(year)
    milestone = year.milestones.first()
    assert milestone is not None
    client = _client()
    client.post(f"/program/2010/timeline/{milestone.pk}/delete/", {})
    assert year.milestones.filter(pk=milestone.pk).exists()
    client.post(f"/program/2010/timeline/{milestone.pk}/delete/", {"reason": "일정 재조정"})
    assert not year.milestones.filter(pk=milestone.pk).exists()
    entry = AuditEntry.objects.get(content_type__model="yearmilestone", action="delete")
    assert entry.reason == "일정 재조정"


def test_the_eleven_fields_of_2005_2009_fold_onto_the_five_of_2010(eras: ProgramYear) -> None:
    assert eras.categories.count() == 5
    assert CategoryMapping.objects.count() == 11
    fold = selectors.category_crosswalk(eras)
    export = ServiceCategory.objects.get(program_year__year=2009, code="EXPORT")
    assert fold[export.pk].code == "TOTAL_MARKETING"
    page = _client(Role.MINISTRY_OFFICER).get("/program/2010/categories/").content.decode()
    assert "해외 시장 개척" in page and "토털 마케팅" in page
    assert "이어지지 않은 이전 분야" not in page


def test_eras_compare_counts_on_the_later_categories(eras: ProgramYear) -> None:
    services.create_program_year(None, year=2008, categories=early_service_fields())
    by_code = {
        (c.program_year.year, c.code): c.pk
        for c in ServiceCategory.objects.select_related("program_year")
    }
    counts = {
        by_code[(2008, "IP")]: 3,  # 2008 → 2009 by the same code → 2010 by the mapping
        by_code[(2009, "PROTOTYPE")]: 4,
        by_code[(2009, "IP")]: 1,
        by_code[(2010, "PROD_COMMERCIALIZATION")]: 10,
    }
    years, rows, unmapped = selectors.compare_categories(eras, counts)
    assert years == [2008, 2009, 2010]
    prod = next(r for r in rows if r.category.code == "PROD_COMMERCIALIZATION")
    assert prod.counts == {2008: 3, 2009: 5, 2010: 10}
    assert unmapped == []


def test_hq_remaps_a_field_and_an_unmapped_field_is_shown(eras: ProgramYear) -> None:
    client = _client()
    marketing = eras.categories.get(code="TOTAL_MARKETING")
    export = ServiceCategory.objects.get(program_year__year=2009, code="EXPORT")
    old_marketing = ServiceCategory.objects.get(program_year__year=2009, code="MARKETING")
    # Only MARKETING stays with TOTAL_MARKETING: EXPORT is left unmapped.
    response = client.post(
        "/program/2010/categories/TOTAL_MARKETING/",
        {
            "code": "TOTAL_MARKETING",
            "name_ko": marketing.name_ko,
            "name_en": marketing.name_en,
            "order": 4,
            "maps_from": [str(old_marketing.pk)],
        },
    )
    assert response.status_code == 302
    page = client.get("/program/2010/categories/").content.decode()
    assert "이어지지 않은 이전 분야" in page and "해외 시장 개척" in page
    # A field maps onto one category of the year: mapping EXPORT twice is refused.
    education = eras.categories.get(code="FIELD_EDUCATION")
    services_year.save_category(
        None,
        eras,
        category=marketing,
        code=marketing.code,
        name_ko=marketing.name_ko,
        name_en=marketing.name_en,
        maps_from=[old_marketing, export],
    )
    with pytest.raises(ValidationError) as info:
        services_year.save_category(
            None,
            eras,
            category=education,
            code=education.code,
            name_ko=education.name_ko,
            name_en=education.name_en,
            maps_from=[export],
        )
    assert "maps_from" in info.value.message_dict


def test_hq_adds_and_removes_a_category(year: ProgramYear) -> None:
    client = _client()
    response = client.post(
        "/program/2010/categories/new/",
        {"code": "GREEN", "name_ko": "녹색 전환", "name_en": "Green transition"},
    )
    assert response.status_code == 302
    assert year.categories.filter(code="GREEN", order=6).exists()
    duplicate = client.post(
        "/program/2010/categories/new/",
        {"code": "GREEN", "name_ko": "또", "name_en": "Again"},
    )
    assert duplicate.status_code == 400
    client.post("/program/2010/categories/GREEN/delete/", {})
    assert not year.categories.filter(code="GREEN").exists()
    assert AuditEntry.objects.filter(
        content_type__model="servicecategory", action="delete"
    ).exists()
