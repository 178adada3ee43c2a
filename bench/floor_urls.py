"""Bare list views over the organisation table (50 rows and the total count)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from sandan.registry.models import Organisation

PAGE = engines["django"].from_string(
    "<!doctype html><html lang='ko'><body><h1>기관 {{ count }}</h1><table>"
    "{% for o in rows %}<tr><td>{{ o.name_ko }}</td><td>{{ o.business_number }}</td>"
    "<td>{{ o.employees }}</td></tr>{% endfor %}</table></body></html>"
)


def _rows() -> tuple[int, list[Organisation]]:
    qs = Organisation.objects.order_by("name_ko", "id")
    return qs.count(), list(qs[:50])


def page(request: HttpRequest) -> HttpResponse:
    count, rows = _rows()
    return HttpResponse(PAGE.render({"rows": rows, "count": count}))


def json_list(request: HttpRequest) -> JsonResponse:
    count, rows = _rows()
    items = [
        {
            "id": o.pk,
            "name_ko": o.name_ko,
            "business_number": o.business_number,
            "employees": o.employees,
            "kind": o.kind,
        }
        for o in rows
    ]
    return JsonResponse({"items": items, "count": count})


urlpatterns = [path("floor/page/", page), path("floor/json/", json_list)]
