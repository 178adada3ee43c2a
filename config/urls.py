from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from sandan.api.urls import api
from sandan.core.views import privacy_policy

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("sandan.accounts.urls")),
    path("registry/", include("sandan.registry.urls")),
    path("councils/", include("sandan.councils.urls")),
    path("program/", include("sandan.program.urls")),
    path("support/", include("sandan.support.urls")),
    path("finance/", include("sandan.finance.urls")),
    path("outreach/", include("sandan.outreach.urls")),
    path("history/", include("sandan.core.urls")),
    path("privacy/", privacy_policy, name="privacy"),
    path("", include("sandan.analytics.urls")),
]

if settings.DEBUG:  # pragma: no cover - uploaded media in local development only
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "sandan.core.errors.page_not_found"
handler500 = "sandan.core.errors.server_error"
