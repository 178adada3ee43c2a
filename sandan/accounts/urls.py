from django.contrib.auth import views as auth_views
from django.urls import path

from sandan.accounts import views, views_people, views_requests

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("profile/", views.profile, name="profile"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("people/", views_people.people_list, name="people_list"),
    path("people/new/", views_people.account_create, name="account_create"),
    path("people/<int:pk>/", views_people.person_detail, name="person_detail"),
    path("people/<int:pk>/roles/new/", views_people.membership_add, name="membership_add"),
    path("roles/<int:pk>/end/", views_people.membership_end, name="membership_end"),
    path("request/", views_requests.account_request, name="account_request"),
    path("request/sent/", views_requests.account_request_sent, name="account_request_sent"),
    path("requests/", views_requests.request_list, name="request_list"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request_detail"),
    path("requests/<int:pk>/approve/", views_requests.request_approve, name="request_approve"),
    path("requests/<int:pk>/reject/", views_requests.request_reject, name="request_reject"),
]
