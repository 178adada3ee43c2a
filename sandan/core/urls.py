from django.urls import path

from sandan.core import views

app_name = "core"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("<slug:model>/<int:pk>/", views.object_history, name="object_history"),
]
