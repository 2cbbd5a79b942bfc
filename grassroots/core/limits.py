"""The allowed ranges and character sets of values people enter, defined once (issue 20 §13).

Every writer applies them: the member, organization, territory and assessment services (and so
their forms, which show the services' messages next to the field), the member history rules
(`members.lifecycle.derive_stints`, which the importer and the bulk loader call too) and the
importer's own profile check (`members.services._validate_profile`). docs/security.md "Limits on
values" lists them.

Decisions:
- Dates lie between 01/01/1900 and today + VALUE_FUTURE_DAYS (setting, default 366: a decision
  may be recorded ahead of the day it takes effect). Birth dates are not in the future.
- Free text (names, places, decision numbers) is NFC with single spaces; invisible characters
  (Unicode categories Cc control and Cf format: zero-width spaces and joiners, BOM, bidi marks)
  are removed, and a required text that is empty after that is refused.
- Citizen IDs and card numbers: NFKC first, so fullwidth digits (０-９, typed by East Asian input
  methods) become 0-9; anything else that is not an ASCII digit (Arabic-Indic digits, letters) is
  refused rather than guessed.
- Codes (organizations, villages) and profile numbers: ASCII letters, digits, '.', '_' and '-',
  starting with a letter or digit, at most 32 characters. No quotes, semicolons, slashes,
  backslashes, spaces or invisible characters: they end up in URLs, file names and the
  Content-Disposition header of exports.
- Member events (admission, transfer, exemption, temporary attachment, ...) dated more than
  FUTURE_EVENT_CONFIRM_DAYS (setting, default 31) after today are accepted only with an explicit
  confirmation: a decision may be taken ahead of its effective day, but a date years ahead is far
  more often a typo (2030 for 2020), and the member would silently carry a future state.
- Years (population, assessment rounds and plans): 1900 to the year of the latest allowed date.
- Population: 1 to 200.000.000 per unit (the country has ~100 million people).
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .dates import vn
from .text import clean

EARLIEST_DAY = dt.date(1900, 1, 1)
EARLIEST_YEAR = EARLIEST_DAY.year
MAX_POPULATION = 200_000_000
CODE_MAX_LENGTH = 32
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


_latest: tuple[float, int, dt.date] = (0.0, -1, EARLIEST_DAY)


def latest_day() -> dt.date:
    """Today + VALUE_FUTURE_DAYS; computed at most once a second (the importer checks every
    date cell)."""
    global _latest
    now, days = time.monotonic(), getattr(settings, "VALUE_FUTURE_DAYS", 366)
    if now - _latest[0] > 1.0 or _latest[1] != days:
        _latest = (now, days, timezone.localdate() + dt.timedelta(days=days))
    return _latest[2]


def latest_year() -> int:
    return latest_day().year


def date_problem(day: dt.date | None, label: str = "Ngày") -> str | None:
    if day is None:
        return None
    if not EARLIEST_DAY <= day <= latest_day():
        return (
            f"{label} phải từ {vn(EARLIEST_DAY)} đến {vn(latest_day())} "
            f"(đã nhập {day.day:02d}/{day.month:02d}/{day.year})."
        )
    return None


CONFIRM_FUTURE_LABEL = "Xác nhận ngày trong tương lai"


def future_horizon() -> dt.date:
    """The last day a member event may carry without confirmation."""
    days = getattr(settings, "FUTURE_EVENT_CONFIRM_DAYS", 31)
    return timezone.localdate() + dt.timedelta(days=days)


def future_problem(day: dt.date | None, confirmed: bool, label: str = "Ngày") -> str | None:
    # A date outside the absolute range is wrong whatever is confirmed: say that first.
    out_of_range = date_problem(day, label)
    if out_of_range:
        return out_of_range
    if day is None or confirmed or day <= future_horizon():
        return None
    days = getattr(settings, "FUTURE_EVENT_CONFIRM_DAYS", 31)
    return (
        f"{label} {vn(day)} ở tương lai, sau hơn {days} ngày kể từ hôm nay. Nếu đúng là quyết định "
        f"đã có và có hiệu lực từ ngày đó, hãy đánh dấu “{CONFIRM_FUTURE_LABEL}”; nếu không, "
        "hãy sửa ngày."
    )


def check_future(day: dt.date | None, confirmed: bool, field: str = "date") -> None:
    problem = future_problem(day, confirmed)
    if problem:
        raise ValidationError({field: [problem]})


def check_date(day: dt.date | None, field: str = "date", label: str = "Ngày") -> None:
    problem = date_problem(day, label)
    if problem:
        raise ValidationError({field: [problem]})


def birth_date_problem(day: dt.date | None) -> str | None:
    if day is None:
        return None
    if day > timezone.localdate():
        return "Ngày sinh không thể ở tương lai."
    if day < EARLIEST_DAY:
        return f"Ngày sinh phải từ {vn(EARLIEST_DAY)} trở đi."
    return None


def is_year(value) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and EARLIEST_YEAR <= value <= latest_year()
    )


def year_problem(value) -> str | None:
    if is_year(value):
        return None
    return f"Năm phải từ {EARLIEST_YEAR} đến {latest_year()}."


def population_problem(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_POPULATION:
        return "Dân số phải là số nguyên dương, không quá 200.000.000."
    return None


def clean_text(value: str | None) -> str:
    """`core.text.clean` without invisible characters (Cc, Cf): a name of zero-width spaces is
    empty, and two names that look the same are the same."""
    text = clean(value)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        visible = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
        text = clean(visible)
    return text


def digits(value: str | None) -> str | None:
    """ASCII digits, fullwidth digits folded to them; None when anything else is there."""
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    return text if _DIGITS.match(text) else None


def code_problem(value: str, label: str = "Mã") -> str | None:
    if not value:
        return f"Cần nhập {label.lower()}."
    if len(value) > CODE_MAX_LENGTH or not _CODE.match(value):
        return (
            f"{label} chỉ gồm chữ cái không dấu, chữ số và các dấu . _ - "
            f"(bắt đầu bằng chữ cái hoặc chữ số, tối đa {CODE_MAX_LENGTH} ký tự)."
        )
    return None
