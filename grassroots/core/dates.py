"""Date helpers shared by services, queries and the command line."""

import datetime as dt

FAR_FUTURE = dt.date(9999, 12, 31)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day N months later, clamped to the month's end (31/01 + 1 month = 28 or 29/02)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def parse_iso(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def vn(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""
