"""KICOX's organisation as of a date: the offices that existed then, each under the regional
HQ of that time, and the reorganisations (the 2010 merger of the capital area's HQs)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sandan.core import clock
from sandan.registry.selectors import OrgHistory


@login_required
def office_chart(request: HttpRequest) -> HttpResponse:
    try:
        day = dt.date.fromisoformat(request.GET.get("on", ""))
        bad_date = False
    except ValueError:
        day, bad_date = clock.today(), bool(request.GET.get("on"))
    history = OrgHistory.load()
    return render(
        request,
        "registry/office_chart.html",
        {
            "day": day,
            "bad_date": bad_date,
            "tree": history.tree(day),
            "changes": history.changes(),
            "presets": ["2009-12-31", "2010-01-01"],
        },
        status=400 if bad_date else 200,
    )
