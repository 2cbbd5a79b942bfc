from django.contrib import admin

from grassroots.web.adminkit import ReadOnlyAdmin, ReadOnlyInline

from .models import Member, MemberEvent, MemberStint


class MemberEventInline(ReadOnlyInline):
    model = MemberEvent
    fk_name = "member"
    fields = (
        "date",
        "kind",
        "unit",
        "decision_number",
        "decision_date",
        "voided_at",
        "void_reason",
        "corrected_by",
    )


class MemberStintInline(ReadOnlyInline):
    model = MemberStint
    fk_name = "member"
    fields = ("unit", "start", "end", "status", "exempt", "start_reason", "end_reason")


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "birth_date", "gender", "profile_number", "card_number")
    search_fields = ("search_name", "profile_number", "card_number", "citizen_id")
    list_filter = ("gender",)
    inlines = [MemberEventInline, MemberStintInline]


@admin.register(MemberEvent)
class MemberEventAdmin(ReadOnlyAdmin):
    list_display = ("date", "member", "kind", "unit", "decision_number", "voided_at")
    list_filter = ("kind",)
    search_fields = ("member__search_name", "member__profile_number", "decision_number")
    date_hierarchy = "date"
    list_select_related = ("member", "unit")
