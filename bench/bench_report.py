"""Benchmark: the review report and the member statistics on an existing database.

    GRASSROOTS_VAR_DIR=... .venv/bin/python bench/bench_report.py [--unit LS]
        [--since 2008-02-02] [--at 2019-02-23] [--repeat 3]

Needs a database holding data: the demo (`grassroots demo`) or a generated province at national
scale (`grassroots generate --scale province`: 170,000 members in `N-NP20`; never the whole
national dataset on a shared machine). Prints, per step, wall and CPU time (median and worst of
`--repeat` runs) and the number of SQL statements: building the report (all sections, all
children), rendering it to JSON, DOCX, XLSX and PDF, and the statistics page's query for each
dimension with the children, and the statistics page itself (Django's test client, an account
scoped to the unit) for every dimension, the organizations and both periods. Targets (issue 18): province report ≤ 10 s, statistics page
p95 ≤ 1 s. A JSON summary ends the output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(fn, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus, queries, result = [], [], 0, None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        queries = len(ctx.captured_queries)
    return {
        "wall_median": round(statistics.median(walls), 3),
        "wall_max": round(max(walls), 3),
        "cpu_median": round(statistics.median(cpus), 3),
        "queries": queries,
    }, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", default="LS")
    parser.add_argument("--since", default="2008-02-02")
    parser.add_argument("--at", default="2019-02-23")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from grassroots.members.structure import DIMENSIONS, member_structure
    from grassroots.organizations.queries import find_unit
    from grassroots.reports.export import render
    from grassroots.reports.review import build_review

    unit = find_unit(args.unit)
    if unit is None:
        sys.exit(f"no unit {args.unit}: build the demo first (grassroots demo)")
    since, at = dt.date.fromisoformat(args.since), dt.date.fromisoformat(args.at)
    results = {"unit": unit.code, "since": args.since, "at": args.at, "load": os.getloadavg()[0]}
    stats, review = measure(lambda: build_review(unit, since, at), args.repeat)
    results["build"] = stats
    print(f"build report        {stats}")
    for fmt in ("json", "docx", "xlsx", "pdf"):
        stats, data = measure(lambda fmt=fmt: render(review, fmt), args.repeat)
        stats["bytes"] = len(data)
        results[f"render_{fmt}"] = stats
        print(f"render {fmt:<12} {stats}")
    walls = []
    for dimension in DIMENSIONS:
        stats, _ = measure(
            lambda d=dimension: member_structure(unit, at, [d], children=True), args.repeat
        )
        walls.append(stats["wall_max"])
        results[f"statistics_{dimension}"] = stats
        print(f"statistics {dimension:<12} {stats}")
    from grassroots.members.structure import _member_structure_by_row

    stats, _ = measure(
        lambda: _member_structure_by_row(unit, at, ["gender"], children=True), args.repeat
    )
    results["statistics_gender_member_by_member"] = stats  # the count before GROUP BY
    print(f"statistics gender, member by member (before) {stats}")
    walls.sort()
    results["statistics_p95"] = walls[max(0, int(round(0.95 * len(walls))) - 1)]
    results.update(pages(unit, since, at, args.repeat))
    print(json.dumps(results, ensure_ascii=False))


def pages(unit, since, at, repeat: int) -> dict:
    """The statistics page itself (view, template, the account's scope check) for every member
    dimension, the organization structure and both periods, through Django's test client as an
    account scoped to the unit: wall times of every request, their p50/p95 and the slowest."""
    from django.test import Client

    from grassroots.accounts.models import Role, User
    from grassroots.members.structure import DIMENSIONS

    user, _ = User.objects.get_or_create(
        username=f"bench_report_{unit.code}".lower(), defaults={"scope": unit, "role": Role.VIEWER}
    )
    client = Client()
    client.force_login(user)
    urls = [f"what=members&by={d}" for d in DIMENSIONS]
    urls += ["what=members&by=gender&by2=age", "what=organizations&by=kind"]
    urls += [f"what={p}&by=flow" for p in ("admissions", "reductions")]
    times, slowest = [], {}
    for query in urls:
        for _ in range(repeat):
            url = f"/reports/statistics/?unit={unit.code}&since={since}&at={at}&{query}"
            wall = time.perf_counter()
            answer = client.get(url)
            took = time.perf_counter() - wall
            if answer.status_code != 200:
                sys.exit(f"{url}: HTTP {answer.status_code}")
            times.append(took)
            slowest[query] = round(max(took, slowest.get(query, 0)), 3)
    times.sort()
    out = {
        "page_requests": len(times),
        "page_p50": round(times[len(times) // 2], 3),
        "page_p95": round(times[max(0, int(round(0.95 * len(times))) - 1)], 3),
        "page_slowest": dict(sorted(slowest.items(), key=lambda kv: -kv[1])[:4]),
    }
    print(f"statistics page     {out}")
    return out


if __name__ == "__main__":
    main()
