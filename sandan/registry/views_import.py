"""Upload a complex list or an organisation list (HQ staff). The same services as the
`import_complexes` / `import_organisations` commands run behind this page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sandan.core.io import ImportReport, column_heading
from sandan.core.querysets import allows
from sandan.registry.io import (
    COMPLEX_COLUMNS,
    ORGANISATION_COLUMNS,
    complex_sample_csv,
    import_complexes,
    import_organisations,
    organisation_sample_csv,
)
from sandan.registry.models import Complex, Organisation

IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    "complexes": import_complexes,
    "organisations": import_organisations,
}
ALLOWED_EXTENSIONS = (".csv", ".xlsx")
# The sample file of each importer, generated from its own column description.
SAMPLES: dict[str, tuple[Any, Callable[[], bytes], str]] = {
    "complexes": (gettext_lazy("산업단지 목록"), complex_sample_csv, "sample-complexes.csv"),
    "organisations": (
        gettext_lazy("기관 목록"),
        organisation_sample_csv,
        "sample-organisations.csv",
    ),
}
SAMPLE_COLUMNS = {"complexes": COMPLEX_COLUMNS, "organisations": ORGANISATION_COLUMNS}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("자료 종류"),
        choices=[
            ("complexes", gettext_lazy("산업단지 목록")),
            ("organisations", gettext_lazy("기관 목록")),
        ],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("파일"),
        help_text=gettext_lazy("CSV(UTF-8 또는 CP949) 또는 XLSX"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("검사만 하기 (저장하지 않음)"), required=False, initial=True
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_EXTENSIONS:
            raise forms.ValidationError(_("CSV 또는 XLSX 파일만 올릴 수 있습니다."))
        limit = settings.SANDAN_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("파일이 너무 큽니다 (최대 %(size)s).") % {"size": filesizeformat(limit)}
            )
        return upload


def may_import(user: Any) -> bool:
    return allows(user, Organisation, "add") and allows(user, Complex, "add")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if not may_import(request.user):
        raise PermissionDenied(_("자료를 가져올 권한이 없습니다."))
    sample = SAMPLES.get(request.GET.get("sample", ""))
    if sample is not None:
        _label, build, filename = sample
        response = HttpResponse(build(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    report: ImportReport | None = None
    status = 200
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            importer = IMPORTERS[form.cleaned_data["kind"]]
            report = importer(
                upload,
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
                filename=upload.name,
                audit_source="web",
            )
            if not report.ok:
                status = 400
        else:
            status = 400
    samples = [
        {
            "kind": kind,
            "label": label,
            "columns": [column_heading(column) for column in SAMPLE_COLUMNS[kind]],
        }
        for kind, (label, _build, _filename) in SAMPLES.items()
    ]
    context = {"form": form, "report": report, "samples": samples}
    return render(request, "registry/import.html", context, status=status)
