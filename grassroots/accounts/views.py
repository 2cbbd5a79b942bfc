"""Login and account administration. Thin: parse, fetch through access, call one service."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.audit.services import Actor

from . import access, services
from .forms import AccountForm, LoginForm
from .models import Role


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def account_list(request):
    access.require_role(request.user, Role.ADMIN)
    accounts = access.accounts_visible(request.user).select_related("scope").order_by("username")
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@login_required
@require_http_methods(["GET", "POST"])
def account_create(request):
    access.require_role(request.user, Role.ADMIN)
    form = AccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.account_create(
                actor=Actor.from_request(request),
                username=data["username"],
                password=data["password"],
                scope=data["scope"],
                role=data["role"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã tạo tài khoản %(name)s.") % {"name": account.username})
            return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "account": None})


@login_required
@require_http_methods(["GET", "POST"])
def account_edit(request, pk: int):
    account = access.get_account_for_user(request.user, pk)
    initial = {
        "username": account.username,
        "last_name": account.last_name,
        "email": account.email,
        "role": account.role,
        "scope": account.scope.code if account.scope else "",
        "is_active": account.is_active,
    }
    form = AccountForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = Actor.from_request(request)
        try:
            services.account_update(
                actor=actor,
                account=account,
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                scope=data["scope"],
                is_active=data["is_active"],
            )
            if data["password"]:
                services.account_set_password(
                    actor=actor, account=account, password=data["password"]
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tài khoản %(name)s.") % {"name": account.username})
            return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "account": account})
