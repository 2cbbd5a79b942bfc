"""Small helpers shared by the `grassroots` subcommands."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import CommandError


def date_arg(value: str) -> dt.date:
    """YYYY-MM-DD (as documented) or dd/mm/yyyy."""
    for parse in (dt.date.fromisoformat, lambda v: dt.datetime.strptime(v, "%d/%m/%Y").date()):
        try:
            return parse(value)
        except ValueError:
            continue
    raise CommandError(
        f"Ngày không hợp lệ: {value!r} (dùng YYYY-MM-DD hoặc dd/mm/yyyy)", returncode=2
    )


def number(value: int | float | None, decimals: int = 0) -> str:
    """61.491 and 8,9 — Vietnamese grouping and decimal comma."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)
