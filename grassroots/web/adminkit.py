"""Django admin for superusers: a read-only window on the registry.

Every change must go through a service (validation, closure, ledger, audit record in one
transaction), so the admin never writes these tables; changes are made in the app's own forms.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    list_per_page = 50

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
