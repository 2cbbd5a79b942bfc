"""Vietnamese text handling: NFC normalisation for storage, diacritic folding for search."""

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
