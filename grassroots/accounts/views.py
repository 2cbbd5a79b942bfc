"""Login and account administration. Thin: parse, fetch through access, call one service."""

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.audit.services import Actor
from grassroots.core.request import client_address

from . import access, lockout, services, totp, two_factor
from .forms import AccountForm, CodeForm, LoginForm, OwnPasswordForm
from .models import Role, TOTPDevice, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.enabled_for(user):
            # Password right; the account is not logged in until the code is given.
            two_factor.park(self.request, user, self.get_success_url())
            return redirect("accounts:two_factor_verify")
        return super().form_valid(form)


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    pending = two_factor.parked(request)
    if pending is None:
        return redirect("login")
    user = User.objects.get(pk=pending["user"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = client_address(request)
        if lockout.is_locked(user.username, address):
            form.add_error(
                "code",
                _("Đăng nhập tạm bị khóa vì nhập sai nhiều lần. Hãy thử lại sau %(minutes)s phút.")
                % {"minutes": lockout.lockout_minutes()},
            )
        elif services.totp_check(user=user, code=form.cleaned_data["code"]):
            request.session.pop(two_factor.PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            request.session[two_factor.STATE] = "ok"
            return redirect(pending["next"])
        else:
            # A wrong code counts as a failed login (lockout, audit).
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request
            )
            form.add_error("code", _("Mã xác thực không đúng."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    user = request.user
    if not two_factor.offered_to(user):
        raise PermissionDenied(_("Xác thực hai bước dành cho quản trị viên."))
    actor = Actor.from_request(request)
    enabled = two_factor.enabled_for(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enabled:
                services.totp_disable(actor=actor, account=user, code=form.cleaned_data["code"])
                messages.success(request, _("Đã tắt xác thực hai bước."))
            else:
                services.totp_confirm(actor=actor, user=user, code=form.cleaned_data["code"])
                request.session[two_factor.STATE] = "ok"
                messages.success(request, _("Đã bật xác thực hai bước."))
            return redirect("accounts:two_factor")
        except ValidationError as exc:
            _apply_errors(form, exc)
    context = {"form": form, "enabled": enabled}
    if not enabled:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None or request.method == "GET":
            device = services.totp_begin(actor=actor, user=user)
        uri = totp.provisioning_uri(device.secret, user.get_username())
        context.update(
            secret=device.secret, qr=mark_safe(segno.make(uri, error="m").svg_inline(scale=4))
        )
    return render(request, "accounts/two_factor_setup.html", context)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    """Any signed-in user changes their own password (issue 20 §20)."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_change_own_password(
                actor=Actor.from_request(request),
                account=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            request.user.refresh_from_db()
            update_session_auth_hash(request, request.user)  # stay signed in, other sessions end
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("accounts:password")
    return render(request, "accounts/password_change.html", {"form": form})


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
                member=data.get("member_number"),
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
                # a member's account keeps its cell as scope when the field is left empty
                scope=data["scope"] or (account.scope if data["role"] == Role.MEMBER else None),
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
