"""Vietnamese display formats, whatever language is active: 27/11/2026, 61.491, 8,9%."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def vdate(value) -> str:
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return ""


@register.filter
def vnum(value) -> str:
    if value is None or value == "":
        return "–"
    try:
        number = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,}".replace(",", ".")


@register.filter
def vsigned(value) -> str:
    """A change: +20.290, −3, 0."""
    if value is None:
        return "–"
    number = int(value)
    if number > 0:
        return "+" + vnum(number)
    if number < 0:
        return "−" + vnum(-number)
    return "0"


@register.filter
def vpct(value) -> str:
    """Percent with one decimal and a decimal comma: 8.94 → 8,9%."""
    if value is None or value == "":
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    whole, _, decimal = f"{rounded:f}".partition(".")
    return f"{vnum(whole)},{decimal or '0'}%"
