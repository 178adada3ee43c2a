"""The shared look-ups of views and API (sandan.core.shortcuts) on real scoped rows."""

from __future__ import annotations

import pytest
from django.http import Http404

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.services import NotAllowed
from sandan.core.shortcuts import get_changeable_or_403, get_visible_or_404, may
from sandan.registry.models import Organisation
from sandan.registry.tests import factories as f

pytestmark = pytest.mark.django_db


def _firms() -> tuple[Organisation, Organisation]:
    own = f.OrganisationFactory(name_ko="(주)한빛정밀")
    other = f.OrganisationFactory(name_ko="(주)동해소재")
    return own, other


def test_a_firm_sees_its_own_organisation_and_gets_404_for_another() -> None:
    own, other = _firms()
    user = user_with_role(Role.COMPANY_USER, organisation=own)
    found = get_visible_or_404(Organisation.objects.all(), user, "없음", pk=own.pk)
    assert found == own
    with pytest.raises(Http404, match="기관을 찾을 수 없습니다"):
        get_visible_or_404(
            Organisation.objects.all(), user, "기관을 찾을 수 없습니다.", pk=other.pk
        )
    assert may(user, Organisation, "view", own.pk)
    assert not may(user, Organisation, "view", other.pk)


def test_visible_but_not_changeable_is_403_with_the_reason() -> None:
    own, _ = _firms()
    auditor = user_with_role(Role.AUDITOR)
    assert get_visible_or_404(Organisation.objects.all(), auditor, "없음", pk=own.pk) == own
    with pytest.raises(NotAllowed, match="수정할 권한이 없습니다"):
        get_changeable_or_403(
            Organisation.objects.all(), auditor, "없음", "수정할 권한이 없습니다.", pk=own.pk
        )
    hq = user_with_role(Role.HQ_STAFF)
    assert get_changeable_or_403(Organisation.objects.all(), hq, "없음", "거부", pk=own.pk) == own


def test_a_missing_row_is_404_for_everyone() -> None:
    hq = user_with_role(Role.HQ_STAFF)
    with pytest.raises(Http404):
        get_changeable_or_403(Organisation.objects.all(), hq, "없음", "거부", pk=999_999)
