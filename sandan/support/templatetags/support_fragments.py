"""Support's fragments that other apps' pages include, so those apps never import support.

The council activity page shows the problems (애로과제) raised at the activity:
`{% load support_fragments %}{% activity_problems activity may_change %}`.
"""

from __future__ import annotations

from typing import Any

from django import template

from sandan.core.querysets import allows
from sandan.support.models import Problem

register = template.Library()

PROBLEMS_ON_ACTIVITY_PAGE = 50


@register.inclusion_tag("support/_activity_problems.html", takes_context=True)
def activity_problems(context: template.Context, activity: Any, may_change: bool) -> dict[str, Any]:
    """The problems raised at `activity` that the user may see (one query), and whether the
    user may record more (who may change the activity and add problems)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    problems = list(
        Problem.objects.restrict(user, "view")
        .filter(activity=activity)
        .select_related("organisation", "category", "suggested_category")
        .order_by("submitted_at", "id")[: PROBLEMS_ON_ACTIVITY_PAGE + 1]
    )
    return {
        "activity": activity,
        "problems": problems[:PROBLEMS_ON_ACTIVITY_PAGE],
        "more_problems": len(problems) > PROBLEMS_ON_ACTIVITY_PAGE,
        "may_record_problems": bool(may_change) and allows(user, Problem, "add"),
    }
