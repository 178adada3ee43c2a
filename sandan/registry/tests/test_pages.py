"""The registry pages as a user meets them: lists, filters, details, masking, edits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import POLICY, Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.registry.models import Complex, Organisation
from sandan.registry.tests.factories import (
    ComplexFactory,
    ComplexStatFactory,
    ExpertFactory,
    OfficeFactory,
    OrganisationFactory,
    province,
)

pytestmark = pytest.mark.django_db


def login(client: Client, role: str = Role.HQ_STAFF, **scope: Any) -> Any:
    user = user_with_role(role, **scope)
    client.force_login(user)
    return user


@pytest.fixture
def hq(client: Client) -> Any:
    return login(client)


def test_pages_need_login(client: Client) -> None:
    for name in ("registry:complex_list", "registry:organisation_list", "registry:expert_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_complex_list_shows_rows_count_and_korean_numbers(client: Client, hq: Any) -> None:
    office = OfficeFactory(name_ko="경기지사")
    ComplexFactory(name_ko="반월국가산업단지", kind="national", office=office, tenants=7531)
    ComplexFactory(name_ko="시화국가산업단지", kind="national", tenants=12000)

    response = client.get(reverse("registry:complex_list"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "반월국가산업단지" in body and "시화국가산업단지" in body
    assert "경기지사" in body
    assert "7,531" in body
    assert "총 <strong>2</strong>개 단지" in body
    assert "<caption>" in body and 'scope="col"' in body


def test_complex_list_filters_by_kind_zone_and_text(client: Client, hq: Any) -> None:
    ComplexFactory(
        name_ko="창원국가산업단지",
        kind="national",
        province=province("48"),
        municipality_name="창원시",
    )
    ComplexFactory(name_ko="안산농공단지", kind="agro_industrial")
    url = reverse("registry:complex_list")

    assert "안산농공단지" not in client.get(url, {"kind": "national"}).content.decode()
    by_zone = client.get(url, {"zone": "dongnam"}).content.decode()
    assert "창원국가산업단지" in by_zone and "안산농공단지" not in by_zone
    by_text = client.get(url, {"q": "안산"}).content.decode()
    assert "안산농공단지" in by_text and "창원국가산업단지" not in by_text


def test_complex_list_ignores_bad_filter_and_says_so(client: Client, hq: Any) -> None:
    ComplexFactory(name_ko="구미국가산업단지")

    response = client.get(reverse("registry:complex_list"), {"kind": "spaceport", "page": "x"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "구미국가산업단지" in body  # the bad filter is dropped, not applied
    assert "올바르게 선택해 주세요" in body or "form-error" in body


def test_complex_list_paginates_by_fifty(client: Client, hq: Any) -> None:
    ComplexFactory.create_batch(55)

    first = client.get(reverse("registry:complex_list"))
    second = client.get(reverse("registry:complex_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert "총 <strong>55</strong>개 단지" in first.content.decode()


def test_complex_detail_has_stats_chart_data_and_organisations(client: Client, hq: Any) -> None:
    complex_ = ComplexFactory(name_ko="울산미포국가산업단지", kicox_id="131001")
    for quarter in (1, 2, 3, 4):
        ComplexStatFactory(complex=complex_, year=2009, quarter=quarter, employment_persons=2400)
    OrganisationFactory(name_ko="(주)미포정밀", complex=complex_)

    response = client.get(reverse("registry:complex_detail", args=["131001"]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="complex-stats-data"' in body and "2009.4Q" in body
    assert "(주)미포정밀" in body
    assert "?complex=131001" in body
    assert reverse("core:object_history", args=["complex", complex_.pk]) in body
    assert reverse("registry:complex_edit", args=["131001"]) in body
    assert "style=" not in body  # CSP: no inline styles


def test_complex_detail_unknown_id_is_404(client: Client, hq: Any) -> None:
    assert client.get(reverse("registry:complex_detail", args=["999999"])).status_code == 404


def test_complex_edit_saves_through_service_and_audits(client: Client, hq: Any) -> None:
    complex_ = ComplexFactory(kicox_id="241500", tenants=100, operating_firms=90)
    url = reverse("registry:complex_edit", args=["241500"])
    data = _complex_form_data(
        complex_, tenants=130, operating_firms=120, reason="2010년 1분기 갱신"
    )

    response = client.post(url, data)

    assert response.status_code == 302
    complex_.refresh_from_db()
    assert complex_.tenants == 130
    entry = AuditEntry.objects.get(object_id=str(complex_.pk))
    assert entry.reason == "2010년 1분기 갱신" and entry.actor == hq


def test_complex_edit_bad_input_is_400_with_field_error_and_nothing_changed(
    client: Client, hq: Any
) -> None:
    complex_ = ComplexFactory(kicox_id="241501", tenants=100, operating_firms=90)
    url = reverse("registry:complex_edit", args=["241501"])

    bad_number = client.post(url, _complex_form_data(complex_, tenants="많음"))
    too_many_operating = client.post(
        url, _complex_form_data(complex_, tenants=10, operating_firms=20)
    )

    assert bad_number.status_code == 400
    assert bad_number.context["form"].errors["tenants"]
    assert too_many_operating.status_code == 400
    assert too_many_operating.context["form"].errors
    complex_.refresh_from_db()
    assert (complex_.tenants, complex_.operating_firms) == (100, 90)
    assert not AuditEntry.objects.exists()


def test_complex_edit_is_403_for_read_only_roles(client: Client) -> None:
    ComplexFactory(kicox_id="241502")
    login(client, Role.MINISTRY_OFFICER)

    detail = client.get(reverse("registry:complex_detail", args=["241502"]))
    edit = client.get(reverse("registry:complex_edit", args=["241502"]))

    assert detail.status_code == 200
    assert reverse("registry:complex_edit", args=["241502"]) not in detail.content.decode()
    assert edit.status_code == 403


def _complex_form_data(complex_: Complex, **overrides: Any) -> dict[str, Any]:
    data = {
        "name_ko": complex_.name_ko,
        "name_en": complex_.name_en,
        "status": complex_.status,
        "municipality_name": complex_.municipality_name,
        "designated_area_1000m2": "1000",
        "managed_area_1000m2": "1000",
        "sale_target_area_1000m2": "0",
        "sold_area_1000m2": "0",
        "unsold_area_1000m2": "0",
        "year_designated": "1987",
        "tenants": complex_.tenants,
        "operating_firms": complex_.operating_firms,
        "reason": "",
    }
    data.update(overrides)
    return data


# Organisations ---------------------------------------------------------------------


def test_organisation_list_columns_badge_and_filters(client: Client, hq: Any) -> None:
    ansan = ComplexFactory(kicox_id="241010", name_ko="반월국가산업단지")
    OrganisationFactory(name_ko="(주)대한금형", employees=12, complex=ansan)
    OrganisationFactory(name_ko="한국기계(주)", employees=400)
    url = reverse("registry:organisation_list")

    body = client.get(url).content.decode()
    small_only = client.get(url, {"small_firm": "yes"}).content.decode()
    in_complex = client.get(url, {"complex": "241010"}).content.decode()

    assert "(주)대한금형" in body and "한국기계(주)" in body and "krds-badge" in body
    assert "한국기계(주)" not in small_only
    assert "(주)대한금형" in in_complex and "한국기계(주)" not in in_complex


def test_organisation_list_bad_complex_code_is_reported_not_500(client: Client, hq: Any) -> None:
    OrganisationFactory(name_ko="(주)대한금형")

    response = client.get(reverse("registry:organisation_list"), {"complex": "abc"})

    assert response.status_code == 200
    assert "(주)대한금형" in response.content.decode()
    assert response.context["form"].errors["complex"]


def test_organisation_outside_scope_is_404_for_company_user(client: Client) -> None:
    own = OrganisationFactory(name_ko="(주)우리회사")
    other = OrganisationFactory(name_ko="(주)남의회사")
    login(client, Role.COMPANY_USER, organisation=own)

    assert client.get(reverse("registry:organisation_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("registry:organisation_detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("registry:organisation_list")).content.decode()
    assert "(주)남의회사" not in listing


def test_contacts_masked_for_ministry_officer_visible_for_hq(client: Client) -> None:
    organisation = OrganisationFactory(contact_name="박지훈", contact_phone="031-490-5678")
    url = reverse("registry:organisation_detail", args=[organisation.pk])

    login(client, Role.MINISTRY_OFFICER)
    masked = client.get(url).content.decode()
    client.logout()
    login(client, Role.HQ_STAFF)
    visible = client.get(url).content.decode()

    assert "박지훈" not in masked and "031-490-5678" not in masked and "•••" in masked
    assert "박지훈" in visible and "031-490-5678" in visible


def test_organisation_edit_bad_business_number_is_400_and_nothing_changes(
    client: Client, hq: Any
) -> None:
    organisation = OrganisationFactory(name_ko="(주)한빛정밀")
    before = organisation.business_number
    url = reverse("registry:organisation_edit", args=[organisation.pk])

    response = client.post(
        url, {"kind": "company", "name_ko": "(주)한빛정밀", "business_number": "123-45-67890"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["business_number"]
    organisation.refresh_from_db()
    assert organisation.business_number == before


def test_organisation_edit_saves(client: Client, hq: Any) -> None:
    organisation = OrganisationFactory(name_ko="(주)한빛정밀", employees=35)
    url = reverse("registry:organisation_edit", args=[organisation.pk])
    form = client.get(url).context["form"]
    data = {name: value if value is not None else "" for name, value in form.initial.items()}
    data.update({"employees": 60, "reason": "종업원 수 갱신"})

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    organisation.refresh_from_db()
    assert organisation.employees == 60 and organisation.is_small_firm is False


def test_organisation_edit_form_is_refused_to_a_read_only_role(client: Client) -> None:
    organisation = OrganisationFactory()
    login(client, Role.MINISTRY_OFFICER)

    response = client.get(reverse("registry:organisation_edit", args=[organisation.pk]))

    assert response.status_code == 403


def test_organisation_edit_form_shows_contacts_to_who_may_see_them(client: Client) -> None:
    organisation = OrganisationFactory(contact_phone="055-210-7788")
    login(client, Role.COMPANY_USER, organisation=organisation)

    response = client.get(reverse("registry:organisation_edit", args=[organisation.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert set(Organisation.PERSONAL_FIELDS) <= set(response.context["form"].fields)
    assert "김민준" in body and organisation.contact_email in body and "055-210-7788" in body


def test_organisation_edit_form_hides_contacts_from_who_may_not_see_them(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today every role that may change an organisation may also see its contacts, so the
    # policy is narrowed for this test: the company user keeps `change` but loses `contact`.
    policy = POLICY[Role.COMPANY_USER]
    monkeypatch.setitem(
        policy,
        "registry.organisation",
        {
            action: reach
            for action, reach in policy["registry.organisation"].items()
            if action != "contact"
        },
    )
    organisation = OrganisationFactory(name_ko="(주)한빛정밀", contact_phone="055-210-7788")
    login(client, Role.COMPANY_USER, organisation=organisation)
    url = reverse("registry:organisation_edit", args=[organisation.pk])

    response = client.get(url)

    body = response.content.decode()
    assert response.status_code == 200
    assert not set(Organisation.PERSONAL_FIELDS) & set(response.context["form"].fields)
    assert "(주)한빛정밀" in body
    for value in ("김민준", organisation.contact_email, "055-210-7788"):
        assert value not in body
    # Saving the form without them leaves the contacts as they were.
    data = {
        name: value if value is not None else ""
        for name, value in response.context["form"].initial.items()
        if name not in Organisation.PERSONAL_FIELDS
    }
    data.update({"employees": 12, "reason": "종업원 수 갱신"})
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.employees == 12
    assert organisation.contact_name == "김민준" and organisation.contact_phone == "055-210-7788"


# Experts ---------------------------------------------------------------------------


def test_expert_list_masks_contacts_and_filters_category(client: Client) -> None:
    ExpertFactory(name_ko="이서연", email="seoyeon@kitech.example.kr")
    ExpertFactory(name_ko="최도윤", service_categories=["TOTAL_MARKETING"])
    url = reverse("registry:expert_list")

    login(client, Role.MINISTRY_OFFICER)
    masked = client.get(url).content.decode()
    marketing = client.get(url, {"category": "TOTAL_MARKETING"}).content.decode()

    assert "이서연" in masked and "seoyeon@kitech.example.kr" not in masked and "•••" in masked
    assert "최도윤" in marketing and "이서연" not in marketing
    assert "제조기술효율화" in masked  # category label, not code


def test_expert_detail_visible_for_hq(client: Client, hq: Any) -> None:
    expert = ExpertFactory(name_ko="이서연", email="seoyeon@kitech.example.kr")

    body = client.get(reverse("registry:expert_detail", args=[expert.pk])).content.decode()

    assert "seoyeon@kitech.example.kr" in body


# English ---------------------------------------------------------------------------


def test_english_switch_shows_english_strings(client: Client, hq: Any) -> None:
    ComplexFactory(kind="national")

    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("registry:complex_list")}
    )
    page = client.get(response["Location"]).content.decode()

    assert '<html lang="en">' in page
    assert "Industrial complexes" in page
    assert "Skip to main content" in page
    assert "National" in page


def test_the_complex_list_names_provinces_in_the_pages_language(client: Client, hq: Any) -> None:
    ComplexFactory(kind="national", province=province("48"))
    url = reverse("registry:complex_list")

    korean = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()

    assert "<td>경남</td>" in korean
    assert "<td>Gyeongnam</td>" in english and "<td>경남</td>" not in english


def test_the_quarterly_table_names_quarters_in_the_pages_language(client: Client, hq: Any) -> None:
    complex_ = ComplexFactory()
    ComplexStatFactory(complex=complex_, year=2009, quarter=3)
    url = reverse("registry:complex_detail", args=[complex_.kicox_id])

    korean = client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).content.decode()

    assert "<td>3분기</td>" in korean
    assert "<td>Q3</td>" in english and "3Quarter" not in english


# Query counts ----------------------------------------------------------------------


def _fill(size: int) -> None:
    office = OfficeFactory()
    for index in range(size):
        complex_ = ComplexFactory(office=office)
        organisation = OrganisationFactory(complex=complex_)
        ExpertFactory(affiliation=organisation)
        if index == 0:
            ComplexStatFactory(complex=complex_)
    assert Organisation.objects.count() >= size


LIST_PAGES = ["registry:complex_list", "registry:organisation_list", "registry:expert_list"]
# session, user, memberships, the program year holding today (HQ's missing-year notice),
# then each page's own reads (filter choices, count, rows).
EXPECTED_QUERIES = {
    "registry:complex_list": 9,
    "registry:organisation_list": 7,
    "registry:expert_list": 6,
}


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("size", [5, 60])
def test_list_page_query_count_is_constant(
    client: Client, django_assert_num_queries: Any, name: str, size: int
) -> None:
    _fill(size)
    login(client)
    url = reverse(name)

    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        response = client.get(url, {"q": ""})

    assert response.status_code == 200
