"""Support pipeline forms: `problems` (intake, triage, assignment, referral, import) and
`projects` (projects, participants, budget lines, milestones, outcomes, the survey)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sandan.core.i18n import pick_name
from sandan.program.models import ProgramYear, ServiceCategory


def year_choices() -> list[tuple[str, str]]:
    """The program years, newest first, for a filter."""
    return [
        (str(year), _("%(year)s년") % {"year": year})
        for year in ProgramYear.objects.order_by("-year").values_list("year", flat=True)
    ]


def category_choices() -> list[tuple[str, str]]:
    """Service categories by code, named as the newest year names them (local name)."""
    seen: dict[str, str] = {}
    for code, name_ko, name_en in ServiceCategory.objects.order_by(
        "-program_year__year", "order", "code"
    ).values_list("code", "name_ko", "name_en"):
        seen.setdefault(code, pick_name(name_ko, name_en))
    return list(seen.items())
