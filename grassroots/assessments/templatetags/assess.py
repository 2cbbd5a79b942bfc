from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pct2(value) -> str:
    """Percent with two decimals and a decimal comma, as published: 45.55 → 45,55%."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(str(value)):.2f}%".replace(".", ",")


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
