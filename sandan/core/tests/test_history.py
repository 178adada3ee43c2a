"""History pages: one object's audit trail, and the whole audit log for its readers."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sandan.core import audit
from sandan.core.models import AuditAction, AuditEntry
from sandan.core.tests.world import World, build_world
from sandan.registry import services


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


def history(client: Client, world: World, role: str | None, model: str, key: str) -> Any:
    if role is not None:
        client.force_login(world.users[role])
    return client.get(f"/history/{model}/{world[key].pk}/")


def entry_ids(response: Any) -> set[int]:
    return {entry.pk for entry in response.context["page"].object_list}


@pytest.mark.parametrize("role", ["auditor", "hq", "ministry"])
def test_readers_of_history_see_a_complexs_entries(client: Client, world: World, role: str) -> None:
    response = history(client, world, role, "complex", "cx_dongnam")
    assert response.status_code == 200
    assert entry_ids(response) == {world["audit_complex"].pk}
    assert response.context["object"] == world["cx_dongnam"]


def test_history_lists_newest_first_and_only_that_object(client: Client, world: World) -> None:
    org = world["company_dongnam"]
    services.update_organisation(world.users["hq"], org, employees=40)
    services.update_organisation(world.users["hq"], org, employees=45)
    response = history(client, world, "auditor", "organisation", "company_dongnam")
    entries = list(response.context["page"].object_list)
    assert [e.action for e in entries] == ["update", "update", "create"]
    assert entries[0].changes == {"employees": [40, 45]}
    assert {e.object_id for e in entries} == {str(org.pk)}


def test_company_user_may_not_read_history_of_a_complex_it_cannot_change(
    client: Client, world: World
) -> None:
    response = history(client, world, "company", "complex", "cx_dongnam")
    assert response.status_code == 403


def test_company_user_gets_404_for_an_organisation_outside_its_scope(
    client: Client, world: World
) -> None:
    assert history(client, world, "company", "organisation", "company_capital").status_code == 404


def test_company_user_reads_its_own_organisations_history(client: Client, world: World) -> None:
    response = history(client, world, "company", "organisation", "company_dongnam")
    assert response.status_code == 200
    assert entry_ids(response) == {world["audit_dongnam"].pk}


def test_coordinator_reads_history_of_the_complexes_it_manages_only(
    client: Client, world: World
) -> None:
    assert history(client, world, "coordinator", "complex", "cx_dongnam").status_code == 200
    client.logout()
    assert history(client, world, "coordinator", "complex", "cx_capital").status_code == 403


def test_expert_reads_its_own_record_only(client: Client, world: World) -> None:
    assert history(client, world, "expert", "expert", "expert_linked").status_code == 200
    assert client.get(f"/history/expert/{world['expert_capital'].pk}/").status_code == 404


def test_personal_data_in_history_is_masked_for_readers_without_contact(
    client: Client, world: World
) -> None:
    ministry = history(client, world, "ministry", "organisation", "company_dongnam")
    assert ministry.status_code == 200
    assert "김민준" not in ministry.content.decode()
    client.logout()
    hq = history(client, world, "hq", "organisation", "company_dongnam")
    assert "김민준" in hq.content.decode()


def test_unknown_model_and_missing_object_are_404(client: Client, world: World) -> None:
    client.force_login(world.users["hq"])
    assert client.get(f"/history/user/{world.users['hq'].pk}/").status_code == 404
    assert client.get("/history/auditentry/1/").status_code == 404
    assert client.get("/history/complex/999999/").status_code == 404


def test_history_needs_login(client: Client, world: World) -> None:
    response = client.get(f"/history/complex/{world['cx_dongnam'].pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client.get("/history/").status_code == 302


# The audit log -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["company", "regional", "coordinator", "expert"])
def test_audit_log_is_403_for_everyone_but_its_readers(
    client: Client, world: World, role: str
) -> None:
    client.force_login(world.users[role])
    assert client.get("/history/").status_code == 403


def test_audit_log_is_paginated_for_auditors(client: Client, world: World) -> None:
    AuditEntry.objects.bulk_create(
        audit.entry_for(world.users["hq"], world["cx_capital"], AuditAction.UPDATE, {})
        for _ in range(120)
    )
    client.force_login(world.users["auditor"])

    first = client.get("/history/")
    last = client.get("/history/?page=3")

    assert first.status_code == last.status_code == 200
    assert first.context["page"].paginator.count == 123
    assert len(first.context["page"].object_list) == 50
    assert len(last.context["page"].object_list) == 23
    assert client.get("/history/?page=999").context["page"].number == 3
    assert client.get("/history/?page=nonsense").context["page"].number == 1


def test_audit_log_filters_by_actor_and_source(client: Client, world: World) -> None:
    services.update_organisation(world.users["hq"], world["company_dongnam"], employees=41)
    services.create_organisation(None, kind="agency", name_ko="경남TP", source="import")
    client.force_login(world.users["auditor"])

    by_actor = client.get("/history/", {"actor": world.users["hq"].username})
    by_source = client.get("/history/", {"source": "import"})

    assert [e.object_repr for e in by_actor.context["page"].object_list] == ["(주)창원기계"]
    assert [e.object_repr for e in by_source.context["page"].object_list] == ["경남TP"]


def test_audit_log_query_count_does_not_grow_with_rows(client: Client, world: World) -> None:
    """Page 2 holds 13 rows and page 1 holds 50; both cost the same queries.

    A page looks up the objects it names (for their labels and links) once per kind of
    object, so both pages hold the same kinds: complexes and organisations."""
    AuditEntry.objects.bulk_create(
        audit.entry_for(world.users["hq"], obj, AuditAction.UPDATE, {})
        for obj in (world["cx_capital"], world["company_capital"]) * 30
    )
    client.force_login(world.users["auditor"])
    client.get("/history/")  # warm caches (content types, session)

    with CaptureQueriesContext(connection) as few:
        assert client.get("/history/?page=2").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get("/history/").status_code == 200
    assert len(many) == len(few)
