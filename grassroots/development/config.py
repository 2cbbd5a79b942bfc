"""The dated rule values and public holidays, read from the database."""

from __future__ import annotations

import dataclasses
import datetime as dt

from .models import Holiday, RuleSet
from .rules import Rules

_FIELDS = {f.name for f in dataclasses.fields(Rules)} - {"code"}


def rules_on(day: dt.date) -> Rules:
    """The rule set in force on `day` (the latest effective on or before it)."""
    rule_set = RuleSet.objects.filter(effective__lte=day).order_by("-effective").first()
    if rule_set is None:
        rule_set = RuleSet.objects.order_by("effective").first()
    if rule_set is None:
        return Rules()
    values = {v.key: v.value for v in rule_set.values.all() if v.key in _FIELDS}
    return Rules(code=rule_set.code, **values)


def holidays() -> frozenset[dt.date]:
    return frozenset(Holiday.objects.filter(removed_at__isnull=True).values_list("date", flat=True))


def unconfirmed(day: dt.date) -> set[str]:
    rule_set = RuleSet.objects.filter(effective__lte=day).order_by("-effective").first()
    if rule_set is None:
        return set()
    return set(rule_set.values.filter(confirmed=False).values_list("key", flat=True))


def ensure_seeded() -> bool:
    """Put the seeded rule sets and holidays back after anything that emptied the tables without
    migrating (`flush`, `grassroots demo --force`). Returns True when it seeded."""
    from importlib import import_module

    from django.apps import apps

    if RuleSet.objects.exists():
        return False
    import_module("grassroots.development.migrations.0002_seed_rules").seed(apps, None)
    return True


# What each rule value means, for the pages (never the key itself) and the new-version form:
# (label, unit, smallest, largest accepted).
LABELS = {
    "min_age_months": ("Tuổi tối thiểu khi chi bộ xét", "tháng", 12 * 16, 12 * 30),
    "max_age_months": (
        "Tuổi tối đa khi chi bộ xét (trên mức này cần cấp có thẩm quyền cho phép)",
        "tháng",
        12 * 40,
        12 * 80,
    ),  # fmt: skip
    "introducer_months": ("Thời gian người giới thiệu cùng công tác, sinh hoạt", "tháng", 1, 60),
    "vote_numerator": ("Tỷ lệ tán thành tối thiểu: tử số", "", 1, 10),
    "vote_denominator": ("Tỷ lệ tán thành tối thiểu: mẫu số", "", 1, 10),
    "max_failed_votes": ("Số lần biểu quyết không đạt thì chuyển cấp trên", "lần", 1, 10),
    "ceremony_working_days": (
        "Hạn tổ chức lễ kết nạp kể từ ngày quyết định",
        "ngày làm việc",
        1,
        120,
    ),  # fmt: skip
    "recognition_working_days": (
        "Hạn xét công nhận chính thức sau khi hết dự bị",
        "ngày làm việc",
        1,
        120,
    ),  # fmt: skip
    "stale_file_months": ("Hồ sơ quá hạn nếu chi bộ chưa đề nghị kết nạp sau", "tháng", 1, 60),
    "certificate_validity_years": (
        "Thời hạn giấy chứng nhận học lớp nhận thức về Đảng",
        "năm",
        1,
        20,
    ),  # fmt: skip
    "probation_months": ("Thời gian dự bị", "tháng", 1, 36),
}
KEYS = list(LABELS)


def rule_set_rows() -> list[dict]:
    """Every rule set, oldest first, with its values in the order of LABELS (for the page)."""
    rows = []
    for rule_set in RuleSet.objects.prefetch_related("values").order_by("effective"):
        by_key = {v.key: v for v in rule_set.values.all()}
        defaults = Rules()
        values = []
        for key, (label, unit, _lo, _hi) in LABELS.items():
            stored = by_key.get(key)
            values.append(
                {
                    "label": label,
                    "unit": unit,
                    "value": stored.value if stored else getattr(defaults, key),
                    "confirmed": stored.confirmed if stored else True,
                    "source": stored.source if stored else "",
                }
            )
        rows.append({"rule_set": rule_set, "values": values})
    return rows


def holidays_of(year: int):
    """The year's holidays, removed ones included (marked), by date."""
    return Holiday.objects.filter(date__year=year).order_by("date")
