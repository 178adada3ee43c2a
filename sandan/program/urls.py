from django.urls import path

from sandan.program import views, views_year

app_name = "program"

urlpatterns = [
    path("", views.year_list, name="year_list"),
    path("planner/", views.planner_current, name="planner_current"),
    path("editor/", views_year.editor, name="editor"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/copy/", views.year_copy, name="year_copy"),
    path("<int:year>/approve/", views.year_approve, name="year_approve"),
    path("<int:year>/edit/", views_year.year_edit, name="year_edit"),
    path("<int:year>/rules/", views_year.year_rules, name="year_rules"),
    path("<int:year>/categories/", views_year.categories, name="categories"),
    path("<int:year>/categories/new/", views_year.category_new, name="category_new"),
    path("<int:year>/categories/<slug:code>/", views_year.category_edit, name="category_edit"),
    path(
        "<int:year>/categories/<slug:code>/delete/",
        views_year.category_delete,
        name="category_delete",
    ),
    path("<int:year>/timeline/", views_year.timeline, name="timeline"),
    path(
        "<int:year>/timeline/<int:pk>/delete/",
        views_year.milestone_delete,
        name="milestone_delete",
    ),
    path("<int:year>/designations/", views.designation_overview, name="designations"),
    path("<int:year>/designations/edit/", views.designation_edit, name="designation_edit"),
    path("<int:year>/planner/", views.planner, name="planner"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/accept/", views.plan_accept, name="plan_accept"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
]
