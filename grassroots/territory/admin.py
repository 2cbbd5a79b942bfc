from django.contrib import admin

from grassroots.web.adminkit import ReadOnlyAdmin, ReadOnlyInline

from .models import Population, Village, VillageVersion


class VillageVersionInline(ReadOnlyInline):
    model = VillageVersion
    fk_name = "village"
    fields = ("valid_from", "valid_to", "unit", "arrangement", "cell")


@admin.register(Village)
class VillageAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind")
    search_fields = ("code", "name")
    list_filter = ("kind",)
    inlines = [VillageVersionInline]


@admin.register(Population)
class PopulationAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "population")
    list_filter = ("year",)
    search_fields = ("unit__code",)
    list_select_related = ("unit",)
