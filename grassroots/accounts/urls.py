from django.urls import path

from grassroots.audit import views as audit_views

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_edit, name="edit"),
    path("profile-views/", audit_views.profile_view_list, name="profile_views"),
    path("password/", views.password_change, name="password"),
    path("2fa/", views.two_factor_setup, name="two_factor"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
]
