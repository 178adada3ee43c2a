from django.urls import path

from sandan.core import views

app_name = "core"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("export.csv", views.audit_log_csv, name="audit_log_csv"),
    path("<slug:model>/<int:pk>/", views.object_history, name="object_history"),
]
