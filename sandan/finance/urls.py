from django.urls import path

from sandan.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.budget_tree, name="budget_tree"),
    path("lines/<int:pk>/", views.line_detail, name="line_detail"),
    path("years/<int:year>/open/", views.open_tree, name="open_tree"),
]
