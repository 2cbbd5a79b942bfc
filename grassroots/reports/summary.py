"""The written summary of a review report, in the officials' phrasing, from its figures.

The sentences live in one template, `reports/review_summary.txt` (a Django template; every
sentence is a `blocktranslate`, so the English UI gets the English catalogue's version). A
commission changes the wording without code by putting its own `reports/review_summary.txt`
in the directory named by GRASSROOTS_REPORT_TEMPLATES (settings.REPORT_TEMPLATES_DIR, searched
before the shipped one). The text can also be edited before export (`--summary-file`, the report page).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import get_template
from django.utils import translation

TEMPLATE = "reports/review_summary.txt"


def number(value) -> str:
    """61.491 in Vietnamese, 61,491 in English."""
    if value is None:
        return "–"
    text = f"{int(value):,}"
    return text.replace(",", ".") if translation.get_language() != "en" else text


def percent(value, decimals: int = 2) -> str:
    """45,55% in Vietnamese, 45.55% in English (half up, as the published figures)."""
    if value is None:
        return "–"
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{rounded:f}"
    return (text.replace(".", ",") if translation.get_language() != "en" else text) + "%"


def signed(value, fmt=number) -> str:
    """+20.290, −3 (a change in a table)."""
    if value is None:
        return "–"
    if value > 0:
        return "+" + fmt(value)
    if value < 0:
        return "−" + fmt(-value)
    return fmt(0)


def _template():
    return get_template(TEMPLATE).template


def _facts(review) -> dict:
    """The numbers the sentences use, formatted; `*_up` says which verb (tăng / giảm)."""
    out: dict = {
        "name": review.name,
        "since": review.since.strftime("%d/%m/%Y"),
        "at": review.at.strftime("%d/%m/%Y"),
    }
    for key in ("organizations", "members", "villages", "ratings"):
        out[f"has_{key}"] = review.section(key) is not None

    def line(section, key):
        s = review.section(section)
        return next((x for x in s.lines if x.key == key), None) if s else None

    def stock(name, section, key, fmt=number):
        x = line(section, key)
        if x is None:
            return
        out[f"{name}_before"], out[f"{name}_after"] = fmt(x.before), fmt(x.after)
        diff = x.change
        out[f"{name}_up"] = diff is not None and diff >= 0
        out[f"{name}_same"] = diff == 0
        out[f"{name}_change"] = fmt(abs(diff)) if diff is not None else "–"

    stock("orgs", "organizations", "grassroots_organizations")
    stock("suborgs", "organizations", "subordinate_organizations")
    stock("members", "members", "members")
    stock("pct", "members", "members_pct_population", lambda v: percent(v, 1))
    out["has_population"] = bool(line("members", "members_pct_population")) and (
        line("members", "members_pct_population").after is not None
    )
    stock("own", "villages", "villages_own_cell")
    stock("joint", "villages", "villages_joint_cell")
    stock("villages", "villages", "villages")
    ratings = review.section("ratings")
    if ratings:
        f = ratings.facts
        out |= {
            "first_year": f["first_year"],
            "last_year": f["last_year"],
            "first_top": percent(f["first_top_pct"]),
            "last_top": percent(f["last_top_pct"]),
            "top_up": (f["last_top_pct"] or 0) >= (f["first_top_pct"] or 0),
            "several_years": f["first_year"] != f["last_year"],
        }
    training = review.section("cadres")  # the cadres module's section carries the turns
    if training and (training.facts.get("trained") or training.facts.get("fostered")):
        out["has_training"] = True
        out["trained"] = number(training.facts.get("trained"))
        out["fostered"] = number(training.facts.get("fostered"))
    return out


def written_summary(review) -> str:
    """The summary paragraphs (blank line between paragraphs, no trailing spaces)."""
    from django.template import Context

    text = _template().render(Context(_facts(review), autoescape=False))
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)
