"""Reads of members. Views, CLI, exports and benchmarks come here."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.core.text import fold


def search_members(qs: QuerySet, text: str) -> QuerySet:
    """Members of `qs` whose name contains every word of `text`, ignoring diacritics and case.

    "nguyen van an" finds "Nguyễn Văn Ấn": both sides are folded (core.text.fold), and the
    folded name is stored in `Member.search_name`.
    """
    for token in fold(text).split():
        qs = qs.filter(search_name__contains=token)
    return qs
