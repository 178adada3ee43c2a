from django.urls import path

from sandan.councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="council_list"),
    path("new/", views.council_create, name="council_create"),
    path("<int:pk>/", views.council_detail, name="council_detail"),
    path("<int:pk>/edit/", views.council_edit, name="council_edit"),
    path("<int:pk>/status/", views.council_status, name="council_status"),
    path("<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path("<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("<int:pk>/calendar.ics", views.council_ics, name="council_ics"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/mine.ics", views.my_ics, name="my_ics"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/register/", views.activity_register, name="activity_register"),
    path("activities/<int:pk>/attendance/add/", views.attendance_add, name="attendance_add"),
    path(
        "activities/<int:pk>/attendance/import/",
        views.attendance_import,
        name="attendance_import",
    ),
    path("activities/<int:pk>/attachments/add/", views.attachment_add, name="attachment_add"),
    path("attendance/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("calendar/", views.activity_calendar, name="calendar"),
]
