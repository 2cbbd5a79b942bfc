"""The `grassroots` subcommands' way to name an organization: its code."""

from __future__ import annotations

from grassroots.core.cli import BadArgument

from .models import Unit
from .queries import find_unit


def unit_arg(code: str) -> Unit:
    unit = find_unit(code)
    if unit is None:
        raise BadArgument(f"Không có tổ chức mã {code}")
    return unit
