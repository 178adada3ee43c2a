from django.urls import path

from sandan.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("overview/", views.overview_page, name="overview"),
]
