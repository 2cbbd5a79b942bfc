"""Benchmark: the meeting book on an existing database (the demo, or a generated province).

    GRASSROOTS_VAR_DIR=... .venv/bin/python bench/meetings_bench.py --unit LS --year 2024
        [--record 30] [--repeat 5]

1. Generates a year of monthly meetings for every cell under `--unit` that has none that year
   (bulk: totals from the cells' stints on the meeting day, ~7% absences as exception rows),
   and prints how many meetings and rows it wrote and how long that took.
2. Records `--record` meetings through `services.meeting_record` (one per cell, a day of the
   following January, each with two absences; rolled back) and prints the p95.
3. Computes `queries.summary(unit, year)` `--repeat` times and prints the p95.
Targets (issue 14): recording ≤ 300 ms p95, province-year summary ≤ 500 ms p95, country ≤ 2 s.
The machine is shared: say so when recording numbers (docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000, 1)


def generate(unit, year: int, rng: random.Random) -> dict:
    from django.db import transaction
    from django.db.models import Q

    from grassroots.meetings.models import Attendance, Meeting, MeetingKind, MinutesState, Role
    from grassroots.meetings.queries import cells_on
    from grassroots.members.models import MemberStint, Status

    started = time.perf_counter()
    meetings, marks = [], []
    for month in range(1, 13):
        day = dt.date(year, month, 5)
        cells = set(cells_on(unit, day))
        done = set(
            Meeting.objects.filter(unit_id__in=cells, date=day).values_list("unit_id", flat=True)
        )
        by_cell = defaultdict(list)
        for member_id, cell, status, exempt in MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=day), unit_id__in=cells - done, start__lte=day
        ).values_list("member_id", "unit_id", "status", "exempt"):
            by_cell[cell].append((member_id, status, exempt))
        for cell in sorted(cells - done):
            people = by_cell.get(cell, [])
            expected = [(m, s) for m, s, e in people if not e]
            absent = [(m, s) for m, s in expected if rng.random() < 0.07]
            official = sum(s == Status.OFFICIAL for _, s in expected)
            gone_o = sum(s == Status.OFFICIAL for _, s in absent)
            meetings.append(
                Meeting(
                    unit_id=cell, kind=MeetingKind.REGULAR, date=day, start=dt.time(19),
                    end=dt.time(21), duration=120, expected_official=official,
                    expected_probationary=len(expected) - official, exempt=len(people) - len(expected),
                    present_official=official - gone_o,
                    present_probationary=len(expected) - official - (len(absent) - gone_o),
                    absent_unexcused=len(absent), minutes_state=MinutesState.APPROVED,
                )
            )  # fmt: skip
            marks.append(absent)
    with transaction.atomic():
        Meeting.objects.bulk_create(meetings, batch_size=5000)
        rows = [
            Attendance(
                meeting_id=m.pk,
                member_id=member,
                unit_id=m.unit_id,
                date=m.date,
                role=Role.OFFICIAL if s == Status.OFFICIAL else Role.PROBATIONARY,
                mark="unexcused",
            )  # fmt: skip
            for m, absent in zip(meetings, marks, strict=True)
            for member, s in absent
        ]
        Attendance.objects.bulk_create(rows, batch_size=10000)
    return {
        "meetings_written": len(meetings),
        "attendance_rows_written": len(rows),
        "generate_s": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", default="LS")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--record", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection, transaction

    from grassroots.audit.services import Actor
    from grassroots.meetings import queries
    from grassroots.meetings.models import Meeting
    from grassroots.meetings.services import meeting_record
    from grassroots.organizations.models import Unit

    rng = random.Random(14)
    unit = Unit.objects.get(code=args.unit)
    out = {"unit": unit.code, "year": args.year, "database": connection.vendor}
    out.update(generate(unit, args.year, rng))
    out["meetings_in_table"] = Meeting.objects.count()
    day = dt.date(args.year + 1, 1, 9)
    cells = list(queries.cells_on(unit, day)[: args.record])
    timings = []
    for cell_id in cells:
        cell = Unit.objects.get(pk=cell_id)
        people = [p for p in queries.expected_list(cell, day) if p.expected][:2]
        with transaction.atomic():
            started = time.perf_counter()
            meeting_record(
                actor=Actor.system(), unit=cell, kind="regular", date=day, start=dt.time(19),
                end=dt.time(21), marks={p.member_id: "excused" for p in people},
                today=day,
            )  # fmt: skip
            timings.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    out["record_n"] = len(timings)
    out["record_p95_ms"] = p95(timings) if timings else None
    out["record_median_ms"] = round(statistics.median(timings) * 1000, 1) if timings else None
    since, until = dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    timings, result = [], None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = queries.summary(unit, since, until)
        timings.append(time.perf_counter() - started)
    out["summary_p95_ms"] = p95(timings)
    out["summary"] = result
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
