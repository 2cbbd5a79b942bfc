"""Read-only admin for the trail: superusers may look, nobody may add, change or delete."""

from django.contrib import admin

from .models import AuditRecord, ProfileView


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = [
        "at",
        "actor_name",
        "source",
        "address",
        "object_type",
        "object_label",
        "action",
    ]
    list_filter = ["source", "object_type", "action"]
    search_fields = ["actor_name", "object_id", "object_label", "reason"]
    date_hierarchy = "at"


@admin.register(ProfileView)
class ProfileViewAdmin(ReadOnlyAdmin):
    list_display = ["at", "viewer", "member", "address"]
    search_fields = ["viewer__username", "member__full_name", "member__profile_number"]
    date_hierarchy = "at"
    list_select_related = ["viewer", "member"]
