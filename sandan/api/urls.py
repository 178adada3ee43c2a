"""The REST API under /api/v1/ (django-ninja): OpenAPI at /api/v1/openapi.json, docs at
/api/v1/docs. Every endpoint needs a bearer token or a logged-in session."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from sandan.api.auth import BearerToken, Session

api = NinjaAPI(
    title="sandan API",
    version="1",
    description=(
        "산업단지 클러스터사업 플랫폼 API. 인증: `Authorization: Bearer <token>` "
        "(프로필 화면 또는 `sandan create_api_token USERNAME`으로 발급)."
    ),
    auth=[BearerToken(), Session()],
    urls_namespace="api",
)
# Each app owns its router (`<app>/api.py`); this module only mounts them.
api.add_router("/", "sandan.registry.api.router")
api.add_router("/", "sandan.councils.api.router")
api.add_router("/", "sandan.program.api.router")
api.add_router("/", "sandan.support.api.router")
api.add_router("/", "sandan.finance.api.router")
api.add_router("/", "sandan.outreach.api.router")


@api.exception_handler(DjangoValidationError)
def on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "permission denied"}, status=403)
