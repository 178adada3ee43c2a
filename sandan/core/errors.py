"""Error handlers: the API answers JSON like its own errors; pages use the templates
(400.html, 403.html, 404.html, 500.html in sandan/core/templates)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIX = "/api/"


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        # django-ninja answers a missing object the same way inside its routes.
        return JsonResponse({"detail": "Not Found"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": "Internal server error"}, status=500)
    return defaults.server_error(request)
