"""Time that makes sense (ADR 0017): work belongs to the program year whose period holds its
date, deadlines are measured within that year and by its rules, and every page tells the
same date when the site is held "as of" one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.models import AuditEntry
from sandan.program.models import ProgramYear
from sandan.registry.models import Organisation
from sandan.support import services
from sandan.support.selectors import lateness, overdue_problems
from sandan.support.tests.factories import ProblemFactory, TriagedProblemFactory, support_year

pytestmark = pytest.mark.django_db

TITLE = "사출 성형품 수축 불량이 계속 발생합니다"
TEXT = "금형 온도를 바꿔도 수축 불량이 줄지 않아 납품 기일을 맞추기 어렵습니다."


def at(year: int, month: int, day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


# The program year of a date --------------------------------------------------------------


def test_a_problem_filed_today_belongs_to_the_year_that_holds_today(
    settings: Any, firm: Organisation
) -> None:
    support_year(2011)
    settings.SANDAN_AS_OF = "2011-03-02"
    problem = services.submit_problem(None, firm, TITLE, TEXT)
    assert problem.program_year.year == 2011
    assert timezone.localdate(problem.submitted_at) == dt.date(2011, 3, 2)
    settings.SANDAN_AS_OF = "2010-11-30"
    assert services.submit_problem(None, firm, TITLE, TEXT).program_year.year == 2010


def test_filing_into_a_year_nobody_made_says_what_is_missing(
    settings: Any, firm: Organisation
) -> None:
    settings.SANDAN_AS_OF = "2026-01-05"
    with pytest.raises(ValidationError) as info:
        services.submit_problem(None, firm, TITLE, TEXT)
    message = info.value.message_dict["program_year"][0]
    assert "2026-01-05" in message and "2026년 사업연도" in message


def test_filing_into_a_draft_year_says_it_is_not_approved(
    settings: Any, firm: Organisation
) -> None:
    ProgramYear.objects.create(year=2011)
    settings.SANDAN_AS_OF = "2011-02-01"
    with pytest.raises(ValidationError) as info:
        services.submit_problem(None, firm, TITLE, TEXT)
    assert "2011년 사업연도가 아직 승인되지 않아" in info.value.message_dict["program_year"][0]


def test_the_api_answers_a_missing_year_with_a_4xx_and_the_reason(
    settings: Any, company: Any
) -> None:
    from sandan.accounts.models import ApiToken

    settings.SANDAN_AS_OF = "2026-01-05"
    _token, raw = ApiToken.issue(company)
    response = Client().post(
        "/api/v1/support/problems",
        {"title": TITLE, "description": TEXT},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert 400 <= response.status_code < 500
    assert "2026년 사업연도" in response.json()["detail"]["program_year"][0]


def test_the_intake_form_shows_the_missing_year(
    client: Client, settings: Any, company: Any
) -> None:
    settings.SANDAN_AS_OF = "2026-01-05"
    client.force_login(company)
    response = client.post(
        reverse("support:problem_create"),
        {"title": TITLE, "description": TEXT, "urgency": "normal"},
    )
    assert response.status_code in (200, 400)
    assert "2026년 사업연도" in response.content.decode()


def test_project_dates_stay_within_the_program_year(coordinator: Any, firm: Organisation) -> None:
    problem = TriagedProblemFactory(organisation=firm)
    with pytest.raises(ValidationError) as info:
        services.create_project(
            coordinator,
            [problem],
            title="사출 불량 저감 지원",
            type="mentoring",
            start_date=dt.date(2010, 10, 1),
            end_date=dt.date(2011, 3, 31),
        )
    assert "2010년 사업연도 기간" in info.value.message_dict["end_date"][0]
    assert "start_date" not in info.value.message_dict


# Overdue within the work's own year -------------------------------------------------------


def test_open_work_of_a_past_year_is_measured_at_the_years_end(
    settings: Any, coordinator: Any, firm: Organisation
) -> None:
    late = ProblemFactory(organisation=firm, submitted_at=at(2010, 12, 20))
    settings.SANDAN_AS_OF = "2026-12-07"
    found = list(overdue_problems(coordinator))
    assert [p.pk for p in found] == [late.pk]
    measured = lateness(found[0])
    # Due on 25 December at 10:00 (five days to triage), measured at the end of 31 December:
    # six whole days late, whatever the date today.
    assert measured.year_ended and measured.days_late == 6
    assert measured.due.date() == dt.date(2010, 12, 25)


def test_a_running_year_measures_to_today_by_its_own_rules(
    settings: Any, coordinator: Any, firm: Organisation
) -> None:
    problem = ProblemFactory(organisation=firm, submitted_at=at(2010, 6, 1, hour=0))
    settings.SANDAN_AS_OF = "2010-06-15"
    [found] = overdue_problems(coordinator)
    assert found.pk == problem.pk and not lateness(found).year_ended
    assert lateness(found).days_late == 9  # due 6 June, today 15 June
    support_year(triage_within_days=20)
    assert not overdue_problems(coordinator).exists()


def test_a_project_not_completed_in_time_is_late_by_complete_within_days(
    settings: Any, coordinator: Any, firm: Organisation
) -> None:
    support_year(complete_within_days=30)
    problem = TriagedProblemFactory(
        organisation=firm,
        submitted_at=at(2010, 3, 2),
        triaged_at=at(2010, 3, 4),
        project_started_at=at(2010, 4, 1, hour=0),
        status="in_project",
    )
    settings.SANDAN_AS_OF = "2010-05-10"
    [found] = overdue_problems(coordinator)
    assert found.pk == problem.pk and found.overdue_stage == "complete"
    assert lateness(found).days_late == 9  # due 1 May, today 10 May
    settings.SANDAN_AS_OF = "2010-04-20"
    assert not overdue_problems(coordinator).exists()


def test_the_service_level_page_of_an_ended_year_shows_what_was_left_unresolved(
    client: Client, settings: Any, coordinator: Any, firm: Organisation
) -> None:
    ProblemFactory(organisation=firm, title="연말에 접수된 애로", submitted_at=at(2010, 12, 20))
    settings.SANDAN_AS_OF = "2026-12-07"
    client.force_login(coordinator)
    body = client.get(reverse("support:service_levels"), {"year": "2010"}).content.decode()
    assert "2010년 종료(2010.12.31) 시 미해결로 남은 애로과제 1건" in body
    assert "연말에 접수된 애로" in body and "2010.12.25" in body
    listed = client.get(reverse("support:problem_list"), {"overdue": "on"}).content.decode()
    assert "연도 종료 시 미해결" in listed
    assert "11일" in listed  # waited from 20 December to the year's end, not to 2026


# One date on every page ------------------------------------------------------------------


def test_every_page_states_the_date_the_site_is_held_at(
    client: Client, settings: Any, coordinator: Any, firm: Organisation
) -> None:
    settings.SANDAN_AS_OF = "2010-12-20"
    client.force_login(coordinator)
    for name in ("support:problem_list", "support:service_levels", "councils:calendar"):
        assert "2010-12-20 기준" in client.get(reverse(name)).content.decode(), name


def test_new_writes_and_their_audit_entries_are_dated_by_the_sites_clock(
    settings: Any, firm: Organisation
) -> None:
    settings.SANDAN_AS_OF = "2010-12-20"
    problem = services.submit_problem(None, firm, TITLE, TEXT)
    entry = AuditEntry.objects.filter(object_id=str(problem.pk)).latest("at")
    assert timezone.localdate(entry.at) == dt.date(2010, 12, 20)
    assert timezone.localdate(problem.submitted_at) == dt.date(2010, 12, 20)


def test_hq_sees_that_todays_program_year_needs_creating(
    client: Client, settings: Any, coordinator: Any
) -> None:
    support_year()
    settings.SANDAN_AS_OF = "2011-01-03"
    client.force_login(user_with_role(Role.HQ_STAFF))
    body = client.get(reverse("support:problem_list")).content.decode()
    assert "2011년 사업연도가 아직 없거나 승인되지 않았습니다" in body
    client.force_login(coordinator)
    assert (
        "사업연도가 아직 없거나" not in client.get(reverse("support:problem_list")).content.decode()
    )
    settings.SANDAN_AS_OF = "2010-12-20"
    client.force_login(user_with_role(Role.HQ_STAFF, username="hq2"))
    assert (
        "사업연도가 아직 없거나" not in client.get(reverse("support:problem_list")).content.decode()
    )
