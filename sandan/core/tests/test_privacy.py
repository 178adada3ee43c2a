"""Personal data is masked in one place (sandan.core.privacy) for pages, API and templates."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from sandan.accounts.roles import Role
from sandan.accounts.tests.factories import user_with_role
from sandan.core.privacy import (
    MASK,
    mask_unless_visible,
    masked,
    may_see_contacts,
    with_contact_flag,
)
from sandan.registry.models import Organisation
from sandan.registry.tests.factories import OrganisationFactory


def test_a_hidden_value_is_masked_and_an_empty_one_stays_empty() -> None:
    assert masked("010-1234-5678", visible=True) == "010-1234-5678"
    assert masked("010-1234-5678", visible=False) == MASK
    assert masked("", visible=False) == ""


def test_an_api_row_is_masked_unless_flagged_visible() -> None:
    hidden = {"contact_name": "김민수", "contact_email": "", "contact_visible": False}
    mask_unless_visible(hidden, ("contact_name", "contact_email"))
    assert hidden == {"contact_name": MASK, "contact_email": "", "contact_visible": False}

    shown = {"contact_name": "김민수", "contact_visible": True}
    mask_unless_visible(shown, ("contact_name",))
    assert shown["contact_name"] == "김민수"


def test_the_template_filter_masks_through_the_same_rule() -> None:
    template = Template("{% load sandan_ui %}{{ phone|mask:visible }}|{{ none|mask:False }}")
    assert template.render(Context({"phone": "031-490-5678", "visible": False})) == f"{MASK}|"
    assert template.render(Context({"phone": "031-490-5678", "visible": True})) == ("031-490-5678|")


@pytest.mark.django_db
def test_the_contact_flag_follows_the_role_table() -> None:
    firm = OrganisationFactory(name_ko="(주)반월정밀", contact_name="박지훈")
    hq = user_with_role(Role.HQ_STAFF)
    ministry = user_with_role(Role.MINISTRY_OFFICER)

    def flag(user: object) -> bool:
        row = with_contact_flag(Organisation.objects.filter(pk=firm.pk), user).get()
        return bool(row.contact_visible)  # type: ignore[attr-defined]

    assert flag(hq) is True and may_see_contacts(hq, firm) is True
    assert flag(ministry) is False and may_see_contacts(ministry, firm) is False
    assert may_see_contacts(None, firm) is False
