"""Self-sustaining pilots: the readiness score of each hub with its parts, the proposal of
the best hubs that bill dues, HQ's confirmation with a reason, and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.councils.tests.factories import CouncilFactory, MembershipFactory
from sandan.outreach import selectors, services
from sandan.outreach.models import Pilot
from sandan.outreach.tests.factories import council_with_dues
from sandan.program.models import ProgramYear

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2010, 4, 20)


def _hubs() -> tuple[Any, Any, Any]:
    """Three hubs: a big one that collects all its dues, a small one that collects half,
    and one with members but no dues."""
    big = council_with_dues(members=4)
    for invoice in big.invoices:
        services.record_payment(None, invoice, amount_krw=300_000, paid_on=PAID_ON)
    small = council_with_dues(members=2)
    services.record_payment(None, small.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    idle = CouncilFactory()
    MembershipFactory.create_batch(4, council=idle)
    return big, small, idle


def test_readiness_shows_its_parts_and_proposes_hubs_that_bill_dues() -> None:
    big, small, idle = _hubs()
    year = ProgramYear.objects.get(year=2010)
    year.rules = {**year.rules, "self_sustaining_running_cost_krw": 200_000_000}
    year.save()
    rows = selectors.readiness(user_with_role(Role.HQ_STAFF), year)
    by_hub = {row.hub_id: row for row in rows}
    top = by_hub[big.council.hub_id]
    parts = {part.name: part for part in top.parts}
    assert parts["firms"].value == 4 and parts["firms"].points == 25
    assert parts["collection"].value == 100 and parts["collection"].points == 25
    assert parts["dues_base"].value == 1_200_000 and parts["dues_base"].points == 20
    assert top.score == sum(p.points for p in top.parts)
    second = {p.name: p for p in by_hub[small.council.hub_id].parts}
    assert second["collection"].points == Decimal("12.5")  # half collected
    assert second["firms"].points == Decimal("12.5")  # half the best hub's firms
    assert rows[0].hub_id == big.council.hub_id
    # Both hubs that bill dues are proposed; the hub without dues is not, however many firms.
    assert {r.hub_id for r in rows if r.proposed} == {big.council.hub_id, small.council.hub_id}
    assert by_hub[idle.hub_id].parts[0].points == 25 and not by_hub[idle.hub_id].proposed
    # The year's running-cost rule is read: dues billed against 200,000,000 won.
    assert top.dues_cover_pct == Decimal("0.6")


def test_hq_confirms_with_a_reason_and_the_score_is_kept() -> None:
    big, _small, idle = _hubs()
    hq = user_with_role(Role.HQ_STAFF)
    with pytest.raises(ValidationError) as error:
        services.confirm_pilot(hq, hub=big.council.hub, starts_in=2011, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.confirm_pilot(hq, hub=big.council.hub, starts_in=2010, reason="준비됨")
    assert "starts_in" in error.value.message_dict
    pilot = services.confirm_pilot(
        hq, hub=big.council.hub, starts_in=2011, reason="회비 징수율 100%"
    )
    assert pilot.proposed and pilot.score > 0
    assert pilot.parts["collection"] == {"value": "100.0", "points": "25.0"}
    outside = services.confirm_pilot(
        hq, hub=idle.hub, starts_in=2011, reason="지자체 출연 약정으로 운영비 확보"
    )
    assert outside.proposed is False
    with pytest.raises(ValidationError) as error:
        services.confirm_pilot(hq, hub=big.council.hub, starts_in=2011, reason="다시")
    assert "이미" in error.value.message_dict["hub"][0]


def test_at_most_five_pilots_start_in_a_year() -> None:
    hq = user_with_role(Role.HQ_STAFF)
    for _n in range(5):
        services.confirm_pilot(hq, hub=CouncilFactory().hub, starts_in=2011, reason="시범")
    with pytest.raises(ValidationError) as error:
        services.confirm_pilot(hq, hub=CouncilFactory().hub, starts_in=2011, reason="시범")
    assert "5곳" in error.value.message_dict["hub"][0]
    assert Pilot.objects.count() == 5


def test_readiness_page_for_hq_and_refusal_for_others(client: Client) -> None:
    big, _small, _idle = _hubs()
    url = reverse("outreach:pilot_readiness") + "?year=2010"
    client.force_login(user_with_role(Role.HQ_STAFF))
    page = client.get(url).content.decode()
    assert "readiness-chart-data" in page and big.council.hub.complex.name_ko in page
    response = client.post(url, {"hub": big.council.hub_id, "starts_in": "2011", "reason": ""})
    assert response.status_code == 400
    response = client.post(
        url, {"hub": big.council.hub_id, "starts_in": "2011", "reason": "징수율 최상"}
    )
    assert response.status_code == 302 and Pilot.objects.get().reason == "징수율 최상"
    client.force_login(user_with_role(Role.REGIONAL_STAFF, zone=big.council.zone))
    assert client.get(url).status_code == 200
    response = client.post(url, {"hub": big.council.hub_id, "starts_in": "2011", "reason": "x"})
    assert response.status_code == 403
    client.force_login(user_with_role(Role.COMPANY_USER, organisation=big.members[0].organisation))
    assert client.get(url).status_code == 403


def _pilot() -> Pilot:
    world = council_with_dues(members=2)
    services.record_payment(None, world.invoices[0], amount_krw=300_000, paid_on=PAID_ON)
    services.refund_payment(
        None, world.invoices[0], amount_krw=100_000, paid_on=dt.date(2010, 5, 3), reason="정정"
    )
    return services.confirm_pilot(None, hub=world.council.hub, starts_in=2011, reason="시범")


def _entry(pilot: Pilot, kind: str, amount: int, day: dt.date, **kwargs: Any) -> Any:
    return services.record_ledger_entry(None, pilot, kind=kind, amount_krw=amount, on=day, **kwargs)


def test_self_sufficiency_by_month_and_year_from_the_entries() -> None:
    pilot = _pilot()
    _entry(
        pilot,
        "donation",
        1_000_000,
        dt.date(2010, 4, 2),
        counterparty="(주)대성정밀",
        receipt_number="G-1",
    )
    _entry(pilot, "service_fee", 200_000, dt.date(2010, 5, 9))
    _entry(pilot, "running_cost", 1_000_000, dt.date(2010, 4, 30))
    _entry(pilot, "running_cost", 500_000, dt.date(2010, 5, 31))
    report = selectors.self_sufficiency(pilot, 2010)
    april, may = report.months[3], report.months[4]
    assert april.income == {"donation": 1_000_000, "dues": 300_000}
    assert april.ratio == Decimal("130.0")
    assert may.income == {"service_fee": 200_000, "dues": -100_000}
    assert may.ratio == Decimal("20.0")
    assert report.total.income_krw == 1_400_000 and report.total.cost_krw == 1_500_000
    assert report.total.ratio == Decimal("93.3")
    assert report.months[0].ratio is None  # no cost in January


def test_a_donation_needs_donor_and_receipt_and_closed_months_are_refused() -> None:
    pilot = _pilot()
    with pytest.raises(ValidationError) as error:
        _entry(pilot, "donation", 1_000, dt.date(2011, 1, 5), receipt_number="G-2")
    assert "counterparty" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _entry(pilot, "donation", 1_000, dt.date(2011, 1, 5), counterparty="김기부")
    assert "receipt_number" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _entry(pilot, "running_cost", 0, dt.date(2011, 1, 5))
    assert "amount_krw" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.close_ledger(None, pilot, through=dt.date(2011, 1, 30))
    pilot = services.close_ledger(None, pilot, through=dt.date(2011, 1, 31))
    with pytest.raises(ValidationError) as error:
        _entry(pilot, "running_cost", 1_000, dt.date(2011, 1, 31))
    assert "2011-01-31까지 장부가 마감" in error.value.message_dict["on"][0]
    _entry(pilot, "running_cost", 1_000, dt.date(2011, 2, 1))
    assert pilot.ledger.count() == 1


def test_pilot_page_records_entries_and_refuses_a_donation_without_donor(
    client: Client,
) -> None:
    pilot = _pilot()
    client.force_login(user_with_role(Role.HQ_STAFF))
    url = reverse("outreach:pilot_detail", args=[pilot.pk]) + "?year=2011"
    entry = {
        "action": "entry",
        "entry-kind": "donation",
        "entry-amount_krw": "2000000",
        "entry-on": "2011-03-02",
        "entry-receipt_number": "G-11",
    }
    response = client.post(url, entry)
    assert response.status_code == 400
    assert "기부자(후원자)를 적어야" in response.content.decode()
    assert client.post(url, {**entry, "entry-counterparty": "(주)대성정밀"}).status_code == 302
    page = client.get(url).content.decode()
    assert "ratio-chart-data" in page and "(주)대성정밀" in page and "2,000,000" in page


def test_a_pilot_hubs_project_cannot_draw_the_public_grant() -> None:
    from sandan.support import services as support
    from sandan.support.tests.factories import ProjectFactory, budget

    project = ProjectFactory()
    lead = project.participants.get().organisation
    grant = [
        {"kind": "public_grant", "amount_krw": 40_000_000},
        {"kind": "firm_cash", "amount_krw": 10_000_000, "organisation": lead},
    ]
    services.confirm_pilot(None, hub=project.hub, starts_in=2011, reason="시범")
    # The hub's 2010 projects still may: the pilot runs on private funds from 2011.
    support.set_budget_lines(None, project, grant)
    ProgramYear.objects.filter(pk=project.program_year_id).update(year=2011)
    project.refresh_from_db()
    project.program_year.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        support.set_budget_lines(None, project, grant[:1])
    message = error.value.message_dict["kind"][0]
    assert "자립형 시범 거점" in message and "다른 사업으로 연계" in message
    assert project.budget_lines.count() == 2  # the earlier budget stays as it was
    support.set_budget_lines(None, project, grant[1:])
    # A public grant written by any other path is caught when the project is submitted.
    budget(project, public=5_000_000, cash=0)
    with pytest.raises(ValidationError) as error:
        support.check_cost_share(project)
    assert "정부지원금을 편성할 수 없습니다" in error.value.message_dict["budget_lines"][0]


def test_readiness_page_queries_do_not_grow_with_hubs(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    _hubs()
    client.force_login(user_with_role(Role.HQ_STAFF))
    url = reverse("outreach:pilot_readiness") + "?year=2010"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _n in range(4):
        council_with_dues(members=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
