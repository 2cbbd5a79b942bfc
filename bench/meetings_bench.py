"""Benchmark: the meeting book on an existing database (a generated dataset, or the demo).

    flock /tmp/bench.lock env DATABASE_URL=... .venv/bin/python bench/meetings_bench.py \
        --unit N --year 2024 [--record 30] [--repeat 3]

1. Generates a year of monthly meetings for every cell under `--unit` that has none that month
   (grassroots/scale/meetings.py: totals per meeting, exception rows only — ~5 % absent with a
   reason, ~1.5 % without, a few members who stop coming), and prints what it wrote and how long.
2. Records `--record` meetings through `services.meeting_record` (random cells, a day of the
   following January, two absences each; rolled back): p50/p95.
3. `queries.summary` for each province that lived through the year, and for `--unit`, `--repeat`
   times each: p50/p95.
Targets (issue 14): recording ≤ 300 ms p95, province-year summary ≤ 500 ms p95, country ≤ 2 s.
The machine is shared: say so when recording numbers (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", default="N", help="N on a generated dataset, LS on the demo")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--record", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--provinces", type=int, help="measure a random sample of provinces")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    from grassroots.meetings.models import Attendance, Meeting
    from grassroots.organizations.models import Unit
    from grassroots.scale.meetings import bench_meetings, generate_meetings

    unit = Unit.objects.get(code=args.unit)
    out = {"unit": unit.code, "year": args.year, "database": connection.vendor}

    def progress(month, meetings, rows):
        print(f"… {month:02d}/{args.year}: {meetings} meetings, {rows} exceptions", file=sys.stderr)

    out.update(generate_meetings(unit, args.year, progress=progress))
    out["meetings_in_table"] = Meeting.objects.count()
    out["attendance_rows_in_table"] = Attendance.objects.count()
    out.update(
        bench_meetings(
            unit,
            args.year,
            records=args.record,
            repeat=args.repeat,
            province_sample=args.provinces,
        )
    )
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
