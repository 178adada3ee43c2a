"""KICOX's organisation as history: the 2010 merger of the 서울·경인·서부 regional HQs into
수도권본부 and the new 충청·강원 HQs are data, and a date resolves the office of its time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.registry import selectors
from sandan.registry.models import Office
from sandan.registry.reference import load_reference
from sandan.registry.selectors import OrgHistory

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2009, 12, 31)
AFTER = dt.date(2010, 1, 1)


@pytest.fixture
def history() -> OrgHistory:
    load_reference()
    return OrgHistory.load()


def _code(office: Office | None) -> str | None:
    return office.code if office else None


def test_a_capital_area_branch_belonged_to_its_old_hq_until_the_merger(history: OrgHistory) -> None:
    namdong = Office.objects.get(code="namdong").pk
    assert _code(history.regional_on(namdong, BEFORE)) == "gyeongin-hq"
    assert _code(history.regional_on(namdong, AFTER)) == "capital-hq"
    banwol = Office.objects.get(code="banwol-sihwa").pk
    assert _code(history.regional_on(banwol, dt.date(2006, 5, 1))) == "seobu-hq"
    assert [o.code for o in history.chain(banwol, AFTER)] == ["banwol-sihwa", "capital-hq", "hq"]
    # Offices outside the capital area kept their HQ.
    ulsan = Office.objects.get(code="ulsan").pk
    assert _code(history.regional_on(ulsan, BEFORE)) == "dongnam-hq"


def test_the_merged_hqs_name_their_successor_and_the_new_ones_start_in_2010(
    history: OrgHistory,
) -> None:
    merged = Office.objects.filter(successor__code="capital-hq").order_by("code")
    assert [(o.code, o.valid_until) for o in merged] == [
        ("gyeongin-hq", BEFORE),
        ("seobu-hq", BEFORE),
        ("seoul-hq", BEFORE),
    ]
    heads_before = {head.code for head, _branches in history.tree(BEFORE)}
    heads_after = {head.code for head, _branches in history.tree(AFTER)}
    assert {"seoul-hq", "gyeongin-hq", "seobu-hq"} <= heads_before
    assert not {"capital-hq", "chungcheong-hq", "gangwon-hq"} & heads_before
    assert heads_after == {
        "hq", "capital-hq", "chungcheong-hq", "honam-hq", "daegyeong-hq", "dongnam-hq",
        "gangwon-hq",
    }  # fmt: skip
    branches_after = sum(len(branches) for _head, branches in history.tree(AFTER))
    assert branches_after == 19


def test_pickers_offer_only_the_offices_of_today(history: OrgHistory) -> None:
    codes = set(selectors.offices(user_with_role(Role.HQ_STAFF)).values_list("code", flat=True))
    assert "capital-hq" in codes and "gyeongin-hq" not in codes


def test_the_office_chart_page_shows_the_organisation_of_a_date(history: OrgHistory) -> None:
    client = Client()
    client.force_login(user_with_role(Role.COORDINATOR))
    before = client.get("/registry/offices/?on=2009-12-31").content.decode()
    assert "경인지역본부" in before and "남동지사" in before
    assert "충청권본부" not in before.split("조직 개편")[0]
    after = client.get("/registry/offices/?on=2010-01-01").content.decode()
    assert "수도권본부" in after.split("조직 개편")[0]
    assert "경인지역본부" not in after.split("조직 개편")[0]
    assert "수도권본부(으)로 통합" in after
    assert client.get("/registry/offices/?on=bad").status_code == 400
    english = client.get("/registry/offices/?on=2010-01-01", HTTP_ACCEPT_LANGUAGE="en")
    html = english.content.decode()
    assert "KICOX organisation" in html and "Capital Regional Headquarters" in html
    assert "merged into Capital Regional Headquarters" in html
    assert 'href="/registry/offices/" aria-current="page"' in html  # the menu's entry


def test_loading_the_history_twice_changes_nothing(history: OrgHistory) -> None:
    state = list(
        Office.objects.values_list("code", "parent_id", "valid_from", "valid_until", "successor")
    )
    terms = list(OrgHistory.load().terms)
    load_reference()
    assert (
        list(
            Office.objects.values_list(
                "code", "parent_id", "valid_from", "valid_until", "successor"
            )
        )
        == state
    )
    assert list(OrgHistory.load().terms) == terms


def test_a_2007_hub_shows_the_office_it_had_then_and_a_2010_hub_today_s(
    history: OrgHistory,
) -> None:
    from sandan.program.services import create_program_year, designate
    from sandan.registry.models import Province
    from sandan.registry.tests.factories import ComplexFactory

    namdong = ComplexFactory(
        name_ko="남동국가",
        province=Province.objects.get(code="28"),
        office=Office.objects.get(code="namdong"),
        operating_firms=500,
        tenants=600,
    )
    for year in (2007, 2010):
        program_year = create_program_year(None, year=year, zone_targets={"capital": (1, 0)})
        designate(None, program_year=program_year, complex=namdong, role="hub")
    client = Client()
    client.force_login(user_with_role(Role.AUDITOR))
    page_2007 = client.get("/program/2007/designations/").content.decode()
    assert "남동지사 · 경인지역본부" in page_2007
    page_2010 = client.get("/program/2010/designations/").content.decode()
    assert "남동지사 · 수도권본부" in page_2010
