"""Benchmark: a requirement added to a national resolution (issue 17, docs/performance.md
"Directives", session 10) — what the writer's request costs, and the worker's recompute.

    GRASSROOTS_VAR_DIR=/tmp/national flock /tmp/bench.lock .venv/bin/python bench/cascade_requirement_bench.py
    (or DATABASE_URL=postgres://…/gr_x; after bench/cascade_bench.py built the resolution)

On the database bench/cascade_bench.py prepared (the generated country, `99-NQ/TW` with its
plans, sessions and placed duties):

1. `before`: the requirement added in the request as before session 10 (the limit
   `DIRECTIVES_CASCADE_SYNC_UNITS` raised above the country), rolled back — the row-by-row
   recompute of the whole root inside the writer's transaction;
2. `request`: the same requirement with the default limit — the request marks the root pending
   and queues the task (committed), then the tracker answers "pending";
3. `worker`: `cascade_duties.recompute_pending` in this process, as the worker runs it: its wall
   and CPU, the longest transaction it held (a batch of rows, or the swap), the swap alone;
4. `check`: the country's JSON on both days after the worker equals the one after a rebuild
   from scratch (`grassroots cascade-duties`, the row-by-row reference) — with `--check`.

Requirements are never deleted: each run adds one more (study by all members of partial
committees, deadlines a day apart), so runs are comparable but not identical. `--no-before`
skips step 1.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")

SYMBOL = "99-NQ/TW"
DAYS = ("2024-12-31", "2026-10-01")


def _timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, round(time.perf_counter() - start, 2), round(time.process_time() - cpu, 2)


def _country(call_command) -> dict:
    out = {}
    for at in DAYS:
        buf = io.StringIO()
        try:
            call_command("cascade", "--document", SYMBOL, "--unit", "N", "--at", at, "--json",
                         stdout=buf)  # fmt: skip
        except Exception:  # noqa: BLE001 — pending: exit status 75, the JSON printed first
            pass
        out[at] = json.loads(buf.getvalue())
    return out


def main() -> None:
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.derived import cascade_duties, maintain
    from grassroots.directives import services
    from grassroots.directives.models import Document, Requirement
    from grassroots.figures.models import CascadeDuty

    doc = Document.objects.get(symbol=SYMBOL)
    actor = Actor(None, Source.CLI)
    n = Requirement.objects.filter(document=doc).count()
    values = {"level": "partial", "action": "study", "audience": "members",
              "deadline": dt.date(2024, 11, 30) + dt.timedelta(days=n)}  # fmt: skip
    out: dict = {"vendor": connection.vendor, "duty_rows_before": CascadeDuty.objects.count()}

    if "--no-before" not in sys.argv:
        settings.DIRECTIVES_CASCADE_SYNC_UNITS = 10**9

        def in_request():
            with transaction.atomic():
                services.requirement_add(actor=actor, document=doc, **values)
                transaction.set_rollback(True)

        _v, wall, cpu = _timed(in_request)
        out["before"] = {"wall_s": wall, "cpu_s": cpu, "load": os.getloadavg()[0]}
        print("before (in the request, rolled back):", out["before"], flush=True)
        settings.DIRECTIVES_CASCADE_SYNC_UNITS = 5000

    _v, wall, cpu = _timed(lambda: services.requirement_add(actor=actor, document=doc, **values))
    out["request"] = {"wall_s": wall, "cpu_s": cpu}
    answer, wall, cpu = _timed(lambda: _country(call_command))
    out["request"]["tracker_pending"] = all(a.get("pending") for a in answer.values())
    out["request"]["tracker_wall_s"] = wall
    print("request:", out["request"], flush=True)

    # the longest transaction the worker holds: time every atomic block it enters at top level
    longest = {"s": 0.0}
    real_atomic = transaction.atomic

    class Timed:
        def __init__(self, *a, **k):
            self.block = real_atomic(*a, **k)

        def __enter__(self):
            self.top = not connection.in_atomic_block
            self.start = time.perf_counter()
            return self.block.__enter__()

        def __exit__(self, *exc):
            result = self.block.__exit__(*exc)
            if self.top:
                longest["s"] = max(longest["s"], time.perf_counter() - self.start)
            return result

    swap = {}
    cascade_duties.transaction.atomic = Timed
    try:
        outcome, wall, cpu = _timed(lambda: cascade_duties.recompute_pending(
            doc.pk, before_swap=lambda: swap.setdefault("t", time.perf_counter())))  # fmt: skip
    finally:
        cascade_duties.transaction.atomic = real_atomic
    out["worker"] = {
        "outcome": outcome, "wall_s": wall, "cpu_s": cpu,
        "longest_transaction_s": round(longest["s"], 2),
        "swap_and_clear_s": round(time.perf_counter() - swap.get("t", time.perf_counter()), 2),
        "load": os.getloadavg()[0], "duty_rows_after": CascadeDuty.objects.count(),
    }  # fmt: skip
    print("worker:", out["worker"], flush=True)
    kept, wall, cpu = _timed(lambda: _country(call_command))
    out["tracker_after"] = {"wall_s": wall, "cpu_s": cpu}
    if "--check" in sys.argv:
        _v, wall, cpu = _timed(maintain.cascade_duties_rebuild)
        out["rebuild"] = {"wall_s": wall, "cpu_s": cpu}
        out["check_equal"] = kept == _country(call_command)
        print("rebuilt:", out["rebuild"], "same JSON:", out["check_equal"], flush=True)
    out["load"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
