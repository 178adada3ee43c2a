"""A history an auditor can read: what happened in the program's words, names as the pages
name them, values formatted, links to each object, filters and a CSV export.

On the shared scope world with the program and support parts (two zones, the 2010 hubs and
one support case per hub)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sandan.core.audit_display import value_text
from sandan.core.models import AuditAction, AuditEntry, AuditEvent
from sandan.core.tests.world import World, every_part, fresh, module_world
from sandan.registry import services as registry
from sandan.registry.models import Organisation
from sandan.support import services as support
from sandan.support.models import BudgetLine, Problem, Referral


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    yield from module_world(django_db_blocker, every_part())


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return fresh(shared_world)


def _as(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _log(client: Client, **query: Any) -> Any:
    response = client.get(reverse("core:audit_log"), query)
    assert response.status_code == 200
    return response


def _fresh(world: World, key: str) -> Any:
    """The row as stored now (the world's instances may hold another test's changes)."""
    obj = world[key]
    return type(obj).objects.get(pk=obj.pk)


def _refer(world: World) -> Referral:
    return support.refer_problem(
        world.users["coordinator"],
        _fresh(world, "problem_changwon"),
        Referral.PartnerKind.TECHNOPARK,
        world["agency_dongnam"],
        "시험 장비 연계",
    )


# What happened -----------------------------------------------------------------------------


def test_a_referral_is_recorded_as_a_referral_not_as_a_create(world: World) -> None:
    referral = _refer(world)
    entry = AuditEntry.objects.get(content_type__model="referral", object_id=str(referral.pk))
    assert entry.action == AuditAction.CREATE and entry.event == AuditEvent.REFERRED
    assert entry.what_happened == "협력기관 연계"
    page = _log(_as(world, "auditor"), what="event:referred").content.decode()
    assert "협력기관 연계" in page and "생성" not in page.split("<tbody>")[1]


def test_services_name_their_events(world: World) -> None:
    hq = world.users["hq"]
    problem = _fresh(world, "problem_changwon")
    support.confirm_triage(hq, problem, problem.category)
    support.close_problem(hq, _fresh(world, "problem_ulsan"), "자체 해결")
    support.return_project(hq, _fresh(world, "project_banwol"), "사업비 보완")
    events = set(AuditEntry.objects.exclude(event="").values_list("event", flat=True))
    assert events == {AuditEvent.TRIAGE_CONFIRMED, AuditEvent.CLOSED, AuditEvent.RETURNED}


def test_a_plain_edit_stays_an_update(world: World) -> None:
    registry.update_organisation(world.users["hq"], _fresh(world, "company_dongnam"), employees=120)
    entry = AuditEntry.objects.filter(content_type__model="organisation").first()
    assert entry is not None and entry.event == "" and entry.what_happened == "수정"


# Names and values as the pages show them --------------------------------------------------


def test_the_log_names_models_fields_and_objects_as_the_pages_do(world: World) -> None:
    company = _fresh(world, "company_dongnam")
    registry.update_organisation(world.users["hq"], company, complex=world["cx_dongnam_unmanaged"])
    row = _log(_as(world, "auditor"), model="registry.organisation").context["rows"][0]
    assert row.model_name == "기관" and row.label == "(주)창원기계"
    assert row.changed_names == "소재 산업단지"
    assert row.url == reverse("registry:organisation_detail", args=[company.pk])
    assert row.history_url == reverse("core:object_history", args=["organisation", company.pk])
    page = _log(_as(world, "auditor"), model="registry.organisation").content.decode()
    assert f'href="{row.url}"' in page and f'href="{row.history_url}"' in page
    assert "organisation ·" not in page and "complex_id" not in page


def test_history_shows_related_objects_by_label_and_dates_formatted(world: World) -> None:
    when = timezone.make_aware(dt.datetime(2010, 5, 3, 14, 20))
    problem = _fresh(world, "problem_ulsan")
    support.close_problem(world.users["hq"], problem, "자체 해결", now=when)
    support.refer_problem(
        world.users["hq"], _fresh(world, "problem_changwon"), "technopark", world["agency_dongnam"]
    )
    body = (
        _as(world, "auditor")
        .get(reverse("core:object_history", args=["problem", problem.pk]))
        .content.decode()
    )
    assert "종결" in body  # what happened
    assert "종결 일시" in body and "closed_at" not in body  # fields by their names
    assert "2010.05.03 14:20" in body  # the date, formatted
    assert "전문가 배정" in body and "matched" not in body  # a status by its label
    log = _log(_as(world, "auditor"), model="support.referral").context["rows"][0]
    agency = next(change for change in log.changes if change.name == "연계 기관")
    assert agency.after == "경남테크노파크"  # a related object by its label, not its id


def test_amounts_are_in_won_and_foreign_keys_by_label(world: World) -> None:
    amount = BudgetLine._meta.get_field("amount_krw")
    assert value_text(amount, 3000000) == "3,000,000원"
    hub = Problem._meta.get_field("hub")
    labels = {(type(world["hub_changwon"]), world["hub_changwon"].pk): "창원 거점"}
    assert value_text(hub, world["hub_changwon"].pk, labels) == "창원 거점"
    assert value_text(hub, 987654, labels) == "#987654"  # gone, or out of the reader's sight
    assert value_text(Organisation._meta.get_field("employees"), 1200) == "1,200"
    assert value_text(None, None) == "–"


def test_a_deleted_object_keeps_its_name_but_has_no_link(world: World) -> None:
    agency = registry.create_organisation(
        world.users["hq"], kind="agency", name_ko="폐지된 지원단", business_number=None
    )
    registry.delete_organisation(world.users["hq"], agency, reason="기관 폐지")
    row = _log(_as(world, "auditor"), what="action:delete").context["rows"][0]
    assert row.label == "폐지된 지원단" and row.url == "" and row.history_url == ""


# Filters -----------------------------------------------------------------------------------


def test_filters_by_object_type_actor_what_and_period(world: World) -> None:
    _refer(world)
    registry.update_organisation(world.users["hq"], _fresh(world, "company_dongnam"), employees=77)
    AuditEntry.objects.filter(content_type__model="complex").update(
        at=timezone.make_aware(dt.datetime(2010, 3, 2, 9, 0))
    )
    client = _as(world, "auditor")

    def shown(**query: Any) -> list[str]:
        return [row.entry.content_type.model for row in _log(client, **query).context["rows"]]

    assert set(shown(model="support.referral")) == {"referral"}
    assert set(shown(actor="coordinator-user")) == {"referral", "problem"}
    assert set(shown(what="event:referred")) == {"referral", "problem"}  # both are the referral
    assert "organisation" in shown(what="action:update", actor="hq-user")
    assert "problem" not in shown(what="action:update")  # its move was a referral
    assert set(shown(since="2010-03-01", until="2010-03-31")) == {"complex"}
    assert "complex" not in shown(since="2010-04-01")


def test_a_bad_filter_value_is_reported_and_ignored(world: World) -> None:
    response = _log(_as(world, "auditor"), since="어제", what="nonsense")
    assert response.context["form"].errors.keys() == {"since", "what"}
    assert response.context["page"].paginator.count == AuditEntry.objects.count()


# CSV ---------------------------------------------------------------------------------------


def _csv(client: Client, **query: Any) -> list[list[str]]:
    response = client.get(reverse("core:audit_log_csv"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_holds_the_filtered_rows_as_the_page_shows_them(world: World) -> None:
    _refer(world)
    rows = _csv(_as(world, "auditor"), what="event:referred")
    assert rows[0][:5] == ["일시", "작업자", "무슨 일", "대상 종류", "대상"]
    assert len(rows) == 3  # the referral, and the problem it moved
    by_model = {row[3]: row for row in rows[1:]}
    assert set(by_model) == {"협력기관 연계", "애로과제"}  # the models' names
    referral = by_model["협력기관 연계"]
    assert referral[1] == "coordinator-user" and referral[2] == "협력기관 연계"
    assert "연계 기관: – → 경남테크노파크" in referral[7]
    assert "상태: 전문가 배정 → 협력기관 연계" in by_model["애로과제"][7]


def test_the_csv_never_holds_a_formula(world: World) -> None:
    registry.create_organisation(
        world.users["hq"],
        kind="agency",
        name_ko='=HYPERLINK("http://evil.example","열기")',
        business_number=None,
    )
    rows = _csv(_as(world, "auditor"), model="registry.organisation", actor="hq-user")
    names = [row[4] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example","열기")']
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_csv_masks_personal_data(world: World) -> None:
    registry.update_organisation(world.users["hq"], world["company_dongnam"], contact_name="박서준")
    rows = _csv(_as(world, "hq"), model="registry.organisation")
    assert "박서준" not in "".join(cell for row in rows for cell in row)
    assert "담당자: " in rows[1][7] and "•••" in rows[1][7]


@pytest.mark.parametrize("role", ["regional", "coordinator", "company", "expert"])
def test_only_readers_of_the_log_export_it(world: World, role: str) -> None:
    assert _as(world, role).get(reverse("core:audit_log_csv")).status_code == 403
