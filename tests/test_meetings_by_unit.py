"""`summary_by_unit` (the review report's per-child read) equals `summary()` unit by unit, on a
generated tree with a generated year of meetings, a cell moved in mid-month (its months are read
meeting by meeting) and some monthly quality sheets."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.meetings import quality, queries
from grassroots.meetings.services import quality_record
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit, UnitVersion
from grassroots.organizations.queries import on
from grassroots.scale.meetings import generate_meetings

from .factories import SYSTEM

pytestmark = pytest.mark.django_db

WINDOWS = [
    ("2025-01-01", "2025-12-31"),
    ("2025-02-10", "2025-08-20"),  # partial months at both ends
    ("2025-03-01", "2025-03-31"),
    ("2024-06-01", "2025-06-30"),
    ("2025-07-03", "2025-07-03"),
]


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_summary_by_unit_equals_summary_unit_by_unit():
    from grassroots.scale.runs import generate

    generate(1200, seed=11)
    rng = random.Random(8)
    moved_on = _d("2025-03-15")
    cells = list(
        UnitVersion.objects.filter(on(moved_on), kind=Kind.SUBORDINATE_CELL).select_related("unit")
    )
    committees = list(UnitVersion.objects.filter(on(moved_on), kind=Kind.GRASSROOTS_COMMITTEE))
    cell = rng.choice(cells)
    target = next(v.unit for v in committees if v.unit_id != cell.parent_id)
    root = Unit.objects.get(code="N")
    generate_meetings(root, 2025, seed=4)
    orgs.unit_move(actor=SYSTEM, unit=cell.unit, new_parent=target, date=moved_on)
    for i, v in enumerate(rng.sample(cells, 6)):
        for month in (2, 8):
            sheet = quality.sheet_on(dt.date(2025, month, 1))
            scores = {c.key: c.points - (i if j == 0 else 0) for j, c in enumerate(sheet.criteria)}
            quality_record(actor=SYSTEM, unit=v.unit, year=2025, month=month, scores=scores)
    every = list(Unit.objects.all())
    groups = [
        [cell.unit, target, Unit.objects.get(pk=cell.parent_id)],  # both sides of the move
        rng.sample(every, 40),
        [v.unit for v in committees[:30]],
        [root],
    ]
    seen = {"held": 0, "missed": 0, "absent": 0, "quality": 0, "thematic": 0}
    for units in groups:
        for since, until in WINDOWS:
            batch = queries.summary_by_unit(units, _d(since), _d(until))
            assert set(batch) == {u.pk for u in units}
            for u in units:
                alone = queries.summary(u, _d(since), _d(until))
                assert batch[u.pk] == alone, (u.code, since, until)
                seen["held"] += alone["meetings_held"] > 0
                seen["missed"] += alone["missed_months"] > 0
                seen["absent"] += alone["absent_3_months"] > 0
                seen["quality"] += alone["quality_average"] is not None
                seen["thematic"] += alone["thematic_held"] > 0
    assert all(n >= 3 for n in seen.values()), seen
    # a bounded number of statements for any number of organizations (the window has partial
    # months and moved cells' months, read meeting by meeting, 200 moved (cell, month) a read);
    # one by one, each organization takes about fifteen
    counted = []
    for units in ([root], every[:450]):  # under the 500 of one chunk
        with CaptureQueriesContext(connection) as ctx:
            queries.summary_by_unit(units, _d("2025-02-10"), _d("2025-08-20"))
        counted.append(len(ctx.captured_queries))
    assert counted[0] <= counted[1] <= counted[0] + 3, counted
    # the move made months that are read meeting by meeting, and they were compared
    full = queries._full_months(_d("2025-01-01"), _d("2025-12-31"))
    assert queries._mixed_months(target, *full)
