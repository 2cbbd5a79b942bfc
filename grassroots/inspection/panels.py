"""The member page's section "Kiểm tra, giám sát, kỷ luật" (grassroots.core.panels): the
member's cases and discipline decisions up to the day, for inspection accounts only (the
inspection role, docs/inspection.md "Access"), each limited to the account's scope on the
record's own day. Nothing of a case's content (a denunciation's text, findings) is shown here:
it is read on the case page, where every opening is logged."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grassroots.core.panels import Panel, register_member_panel

from . import access, queries


def cases_and_decisions(user, member, day):
    if not access.is_inspector(user):
        return None
    cases = list(
        access.cases_visible(user)
        .filter(subject_member=member, opened_on__lte=day)
        .order_by("-opened_on", "-pk")[:50]
    )
    decisions = list(
        access.decisions_visible(user)
        .filter(subject_member=member, signed_on__lte=day)
        .order_by("-signed_on", "-pk")[:50]
    )
    if not (cases or decisions):
        return None
    case_rows = [
        {"case": c, "concluded": bool(c.conclusion) and c.concluded_on <= day} for c in cases
    ]
    in_force = {d.pk for d in queries.member_disciplined_on(member, day)}
    rows = [
        {"decision": d, "in_force": d.pk in in_force,
         "annulled": d.annulled_on is not None and d.annulled_on <= day,
         "announced": d.announced_on <= day}
        for d in decisions
    ]  # fmt: skip
    return Panel(
        _("Kiểm tra, giám sát, kỷ luật"),
        "inspection/_member_panel.html",
        {"cases": case_rows, "decisions": rows},
    )


register_member_panel("inspection", cases_and_decisions, order=40)


def suspensions(user, member, day):
    """The section "Đình chỉ sinh hoạt đảng": the member's suspensions up to the day, for anyone
    who may read the member (like the registry's own states: the meeting lists show it too); the
    grounds and reason stay on the suspension's page, for inspectors."""
    rows = [s for s in queries.suspensions_of(member) if s.start <= day]
    if not rows:
        return None
    inspector = access.is_inspector(user)
    return Panel(
        _("Đình chỉ sinh hoạt đảng"),
        "inspection/_suspension_panel.html",
        {"rows": [{"s": s, "running": s.runs_on(day), "link": inspector} for s in rows]},
    )


register_member_panel("suspension", suspensions, order=35)
