from django.contrib import admin

from grassroots.web.adminkit import ReadOnlyAdmin, ReadOnlyInline

from .models import Unit, UnitChange, UnitVersion


class UnitVersionInline(ReadOnlyInline):
    model = UnitVersion
    fk_name = "unit"
    fields = ("valid_from", "valid_to", "name", "kind", "grassroots_type", "parent")


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "__str__", "established", "ended")
    search_fields = ("code", "versions__name")
    list_filter = ("versions__kind",)
    date_hierarchy = "established"
    inlines = [UnitVersionInline]


@admin.register(UnitChange)
class UnitChangeAdmin(ReadOnlyAdmin):
    list_display = ("date", "unit", "action", "decision_number", "decision_date", "issuing_body")
    list_filter = ("action",)
    search_fields = ("unit__code", "decision_number")
    date_hierarchy = "date"
    list_select_related = ("unit",)
