"""`load_reference` ships the 5+2 zones, provinces, municipalities, KSIC and KICOX offices."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from sandan.registry.models import Industry, Municipality, Office, Province, Zone
from sandan.registry.reference import load_reference, office_for

pytestmark = pytest.mark.django_db


def _table_state() -> list[list[tuple[object, ...]]]:
    return [
        list(Zone.objects.values_list("pk", "code", "order")),
        list(Province.objects.values_list("pk", "code", "zone_id", "valid_until")),
        list(Municipality.objects.values_list("pk", "code", "province_id", "parent_id")),
        list(Industry.objects.values_list("pk", "code", "parent_id", "name_ko")),
        list(Office.objects.values_list("pk", "code", "parent_id", "zone_id")),
    ]


def test_load_reference_counts() -> None:
    load_reference()
    assert list(Zone.objects.values_list("code", flat=True)) == [
        "capital", "chungcheong", "honam", "daegyeong", "dongnam", "gangwon", "jeju",
    ]  # fmt: skip
    assert Province.objects.filter(valid_until__isnull=True).count() == 17
    assert set(
        Province.objects.filter(valid_until__isnull=False).values_list("code", flat=True)
    ) == {"42", "45", "49"}
    assert Province.objects.get(code="36").zone.code == "chungcheong"  # 세종
    assert Municipality.objects.count() == 261
    changwon_gu = Municipality.objects.get(name_ko="창원시 성산구")
    assert changwon_gu.parent is not None and changwon_gu.parent.name_ko == "창원시"
    assert Municipality.objects.get(name_ko="군위군").province.code == "27"  # 대구 since 2023
    levels = dict(Industry.objects.values_list("level").annotate(n=Count("pk")).order_by())
    assert levels == {
        "section": 21, "division": 77, "group": 234, "class": 501, "subclass": 1205,
    }  # fmt: skip
    assert Industry.objects.get(code="C").parent is None
    assert Industry.objects.get(code="29").parent.code == "C"  # type: ignore[union-attr]
    assert Office.objects.filter(kind="hq").count() == 1
    # Today's network (1 + 6 + 19); the three capital-area HQs it replaced in 2010 are kept.
    current = Office.objects.filter(valid_until__isnull=True)
    assert current.filter(kind="regional_hq").count() == 6
    assert current.filter(kind="branch").count() == 19
    assert Office.objects.filter(kind="regional_hq", valid_until__isnull=False).count() == 3


def test_load_reference_twice_changes_nothing() -> None:
    load_reference()
    before = _table_state()
    summary = load_reference()
    assert _table_state() == before
    assert all(c.created == 0 and c.updated == 0 for c in summary.counts.values())


def test_command_prints_summary(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_reference", skip_checks=True)
    out = capsys.readouterr().out
    assert "industries" in out and "2038 created" in out


def test_office_coverage_most_specific_rule_wins() -> None:
    assert office_for("41", "안산시") == "banwol-sihwa"  # 경기 (province rule)
    assert office_for("41", "파주시") == "paju"  # 경기:파주시
    assert office_for("31", "울주군") == "onsan"
    assert office_for("31", "남구") == "ulsan"
    assert office_for("48", "창원시 성산구") == "changwon"
    assert office_for("50", "제주시") == "gwangju"  # 제주 → a Honam branch
    assert office_for("46", "영암군") == "daebul"
