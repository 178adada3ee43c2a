"""History pages: the audit trail of one object, and (for auditors) of everything."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from sandan.core.models import AuditEntry
from sandan.core.querysets import allows
from sandan.core.shortcuts import get_visible_or_404, may_read_history

HISTORY_MODELS = {
    "complex": "registry.Complex",
    "organisation": "registry.Organisation",
    "expert": "registry.Expert",
    "office": "registry.Office",
    "complexstat": "registry.ComplexStat",
    "problem": "support.Problem",
    "project": "support.Project",
    "membership": "accounts.Membership",
    "accountrequest": "accounts.AccountRequest",
}


@login_required
def object_history(request: HttpRequest, model: str, pk: int) -> HttpResponse:
    label = HISTORY_MODELS.get(model)
    if label is None:
        raise Http404
    model_class = apps.get_model(label)
    manager: Any = model_class._default_manager
    # No message of its own: the 404 page then says what it says of any missing page.
    obj = get_visible_or_404(manager.all(), request.user, "", pk=pk)
    if not may_read_history(request.user, model_class, obj.pk):
        raise PermissionDenied(_("이력을 볼 권한이 없습니다."))
    from sandan.core.audit import history_of

    page = Paginator(history_of(obj), 50).get_page(request.GET.get("page"))
    return render(request, "core/history.html", {"object": obj, "page": page, "model": model})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.restrict(request.user, "view").select_related(  # type: ignore[attr-defined]
        "actor", "content_type"
    )
    if not allows(request.user, AuditEntry, "view"):
        raise PermissionDenied(_("감사 기록을 볼 권한이 없습니다."))
    actor = request.GET.get("actor", "").strip()
    if actor:
        entries = entries.filter(actor__username=actor)
    source = request.GET.get("source", "").strip()
    if source:
        entries = entries.filter(source=source)
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "actor": actor, "source": source})


def privacy_policy(request: HttpRequest) -> HttpResponse:
    """개인정보처리방침: what personal data sandan keeps, who sees it, for how long and
    whom to ask (open to everyone, signed in or not; written from docs/permissions.md)."""
    from django.conf import settings

    contact = getattr(settings, "SANDAN_PRIVACY_CONTACT", "") or settings.DEFAULT_FROM_EMAIL
    session_hours = settings.SESSION_COOKIE_AGE // 3600
    return render(
        request,
        "core/privacy.html",
        {"contact": contact, "session_hours": session_hours},
    )
