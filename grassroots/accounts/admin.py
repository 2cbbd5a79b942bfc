"""Admin for accounts. The Django admin is for superusers only (issue 4 §2): a staff flag alone
does not open it, whatever permissions the account holds."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
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
        # The admin's change view runs in one transaction: the record is written with the change.
        # Old values come from the database row, since the form has already changed `obj`.
        before = User.objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        fields = [f for f in form.changed_data if f not in ("password", "password1", "password2")]
        changes = {
            f: [_shown(getattr(before, f, None)) if before else None, _shown(getattr(obj, f))]
            for f in fields
        }
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

    def user_change_password(self, request, id, form_url=""):
        # Django's own password page saves the user directly; record it in the same transaction
        # (issue 20 §18). Never the password itself.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                record(
                    Actor.from_request(request),
                    obj=User.objects.get(pk=id),
                    action="password",
                    object_type="account",
                    reason="Django admin",
                )
        return response


def _shown(value):
    """An audited value: model instances by primary key (as services record them)."""
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


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
