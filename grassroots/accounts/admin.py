"""Admin for accounts. The Django admin is for superusers only (issue 4 §2): a staff flag alone
does not open it, whatever permissions the account holds."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from grassroots.audit.admin import ReadOnlyAdmin
from grassroots.audit.services import Actor, record

from . import services
from .models import LoginAttempt, TOTPDevice, User


def _superusers_only(request) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


admin.site.has_permission = _superusers_only


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Phạm vi và vai trò"), {"fields": ("scope", "role")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Phạm vi và vai trò"), {"fields": ("scope", "role")}),
    )
    list_display = ["username", "last_name", "scope", "role", "is_active", "is_superuser"]
    list_filter = ["role", "is_active", "is_superuser"]
    raw_id_fields = ["scope"]

    def has_delete_permission(self, request, obj=None):
        # Accounts are locked, never deleted: the trail points at them.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if f not in ("password", "password1", "password2")]
        changes = {f: [None, str(form.cleaned_data.get(f))] for f in fields}
        if {"password", "password1"} & set(form.changed_data):
            changes["password"] = ["***", "***"]
        record(
            Actor.from_request(request),
            obj=obj,
            action="update" if change else "create",
            object_type="account",
            changes=changes,
            reason="Django admin",
        )


@admin.register(LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ["at", "username", "address", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "address"]


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    """Superusers may remove an administrator's authenticator (a lost phone); nothing else."""

    list_display = ["user", "confirmed", "created_at"]
    exclude = ["secret"]

    def has_delete_permission(self, request, obj=None):
        return True

    def delete_model(self, request, obj):
        services.totp_disable(actor=Actor.from_request(request), account=obj.user)

    def delete_queryset(self, request, queryset):
        for device in queryset:
            self.delete_model(request, device)
