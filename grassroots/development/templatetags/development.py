"""`{% development_due unit %}`: due and overdue pipeline limits on the organization page."""

from django import template
from django.utils import timezone

from grassroots.accounts import access
from grassroots.development import queries

register = template.Library()


@register.inclusion_tag("development/_due.html", takes_context=True)
def development_due(context, unit, periods=None, limit: int = 20):
    """`periods`: `access.visible_period(user, unit)` when the page has read it already."""
    today = timezone.localdate()
    # Today's cases: shown only when the organization lies in the user's scope today.
    if not access.can_see_unit_on(context["request"].user, unit, today, periods):
        return {"unit": unit, "hidden": True}
    rows = queries.deadlines(unit, today)
    return {"unit": unit, "due": rows[:limit], "more": max(0, len(rows) - limit)}
