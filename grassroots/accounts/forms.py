from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from grassroots.core.request import client_address

from . import access, lockout
from .models import Role


class LoginForm(AuthenticationForm):
    """The standard form; when the account or address is locked, it says so and for how long."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            username = self.cleaned_data.get("username")
            if lockout.is_locked(username, client_address(self.request)):
                raise forms.ValidationError(
                    _(
                        "Đăng nhập tạm bị khóa vì nhập sai nhiều lần. Hãy thử lại sau %(minutes)s phút."
                    )
                    % {"minutes": lockout.lockout_minutes()},
                    code="locked",
                ) from None
            raise


class ScopeField(forms.CharField):
    """A unit chosen by its code, among those the administrator may assign (404-like if not)."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        unit = access.scopes_assignable(self.user).filter(code__iexact=code.strip()).first()
        if unit is None:
            raise forms.ValidationError(
                _("Không tìm thấy tổ chức có mã %(code)s.") % {"code": code}
            )
        return unit


class AccountForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    last_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    scope = forms.CharField(label=_("Phạm vi (mã tổ chức)"), max_length=32)
    member_number = forms.CharField(
        label=_("Số lý lịch đảng viên (chỉ cho vai trò Đảng viên)"),
        max_length=16,
        required=False,
        help_text=_("Tài khoản đảng viên chỉ xem hồ sơ, sinh hoạt chi bộ và điểm danh của mình."),
    )
    password = forms.CharField(
        label=_("Mật khẩu"), widget=forms.PasswordInput, required=False, strip=False
    )
    is_active = forms.BooleanField(
        label=_("Đang hoạt động (bỏ chọn để khóa)"), required=False, initial=True
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["scope"] = ScopeField(
            label=_("Phạm vi (mã tổ chức)"),
            max_length=32,
            user=user,
            required=False,
            help_text=_("Tài khoản đảng viên: để trống, lấy chi bộ của đảng viên."),
        )
        self.fields["role"].choices = [(r.value, r.label) for r in access.roles_assignable(user)]
        if editing:
            self.fields["username"].disabled = True
            self.fields["password"].help_text = _("Để trống nếu không đổi mật khẩu.")
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]

    def clean_member_number(self):
        """The member (an account of role "đảng viên" is linked to one), among those visible."""
        number = (self.cleaned_data.get("member_number") or "").strip()
        if not number:
            return None
        member = access.members_visible(self.user).filter(profile_number__iexact=number).first()
        if member is None:
            raise forms.ValidationError(
                _("Không tìm thấy đảng viên có số lý lịch %(n)s.") % {"n": number}
            )
        return member


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class OwnPasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 10 ký tự, không quá phổ biến, không toàn chữ số."),
    )
    password_again = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Hai lần nhập mật khẩu mới không khớp."))
        return data
