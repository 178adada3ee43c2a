from django.urls import path

from sandan.registry import views, views_import, views_offices

app_name = "registry"

urlpatterns = [
    path("complexes/", views.complex_list, name="complex_list"),
    path("complexes/<str:kicox_id>/", views.complex_detail, name="complex_detail"),
    path("complexes/<str:kicox_id>/edit/", views.complex_edit, name="complex_edit"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("offices/", views_offices.office_chart, name="office_chart"),
    path("import/", views_import.import_upload, name="import"),
]
