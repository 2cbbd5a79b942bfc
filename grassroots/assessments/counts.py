"""Yearly counts of decided member ratings (derived data, `MemberRatingCount`).

The rating writer calls `record` in its transaction with the rows it supersedes and the rows it
adds; readers call `members_by_year_level`. `rebuild` recomputes the ledger from `Rating` (after a
bulk load that bypassed the writer, or to check it: tests/test_assessment_counts.py compares the
two on generated data).
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Count, Sum

from .models import MemberRatingCount, Rating, Step, Subject


def record(removed, added) -> None:
    """Ledger rows for one write of decided ratings. `removed` / `added`: iterables of
    (year, grassroots_id, level_id) of the member ratings superseded / inserted."""
    deltas: Counter = Counter()
    for key in removed:
        deltas[key] -= 1
    for key in added:
        deltas[key] += 1
    MemberRatingCount.objects.bulk_create(
        [
            MemberRatingCount(year=year, grassroots_id=grassroots_id, level_id=level_id, delta=n)
            for (year, grassroots_id, level_id), n in deltas.items()
            if n
        ],
        batch_size=500,
    )


def yearly_rows(years, within) -> list[tuple[int, int, int, int]]:
    """(year, grassroots organization, level id, decided member ratings) of these years, for
    the organizations `within` (a subquery of unit ids)."""
    return list(
        MemberRatingCount.objects.filter(year__in=years, grassroots_id__in=within)
        .values("year", "grassroots_id", "level_id")
        .annotate(n=Sum("delta"))
        .values_list("year", "grassroots_id", "level_id", "n")
        .order_by()
    )


def members_by_year_level(grassroots_by_year: dict[int, set[int]], within) -> dict[int, dict]:
    """year → level id → decided member ratings of that year in its grassroots organizations
    (`grassroots_by_year[year]`). One read of the years' ledger rows of the organizations
    `within` (a subquery of unit ids: the subtree at any time), summed per (year, organization,
    level) by the database; each year's own subtree is applied here."""
    return by_year_level(yearly_rows(list(grassroots_by_year), within), grassroots_by_year)


def by_year_level(rows, grassroots_by_year: dict[int, set[int]]) -> dict[int, dict]:
    """year → level id → the `yearly_rows` of that year's grassroots organizations."""
    out: dict[int, dict] = {}
    for year, grassroots_id, level_id, n in rows:
        if n and grassroots_id in grassroots_by_year[year]:
            by_level = out.setdefault(year, {})
            by_level[level_id] = by_level.get(level_id, 0) + n
    return out


@transaction.atomic
def rebuild() -> int:
    """Recompute the ledger from the current decided member ratings; returns its row count."""
    MemberRatingCount.objects.all().delete()
    rows = (
        Rating.objects.filter(
            step=Step.DECISION, subject=Subject.MEMBER, superseded_at__isnull=True
        )
        .values("year", "grassroots_id", "level_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    MemberRatingCount.objects.bulk_create(
        [
            MemberRatingCount(
                year=r["year"],
                grassroots_id=r["grassroots_id"],
                level_id=r["level_id"],
                delta=r["n"],
            )
            for r in rows
        ],
        batch_size=2000,
    )
    return MemberRatingCount.objects.count()
