"""The member page's section "Chức danh và trình độ" (grassroots.core.panels)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grassroots.accounts import access
from grassroots.core.panels import Panel, register_member_panel
from grassroots.organizations.models import Unit

from . import config, queries
from .models import QualKind


def posts_and_qualifications(user, member, day):
    holdings = [h for h in queries.member_posts(member) if h.start <= day]
    seen = set(
        access.only_ever_visible(
            user, Unit.objects.filter(pk__in={h.unit_id for h in holdings})
        ).values_list("pk", flat=True)
    )
    posts = [
        {"post": config.post_label(h.post), "unit": h.unit.code, "term": h.term.name,
         "start": h.start, "end": h.end if h.end and h.end <= day else None,
         "end_reason": h.get_end_reason_display() if h.end and h.end <= day else ""}
        for h in holdings if h.unit_id in seen
    ]  # fmt: skip
    facts = [
        {"kind": QualKind(q.kind).label, "level": config.level_label(q.kind, q.level),
         "field": q.field, "obtained_on": q.obtained_on, "evidence": q.evidence}
        for q in queries.member_qualifications(member) if q.obtained_on <= day
    ]  # fmt: skip
    enrolments = [
        {"course": e.course.name, "code": e.course.code, "start": e.course.start,
         "end": e.course.end, "result": e.get_result_display()}
        for e in member.enrolments.filter(voided_at__isnull=True, course__start__lte=day)
        .select_related("course").order_by("-course__start")[:50]
    ]  # fmt: skip
    if not (posts or facts or enrolments):
        return None
    return Panel(
        _("Chức danh, trình độ, đào tạo"),
        "cadres/_member_panel.html",
        {"posts": posts, "facts": facts, "current": queries.current_values(member, day),
         "enrolments": enrolments},
    )  # fmt: skip


register_member_panel("cadres", posts_and_qualifications, order=20)
