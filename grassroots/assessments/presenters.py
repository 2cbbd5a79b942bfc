"""The regulations page as people read it (issue 11: it showed "domain.md §7.11", "[UNCONFIRMED]",
rule keys and True/False). The stored sources keep their working references; the page shows the
legal text cited, values in words, and whether the rule was checked against the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_DEV_REFS = [
    # A working reference to the project's domain notes, with the English section name that
    # sometimes follows it ("domain.md §2.2 (Vote)"): neither means anything to a reader.
    re.compile(
        r",?\s*domain(?:-processes)?\.md(?:\s*§[\d.–-]+(?:,\s*§[\d.–-]+)*)?"
        r"(?:\s*\([A-Za-z][A-Za-z ]*\))?[:.]?"
    ),
    re.compile(r"\[UNCONFIRMED\];?"),
    re.compile(r"\(\s*\)"),
]


def plain_source(text: str) -> str:
    """A source or note without the project's working references."""
    for pattern in _DEV_REFS:
        text = pattern.sub("", text or "")
    text = re.sub(r"\s+([.,;)])", r"\1", re.sub(r"\s{2,}", " ", text)).strip(" ,;")
    return text.replace("( ", "(")


def plain_value(value) -> str:
    words = {
        "grassroots": _("đảng ủy cơ sở"),
        "parent": _("cấp trên trực tiếp"),
        "cell": _("chi bộ"),
    }
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float):
        return f"{value:,}".replace(",", ".")  # 61.491, as web's vnum
    if isinstance(value, str) and re.fullmatch(r"\d\d-\d\d", value):
        month, day = value.split("-")
        return f"{day}/{month}"
    return str(words.get(value, value))


@dataclass(frozen=True)
class RuleRow:
    description: str
    value: str
    source: str
    confirmed: bool


def rule_rows(rules) -> list[RuleRow]:
    return [
        RuleRow(r.description, plain_value(r.value), plain_source(r.source), r.confirmed)
        for r in rules
    ]
