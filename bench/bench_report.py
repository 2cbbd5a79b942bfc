"""Benchmark: the review report and the member statistics on an existing database.

    GRASSROOTS_VAR_DIR=... .venv/bin/python bench/bench_report.py [--unit LS]
        [--since 2008-02-02] [--at 2019-02-23] [--repeat 3] [--report-only] [--formats json,pdf]

Needs a database holding data: the demo (`grassroots demo`) or a generated province at national
scale (`grassroots generate --scale province`: 170,000 members in `N-NP20`; never the whole
national dataset on a shared machine). Prints, per step, wall and CPU time (median and worst of
`--repeat` runs) and the number of SQL statements: building the report (all sections, all
children), rendering it to JSON, DOCX, XLSX and PDF, and the statistics page's query for each
dimension with the children, and the statistics page itself (Django's test client, an account
scoped to the unit) for every dimension, the organizations and both periods. Targets (issue 18): province report ≤ 10 s, statistics page
p95 ≤ 1 s. A JSON summary ends the output. `--report-only` stops after the report; on PostgreSQL
each step also gives the server backend's CPU (`server_cpu_median`, from /proc).
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

from pg_cpu import backend_cpu  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent


def measure(fn, repeat: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    walls, cpus, servers, queries, result = [], [], [], 0, None
    for _ in range(repeat):
        server = backend_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if server is not None:
            servers.append(backend_cpu() - server)
        queries = len(ctx.captured_queries)
    out = {
        "wall_median": round(statistics.median(walls), 3),
        "wall_max": round(max(walls), 3),
        "cpu_median": round(statistics.median(cpus), 3),
        "queries": queries,
    }
    if servers:
        out["server_cpu_median"] = round(statistics.median(servers), 3)
    return out, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--unit", default="LS")
    parser.add_argument("--since", default="2008-02-02")
    parser.add_argument("--at", default="2019-02-23")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--report-only", action="store_true", help="the review report only, no statistics"
    )
    parser.add_argument(
        "--formats", default="json,docx,xlsx,pdf", help="renderers to time ('' for none)"
    )
    parser.add_argument(
        "--statistics-only", action="store_true", help="the statistics and their page, no report"
    )
    parser.add_argument("--pages-only", action="store_true", help="the statistics page only")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db import connection

    from grassroots.members.structure import DIMENSIONS, member_structure
    from grassroots.organizations.queries import children_at, find_unit
    from grassroots.reports.export import render
    from grassroots.reports.review import build_review

    unit = find_unit(args.unit)
    if unit is None:
        sys.exit(f"no unit {args.unit}: build the demo first (grassroots demo)")
    since, at = dt.date.fromisoformat(args.since), dt.date.fromisoformat(args.at)
    results = {"unit": unit.code, "since": args.since, "at": args.at, "load": os.getloadavg()[0]}
    results["database"] = connection.vendor
    results["children"] = children_at(unit, at).count()
    args.statistics_only |= args.pages_only
    if not args.statistics_only:

        def build():
            _last[:] = [time.process_time(), time.perf_counter()]
            return build_review(unit, since, at, progress=_progress)

        stats, review = measure(build, args.repeat)
        results["build"] = stats
        print(f"build report        {stats}")
    for fmt in [f for f in args.formats.split(",") if f and not args.statistics_only]:
        stats, data = measure(lambda fmt=fmt: render(review, fmt), args.repeat)
        stats["bytes"] = len(data)
        results[f"render_{fmt}"] = stats
        print(f"render {fmt:<12} {stats}")
    if args.report_only:
        results["load_after"] = os.getloadavg()[0]
        print(json.dumps(results, ensure_ascii=False))
        return
    if args.pages_only:
        results.update(pages(unit, since, at, args.repeat))
        print(json.dumps(results, ensure_ascii=False))
        return
    walls = []
    for by in [[d] for d in DIMENSIONS] + [list(pair) for pair in PAIRS]:
        stats, _ = measure(lambda by=by: member_structure(unit, at, by, children=True), args.repeat)
        walls.append(stats["wall_max"])
        results[f"statistics_{'×'.join(by)}"] = stats
        print(f"statistics {'×'.join(by):<24} {stats}")
    from grassroots.members.structure import _member_structure_by_row

    for dimension in ("gender", "seniority"):
        stats, _ = measure(
            lambda d=dimension: _member_structure_by_row(unit, at, [d], children=True), 1
        )
        results[f"statistics_{dimension}_member_by_member"] = stats  # the count before GROUP BY
        print(f"statistics {dimension}, member by member (before) {stats}")
    walls.sort()
    results["statistics_p95"] = walls[max(0, int(round(0.95 * len(walls))) - 1)]
    results.update(pages(unit, since, at, args.repeat))
    print(json.dumps(results, ensure_ascii=False))


# The crossed pairs people ask for (the statistics page's pivot).
PAIRS = (
    ("gender", "age"),
    ("occupation", "education"),
    ("theory_level", "gender"),
    ("seniority", "gender"),
    ("status", "seniority"),
)


_last = [0.0, 0.0]


def _progress(done: int, total: int) -> None:
    """The report's progress (the context, then each section built), as the job's progress bar
    shows it, with the CPU and wall time since the previous call (the first: the context, since
    the build started)."""
    from grassroots.reports.review import _SECTIONS

    cpu, wall = time.process_time(), time.perf_counter()
    took = f"{cpu - _last[0]:.2f} s CPU, {wall - _last[1]:.2f} s wall"
    # step 1 is the context (build_review), then one step per section
    key = "context" if done == 1 else _SECTIONS[done - 2][1]
    print(f"  section {done}/{total} {key} {took}", file=sys.stderr, flush=True)
    _last[:] = [cpu, wall]


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
    urls += [f"what=members&by={a}&by2={b}" for a, b in PAIRS]
    urls += ["what=organizations&by=kind"]
    urls += [f"what={p}&by=flow" for p in ("admissions", "reductions")]
    times, cpus, servers, slowest = [], [], [], {}
    client.get(
        f"/reports/statistics/?unit={unit.code}&at={at}&what=members&by=gender", secure=True
    )  # warm
    for query in urls:
        for _ in range(repeat):
            url = f"/reports/statistics/?unit={unit.code}&since={since}&at={at}&{query}"
            server = backend_cpu()
            wall, cpu = time.perf_counter(), time.process_time()
            answer = client.get(url, secure=True)  # DEBUG=0 redirects plain HTTP
            took = time.perf_counter() - wall
            cpus.append(time.process_time() - cpu)
            if server is not None:
                servers.append(backend_cpu() - server)
            if answer.status_code != 200:
                sys.exit(f"{url}: HTTP {answer.status_code}")
            times.append(took)
            slowest[query] = round(max(took, slowest.get(query, 0)), 3)

    def p95(values):
        values = sorted(values)
        return round(values[max(0, int(round(0.95 * len(values))) - 1)], 3)

    out = {
        "page_requests": len(times),
        "page_p50": round(sorted(times)[len(times) // 2], 3),
        "page_p95": p95(times),
        "page_cpu_p95": p95(cpus),
        "page_cpu_max": round(max(cpus), 3),
        "page_slowest": dict(sorted(slowest.items(), key=lambda kv: -kv[1])[:4]),
    }
    if servers:
        out["page_server_cpu_p95"] = p95(servers)
        out["page_client_plus_server_cpu_p95"] = p95(
            [a + b for a, b in zip(cpus, servers, strict=True)]
        )
    print(f"statistics page     {out}")
    return out


if __name__ == "__main__":
    main()
