"""Councils, members and activities as the services write them: rules, constraints, audit,
and bad input that is refused with a reason while nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.core.services import NotAllowed
from sandan.councils import services
from sandan.councils.models import Activity, Attendance, Council, Membership
from sandan.councils.selectors import rule_check
from sandan.councils.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CouncilFactory,
    MembershipFactory,
    active_council,
    hub_designation,
    linked_designation,
    program_year,
    university,
)
from sandan.registry.tests.factories import (
    ComplexFactory,
    IndustryFactory,
    OrganisationFactory,
    province,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hq() -> Any:
    return user_with_role(Role.HQ_STAFF)


# Councils --------------------------------------------------------------------------


def test_a_council_belongs_to_a_hub_and_takes_its_zone(hq: Any) -> None:
    hub = hub_designation(ComplexFactory(name_ko="창원국가산업단지", province=province("48")))
    council = services.create_council(
        hq, hub=hub, name="창원 기계부품 미니클러스터", industry=IndustryFactory()
    )
    assert council.status == Council.Status.FORMING
    assert council.zone.code == "dongnam"
    entry = AuditEntry.objects.get(object_id=str(council.pk), content_type__model="council")
    assert entry.action == "create" and entry.actor == hq


def test_a_council_without_a_hub_is_refused_and_nothing_is_written(hq: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_council(hq, hub=None, name="허브 없는 협의체", industry=IndustryFactory())
    assert "거점단지" in info.value.message_dict["hub"][0]
    assert not Council.objects.exists() and not AuditEntry.objects.exists()


def test_a_council_of_a_linked_complex_is_refused_with_the_reason(hq: Any) -> None:
    linked = linked_designation(hub_designation())
    with pytest.raises(ValidationError) as info:
        services.create_council(hq, hub=linked, name="연계 협의체", industry=IndustryFactory())
    assert "연계단지" in info.value.message_dict["hub"][0]
    assert not Council.objects.exists()


def test_a_technology_council_needs_its_technology(hq: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_council(hq, hub=hub_designation(), name="기술", theme_kind="technology")
    assert "technology" in info.value.message_dict


def test_the_database_refuses_a_council_without_a_theme() -> None:
    council = CouncilFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.filter(pk=council.pk).update(industry=None)


def test_activation_follows_the_rule_of_the_year(hq: Any) -> None:
    council = CouncilFactory()
    for _n in range(9):
        MembershipFactory(council=council)
    check = rule_check(council)
    assert not check.ok and len(check.problems) == 2  # 9 firms, no university
    with pytest.raises(ValidationError) as info:
        services.change_council_status(hq, council, Council.Status.ACTIVE)
    assert "10" in " ".join(info.value.message_dict["status"])

    MembershipFactory(council=council)
    MembershipFactory(council=council, organisation=university())
    assert rule_check(council).ok
    council = services.change_council_status(hq, council, Council.Status.ACTIVE)
    assert council.status == Council.Status.ACTIVE


def test_the_rule_is_data_of_the_program_year(hq: Any) -> None:
    year = program_year(2010)
    year.rules = {**year.rules, "council_min_firms": 3, "council_requires_academia": False}
    year.save()
    council = CouncilFactory()
    for _n in range(3):
        MembershipFactory(council=council)
    assert rule_check(council).ok


def test_merged_and_closed_are_final(hq: Any) -> None:
    council, other = active_council(), active_council()
    with pytest.raises(ValidationError):
        services.change_council_status(hq, council, Council.Status.MERGED)  # no target
    services.change_council_status(hq, council, Council.Status.MERGED, merged_into=other)
    council.refresh_from_db()
    with pytest.raises(ValidationError):
        services.change_council_status(hq, council, Council.Status.ACTIVE)


# Memberships -------------------------------------------------------------------------


def test_firms_of_linked_complexes_join_the_hub_council(hq: Any) -> None:
    council = CouncilFactory()
    linked = linked_designation(council.hub)
    firm = OrganisationFactory(name_ko="(주)마산정공", complex=linked.complex)
    member = services.add_member(
        hq, council=council, organisation=firm, joined_on=dt.date(2010, 4, 1)
    )
    assert member.organisation == firm


def test_a_firm_outside_the_hub_and_its_linked_complexes_is_refused(hq: Any) -> None:
    council = CouncilFactory()
    outsider = OrganisationFactory(name_ko="(주)구미전자", complex=ComplexFactory())
    with pytest.raises(ValidationError) as info:
        services.add_member(
            hq, council=council, organisation=outsider, joined_on=dt.date(2010, 4, 1)
        )
    assert "연계단지" in info.value.message_dict["organisation"][0]
    assert not Membership.objects.exists()


def test_an_unknown_organisation_is_refused(hq: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.add_member(
            hq, council=CouncilFactory(), organisation=None, joined_on=dt.date(2010, 4, 1)
        )
    assert "등록되지 않은 기관" in info.value.message_dict["organisation"][0]


def test_one_membership_per_organisation_and_council_at_a_time(hq: Any) -> None:
    member = MembershipFactory()
    with pytest.raises(ValidationError):
        services.add_member(
            hq,
            council=member.council,
            organisation=member.organisation,
            joined_on=dt.date(2010, 6, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            council=member.council, organisation=member.organisation, joined_on=dt.date(2011, 1, 1)
        )
    services.end_membership(hq, member, dt.date(2010, 12, 31))
    again = services.add_member(
        hq, council=member.council, organisation=member.organisation, joined_on=dt.date(2011, 1, 1)
    )
    assert again.pk != member.pk


@pytest.mark.parametrize(
    "fields",
    [
        {"annual_fee_krw": -1},
        {"joined_on": dt.date(2010, 5, 1), "left_on": dt.date(2010, 4, 1)},
        {"role": "president"},
    ],
    ids=["negative fee", "left before joined", "unknown role"],
)
def test_the_database_guards_memberships(fields: dict[str, Any]) -> None:
    member = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=member.pk).update(**fields)


def test_one_chair_at_a_time(hq: Any) -> None:
    chair = MembershipFactory(role=Membership.Role.CHAIR)
    other = OrganisationFactory(complex=chair.council.hub.complex)
    with pytest.raises(ValidationError) as info:
        services.add_member(
            hq,
            council=chair.council,
            organisation=other,
            joined_on=dt.date(2010, 4, 1),
            role=Membership.Role.CHAIR,
        )
    assert "회장사" in info.value.message_dict["role"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(council=chair.council, organisation=other, role="chair")


def test_regional_staff_cannot_add_members_outside_their_zone() -> None:
    council = CouncilFactory()  # capital zone
    staff = user_with_role(Role.REGIONAL_STAFF, zone=province("48").zone)
    firm = OrganisationFactory(complex=council.hub.complex)
    with pytest.raises(NotAllowed):
        services.add_member(
            staff, council=council, organisation=firm, joined_on=dt.date(2010, 4, 1)
        )
    assert not Membership.objects.exists()


def test_subgroups_take_members_of_their_own_council(hq: Any) -> None:
    member, stranger = MembershipFactory(), MembershipFactory()
    group = services.create_subgroup(hq, council=member.council, name="금형 분과", members=[member])
    assert list(group.members.all()) == [member]
    with pytest.raises(ValidationError):
        services.create_subgroup(hq, council=member.council, name="수출 분과", members=[stranger])


# Activities and attendance -----------------------------------------------------------


def test_an_activity_is_created_and_audited(hq: Any) -> None:
    council = active_council()
    activity = services.create_activity(
        hq,
        council=council,
        kind=Activity.Kind.DISCOVERY,
        title="애로과제 발굴 회의",
        starts_at=timezone.make_aware(dt.datetime(2010, 6, 20, 14)),  # program year 2010
        place="창원 지사 회의실",
        problems_raised=4,
    )
    assert AuditEntry.objects.filter(content_type__model="activity", object_id=str(activity.pk))


def test_an_activity_without_a_council_is_refused(hq: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.create_activity(
            hq, council=None, kind="seminar", title="x", starts_at=timezone.now()
        )
    assert "협의체" in info.value.message_dict["council"][0]
    assert not Activity.objects.exists()


def test_the_database_refuses_an_activity_ending_before_it_starts() -> None:
    activity = ActivityFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(
            ends_at=activity.starts_at - dt.timedelta(hours=1)
        )


def test_attendance_for_an_unknown_organisation_is_refused(hq: Any) -> None:
    activity = ActivityFactory()
    with pytest.raises(ValidationError) as info:
        services.record_attendance(hq, activity=activity, organisation=None, person_name="김민준")
    assert "등록되지 않은 기관" in info.value.message_dict["organisation"][0]
    assert not Attendance.objects.exists() and not AuditEntry.objects.exists()


def test_recording_the_same_person_twice_updates_the_row(hq: Any) -> None:
    activity = ActivityFactory()
    firm = OrganisationFactory(complex=activity.council.hub.complex)
    first = services.record_attendance(
        hq, activity=activity, organisation=firm, person_name="김민준", status="registered"
    )
    second = services.record_attendance(
        hq, activity=activity, organisation=firm, person_name="김민준"
    )
    assert first.pk == second.pk and second.status == "attended"
    assert AuditEntry.objects.filter(content_type__model="attendance").count() == 2


def test_a_member_company_registers_itself_for_a_coming_activity() -> None:
    member = MembershipFactory()
    activity = ActivityFactory(council=member.council)
    user = user_with_role(Role.COMPANY_USER, organisation=member.organisation)
    row = services.register_for_activity(
        user, activity=activity, organisation=member.organisation, person_name="이서연"
    )
    assert row.status == Attendance.Status.REGISTERED
    assert services.cancel_registration(user, row).status == Attendance.Status.CANCELLED


def test_a_company_cannot_register_for_another_councils_activity() -> None:
    member = MembershipFactory()
    other_activity = ActivityFactory()
    user = user_with_role(Role.COMPANY_USER, organisation=member.organisation)
    with pytest.raises(NotAllowed):
        services.register_for_activity(
            user, activity=other_activity, organisation=member.organisation, person_name="이서연"
        )


def test_a_company_cannot_register_another_organisation() -> None:
    member = MembershipFactory()
    other = MembershipFactory(council=member.council)
    activity = ActivityFactory(council=member.council)
    user = user_with_role(Role.COMPANY_USER, organisation=member.organisation)
    with pytest.raises(NotAllowed):
        services.register_for_activity(
            user, activity=activity, organisation=other.organisation, person_name="박지훈"
        )
    assert not Attendance.objects.exists()


def test_an_activity_with_attendance_is_not_deleted(hq: Any) -> None:
    row = AttendanceFactory()
    with pytest.raises(ValidationError):
        services.delete_activity(hq, row.activity)


def test_bulk_writes_are_audited_in_one_batch() -> None:
    council = active_council()
    start = timezone.now()
    created = services.bulk_create_activities(
        None,
        [
            {"council_id": council.pk, "kind": "forum", "title": f"포럼 {n}", "starts_at": start}
            for n in range(3)
        ],
    )
    firm = council.memberships.first().organisation  # type: ignore[union-attr]
    written = services.bulk_record_attendance(
        None,
        [
            {"activity_id": a.pk, "organisation_id": firm.pk, "person_name": "김민준"}
            for a in created
        ],
    )
    assert written == 3
    batches = set(
        AuditEntry.objects.filter(content_type__model="attendance").values_list("batch", flat=True)
    )
    assert len(batches) == 1 and "" not in batches


def test_bulk_activities_report_bad_rows_and_write_nothing() -> None:
    with pytest.raises(ValidationError) as info:
        services.bulk_create_activities(
            None, [{"kind": "party", "title": "x", "starts_at": timezone.now()}]
        )
    assert "row 1" in info.value.message_dict
    assert not Activity.objects.exists()


# Attachments ---------------------------------------------------------------------------


def test_attachments_are_checked_by_type_content_and_size(
    hq: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    activity = ActivityFactory()
    pdf = SimpleUploadedFile("회의자료.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    saved = services.add_attachment(hq, activity=activity, upload=pdf)
    assert saved.content_type == "application/pdf" and saved.size_bytes == 12

    for name, data, word in (
        ("run.exe", b"MZ....", ".exe"),
        ("가짜.pdf", b"<html>", "형식"),
        ("빈.pdf", b"", "빈 파일"),
    ):
        with pytest.raises(ValidationError) as info:
            services.add_attachment(hq, activity=activity, upload=SimpleUploadedFile(name, data))
        assert word in info.value.message_dict["file"][0]
    assert activity.attachments.count() == 1


def test_an_uploaded_file_is_audited_by_its_stored_name(
    hq: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    activity = ActivityFactory()
    upload = SimpleUploadedFile("발표자료.png", b"\x89PNG\r\n\x1a\n0000")
    saved = services.add_attachment(hq, activity=activity, upload=upload, title="발표 사진")
    entry = AuditEntry.objects.get(content_type__model="activityattachment")
    assert entry.changes["file"] == [None, saved.file.name]
