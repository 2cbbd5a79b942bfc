"""Vietnamese text handling: NFC normalisation for storage, diacritic folding for search."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str:
    """Canonical stored form: NFC, single spaces, trimmed (Excel and keyboards mix NFC/NFD)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: str | None) -> str:
    """Search key: lower case, no diacritics, đ→d, so "nguyen van an" finds "Nguyễn Văn Ấn"."""
    text = unicodedata.normalize("NFD", clean(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


# Vietnamese alphabetical order (the dictionary's: a ă â b c d đ e ê ... o ô ơ ... u ư ...; tones
# compared only when the letters tie, in the order ngang, huyền, hỏi, ngã, sắc, nặng), so that
# "Bắc Sơn" sorts before "Bình Gia" — code-point order puts every accented letter after "z".
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "+"}
_MODIFIED = {("a", "ă"): "ă", ("a", "^"): "â", ("e", "^"): "ê", ("o", "^"): "ô"}
_MODIFIED |= {("o", "+"): "ơ", ("u", "+"): "ư"}
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def sort_key(value: str | None) -> str:
    """A string whose code-point order is Vietnamese alphabetical order of `value` (case and
    tones break ties only). Used for lists sorted in Python and stored as the sort column where the
    database has no Vietnamese collation (SQLite)."""
    letters, tones = [], []
    for ch in clean(value).lower():
        if ch == "đ":
            base, marks = "đ", ""
        else:
            parts = unicodedata.normalize("NFD", ch)
            base, marks = parts[0], parts[1:]
        tone = "0"
        for mark in marks:
            if mark in _LETTER_MARKS:
                base = _MODIFIED.get((base, _LETTER_MARKS[mark]), base)
            elif mark in _TONES:
                tone = _TONES[mark]
        index = _ALPHABET.find(base)
        letters.append(chr(0x100 + index) if index >= 0 else base)
        tones.append(tone)
    return "".join(letters) + "\x00" + "".join(tones)


# The same order in the database: PostgreSQL has ICU's Vietnamese collation (created by the
# migration core 0001 as "vietnamese"); SQLite is taught, on every connection (core.apps), a
# function `vi_key` returning `sort_key` and a collation "vi" comparing it.
ICU_COLLATION = "vietnamese"


def vietnamese(field: str):
    """An ORDER BY expression sorting `field` in Vietnamese alphabetical order."""
    from django.db import connection
    from django.db.models import CharField, F, Func
    from django.db.models.functions import Collate

    if connection.vendor == "postgresql":
        return Collate(field, ICU_COLLATION)
    # ORDER BY vi_key(field): SQLite calls the function once per row and sorts the keys itself
    # (binary order of UTF-8 = code-point order of `sort_key`), where ORDER BY field COLLATE vi
    # called Python twice for each of the n log n comparisons: sorting a commune's 1,600 members
    # for its organization page cost ~7 ms of CPU that way, ~3 ms this way (docs/performance.md).
    # Same order, ties included (tests/test_vietnamese_order.py).
    return Func(F(field), function="vi_key", output_field=CharField())


@functools.lru_cache(maxsize=65536)
def _cached_key(value: str) -> str:
    # SQLite calls the collation for every comparison of a sort (n log n of them): a commune's
    # thousand names would otherwise be folded ~20 times each.
    return sort_key(value)


def _compare(a: str, b: str) -> int:
    ka, kb = _cached_key(a), _cached_key(b)
    return (ka > kb) - (ka < kb)


def _sql_key(value: str | None) -> str | None:
    return None if value is None else _cached_key(value)  # NULLs first, as the collation has them


def register_collation(sender, connection, **kwargs) -> None:
    """connection_created: teach SQLite the "vi" collation and the `vi_key` function."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation("vi", _compare)
        connection.connection.create_function("vi_key", 1, _sql_key, deterministic=True)
