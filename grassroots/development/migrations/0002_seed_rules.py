"""Seed the admission rule sets and the fixed-date public holidays (domain.md §2.2–2.3;
domain-processes.md §0 and §4). Tết and Giỗ Tổ Hùng Vương follow the lunar calendar and the
government's yearly schedule: the first days of Tết are seeded for 2015–2030 as an approximation
and administrators adjust the `Holiday` rows each year."""

import datetime as dt

from django.db import migrations

COMMON = [
    ("min_age_months", 216, True, "Điều lệ Điều 1; QĐ 24 §1.1 (domain.md §2.2)"),
    ("max_age_months", 720, True, "QĐ 24 §1.1; QĐ 294 (domain-processes.md §4)"),
    ("introducer_months", 12, True, "Điều lệ Điều 4; QĐ 24 (domain.md §2.2)"),
    ("vote_numerator", 2, True, "Điều lệ Điều 4 (domain.md §2.2)"),
    ("vote_denominator", 3, True, "Điều lệ Điều 4 (domain.md §2.2)"),
    ("max_failed_votes", 3, True, "domain.md §2.2 (Vote)"),
    ("ceremony_working_days", 30, True, "domain.md §2.2 (Admission ceremony)"),
    ("recognition_working_days", 30, True, "Điều lệ Điều 5 (domain.md §2.3)"),
    ("probation_months", 12, True, "Điều lệ Điều 5 (domain.md §2.3)"),
    ("certificate_validity_years", 5, False, "domain.md §2.2 [UNCONFIRMED]"),
]
SETS = [
    (
        "QD24-HD01",
        "QĐ 24-QĐ/TW (2021), HD 01-HD/TW (2021)",
        dt.date(2021, 7, 30),
        [("stale_file_months", 12, True, "HD 01-HD/TW (domain.md §2.2)")],
    ),
    (
        "QD294-HD06",
        "QĐ 294-QĐ/TW (2025), HD 06-HD/TW (2025)",
        dt.date(2025, 7, 1),
        # HD 06 succeeded HD 01; that it keeps the 12 months is not confirmed.
        [("stale_file_months", 12, False, "HD 06-HD/TW (domain-processes.md §0) [UNCONFIRMED]")],
    ),
]
# Earlier admissions (the demo's history starts in the 1950s) are read with the first set.
EARLIER = ("DIEULE-2011", "Điều lệ Đảng (2011) và hướng dẫn thi hành trước 2021", dt.date(1950, 1, 1))

TET = {
    2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: (2, 5), 2020: (1, 25),
    2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: (1, 29), 2026: (2, 17),
    2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3),
}  # fmt: skip
FIXED = [((1, 1), "Tết Dương lịch"), ((4, 30), "Ngày Giải phóng miền Nam"),
         ((5, 1), "Ngày Quốc tế Lao động"), ((9, 2), "Quốc khánh")]  # fmt: skip


def seed(apps, schema_editor):
    RuleSet = apps.get_model("development", "RuleSet")
    RuleValue = apps.get_model("development", "RuleValue")
    Holiday = apps.get_model("development", "Holiday")
    all_sets = [(*EARLIER, [("stale_file_months", 12, True, "HD (trước 2021)")])] + SETS
    for code, name, effective, extra in all_sets:
        rule_set = RuleSet.objects.create(code=code, name=name, effective=effective)
        for key, value, confirmed, source in COMMON + extra:
            RuleValue.objects.create(
                rule_set=rule_set, key=key, value=value, confirmed=confirmed, source=source
            )
    days = {}
    for year in range(2015, 2031):
        for (month, day), name in FIXED:
            days[dt.date(year, month, day)] = name
        month, day = TET[year]
        new_year = dt.date(year, month, day)
        for offset in range(-1, 4):
            days[new_year + dt.timedelta(days=offset)] = "Tết Nguyên đán"
    Holiday.objects.bulk_create(Holiday(date=k, name=v) for k, v in sorted(days.items()))


class Migration(migrations.Migration):
    dependencies = [("development", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
