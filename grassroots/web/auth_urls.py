"""Login and logout at the top level: settings.LOGIN_URL names `login`, without a namespace.

The views are the accounts app's (its login form enforces the lockout); the page is ours.
"""

from django.urls import path

from grassroots.accounts import views as account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
]
