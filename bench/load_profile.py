"""CPU of one request of each kind in the load mix (bench/load_locust.py), one at a time.

    GRASSROOTS_VAR_DIR=... [DATABASE_URL=...] .venv/bin/python bench/load_profile.py \
        [--repeat 10] [--only organization] [--profile organization] [--sql tree] [--json FILE]

Production settings by default, as `bench/load_run.sh` runs the server (`DEBUG` off: no query
log, no template debug data): the requests come as through the TLS proxy (`X-Forwarded-Proto`,
`SECURE_PROXY_SSL_HEADER`), with a throwaway SECRET_KEY when none is set. `DEBUG=1` measures the
development settings (session 9's figures).

Run after `bench/load_setup.py` on the same database (it reads the clerk and the organization
from the GRASSROOTS_CLERK / GRASSROOTS_UNIT lines of `$GRASSROOTS_VAR_DIR/load.env` when the
environment does not set them). Django's test client in this process (no server, no network):
the clerk is logged in once without a password (the load test's Argon2 login is timed by locust),
the API kinds send a token of the same account made here and revoked at the end. Prints, per
kind, the process CPU time (`time.process_time`) p50/p95 over `--repeat` requests after two
warm-up ones, the wall p50 with the part of it spent waiting on the database driver ("in SQL":
on PostgreSQL the server's time plus the round trips), and the SQL statements of one request;
`--sql KIND` lists that kind's statements with their times; `--profile KIND` prints the
cProfile of `--repeat` requests of that kind (top 40 by cumulative time). "record event" writes
a temporary attachment and its end as the load test does (from 02/11/2026 on, one day apart).

The machine is shared: say the load (`uptime`) next to any number recorded from here.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import random
import re
import secrets
import statistics
import sys
import time
from pathlib import Path

from pg_cpu import proc_cpu  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent
SEARCHES = ["nguyen van", "hoang thi", "lo van", "ly thi", "vi van", "tran"]
DAYS = ["2025-07-01", "2025-12-31", "2026-06-30", "2026-11-30"]
UNIT_LINK = r'href="/units/([^/"?]+)/(?:\?[^"]*)?"'


def _env_file() -> dict[str, str]:
    path = Path(os.environ.get("GRASSROOTS_VAR_DIR", ROOT / "var")) / "load.env"
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def backends_cpu(connection) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each PostgreSQL backend of this database,
    read from /proc: the server runs on the same machine in the bench. Empty on SQLite."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    return {pid: cpu for pid in pids if (cpu := proc_cpu(pid)) is not None}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--only", default="", help="comma-separated kinds")
    parser.add_argument("--profile", default="", help="a kind to profile with cProfile")
    parser.add_argument("--sql", default="", help="a kind whose statements are printed, timed")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
    # as behind the TLS-terminating proxy of docs/deployment.md (bench/load_run.sh does the same)
    os.environ.setdefault("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO,https")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if not settings.DEBUG and not Path(settings.STATIC_ROOT, "staticfiles.json").exists():
        # production pages name the hashed static files: collected first, as `grassroots serve` does
        call_command("collectstatic", interactive=False, verbosity=0)
    from django.test import Client

    from grassroots.accounts.models import User
    from grassroots.api.services import token_create, token_revoke
    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor

    saved = _env_file()
    clerk = os.environ.get("GRASSROOTS_CLERK") or saved.get("GRASSROOTS_CLERK", "load_clerk")
    unit = os.environ.get("GRASSROOTS_UNIT") or saved.get("GRASSROOTS_UNIT")
    user = User.objects.get(username=clerk)
    unit = unit or user.scope.code
    rng = random.Random(1)
    proxy = {"HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
    web = Client(**proxy)
    web.force_login(user)
    token, key = token_create(actor=Actor(user, Source.CLI), name="load_profile")
    api = Client(**proxy, HTTP_AUTHORIZATION=f"Bearer {key}")

    tree = web.get("/tree/").content.decode()
    units = [unit] + re.findall(UNIT_LINK, tree)[:50]
    members: list[str] = []
    for code in units[:10]:
        page = web.get(f"/units/{code}/?at={DAYS[-1]}").content.decode()
        members += re.findall(r'href="/members/(\d+)/"', page)[:20]
    answer = api.get("/api/v1/members/?q=nguyen van")
    api_members = (
        [m["id"] for m in answer.json()["results"]][:50] if answer.status_code == 200 else []
    )
    write_day = [dt.date(2026, 11, 2)]
    attached = [False]
    writer = members[0] if members else None

    def record_event():
        kind = "temp_return" if attached[0] else "temp_attach"
        url = f"/members/{writer}/events/{kind}/"
        form = web.get(url).content.decode()
        token_ = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        version = re.search(r'name="expected_version" value="(\d+)"', form)
        data = {
            "csrfmiddlewaretoken": token_.group(1) if token_ else "",
            "expected_version": version.group(1) if version else "",
            "date": write_day[0].strftime("%d/%m/%Y"),
            "confirm_future": "on",
            "place": "tải thử",
        }
        if kind == "temp_attach":
            data["unit_code"] = rng.choice(units[1:] or units)
        answer = web.post(url, data)
        if answer.status_code == 302:
            attached[0] = not attached[0]
            write_day[0] += dt.timedelta(days=1)
        return answer

    kinds = {
        "tree": lambda: web.get(f"/tree/?at={rng.choice(DAYS)}"),
        "organization": lambda: web.get(f"/units/{rng.choice(units)}/?at={rng.choice(DAYS)}"),
        "member": lambda: web.get(f"/members/{rng.choice(members)}/"),
        "search": lambda: web.get(f"/members/?q={rng.choice(SEARCHES)}"),
        "export figures": lambda: web.get(f"/excel/export/figures/?unit={unit}&format=csv"),
        "event form": lambda: web.get(f"/members/{rng.choice(members)}/events/temp_attach/"),
        "record event": record_event,
        "api tree": lambda: api.get(f"/api/v1/tree/?at={rng.choice(DAYS)}"),
        "api figures": lambda: api.get(
            f"/api/v1/organizations/{unit}/figures/?at={rng.choice(DAYS)}&since={DAYS[0]}"
        ),
        "api search": lambda: api.get(f"/api/v1/members/?q={rng.choice(SEARCHES)}"),
        "api member": lambda: api.get(f"/api/v1/members/{rng.choice(api_members)}/"),
    }
    only = [k.strip() for k in args.only.split(",") if k.strip()]
    results = {}
    try:
        for name, call in kinds.items():
            if only and name not in only:
                continue
            statuses = {call().status_code for _ in range(2)}
            queries: list[tuple[str, float]] = []

            def count(run, sql, *rest, queries=queries):
                # wall time in the driver: on PostgreSQL the server's time plus the round trip
                w0 = time.perf_counter()
                try:
                    return run(sql, *rest)
                finally:
                    queries.append((sql, (time.perf_counter() - w0) * 1000))

            # a wrapper, not connection.queries: Django empties that log at each request's start
            with connection.execute_wrapper(count):
                statuses.add(call().status_code)
            if name == args.sql:
                for sql, ms in queries:
                    print(f"  {ms:7.2f} ms  {sql[:300]}")
            cpu, wall, sql_wall = [], [], []
            backends_before = backends_cpu(connection)
            # CPU time, like the figures above: the default (wall) clock would count the waits
            profiler = cProfile.Profile(time.process_time) if name == args.profile else None
            for _ in range(args.repeat):
                timed: list[tuple[str, float]] = []
                c0, w0 = time.process_time(), time.perf_counter()
                if profiler:
                    profiler.enable()
                with connection.execute_wrapper(lambda *a, timed=timed: count(*a, queries=timed)):
                    statuses.add(call().status_code)
                if profiler:
                    profiler.disable()
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
                sql_wall.append(sum(ms for _, ms in timed))
            backends_after = backends_cpu(connection)
            # the backends' CPU of the loop (10 ms ticks: use --repeat 20 or more), per request
            backend = sum(t - backends_before.get(pid, 0) for pid, t in backends_after.items())
            results[name] = {
                "cpu_p50_ms": round(statistics.median(cpu), 1),
                "cpu_p95_ms": round(percentile(cpu, 0.95), 1),
                "cpu_mean_ms": round(statistics.mean(cpu), 1),
                "db_cpu_mean_ms": round(backend * 1000 / args.repeat, 1)
                if backends_after
                else None,
                "wall_p50_ms": round(statistics.median(wall), 1),
                "sql_wall_p50_ms": round(statistics.median(sql_wall), 1),
                "queries": len(queries),
                "statuses": sorted(statuses),
            }
            r = results[name]
            db = f"  PG backends {r['db_cpu_mean_ms']:5.1f}" if backends_after else ""
            print(
                f"{name:<16} cpu p50 {r['cpu_p50_ms']:7.1f} p95 {r['cpu_p95_ms']:7.1f} "
                f"mean {r['cpu_mean_ms']:7.1f}{db} ms  wall p50 {r['wall_p50_ms']:7.1f} ms "
                f"(in SQL {r['sql_wall_p50_ms']:6.1f})  "
                f"{r['queries']:3d} SQL  {r['statuses']}",
                flush=True,
            )
            if profiler:
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(40)
                stats.sort_stats("tottime").print_stats(25)
                stats.dump_stats(f"var/profile-{name.replace(' ', '_')}.pstats")
                print(out.getvalue())
    finally:
        token_revoke(actor=Actor(user, Source.CLI), token=token)
    mix = {  # the load test's task weights: clerks (50 users) and API clients (10)
        "tree": 4,
        "organization": 4,
        "member": 3,
        "search": 3,
        "export figures": 1,
        "event form": 1,
        "record event": 1,
    }
    if all(k in results for k in mix):
        mean = sum(results[k]["cpu_p50_ms"] * w for k, w in mix.items()) / sum(mix.values())
        print(f"clerk mix, weighted mean of the p50s: {mean:.1f} ms CPU per request")
        mean = sum(results[k]["cpu_mean_ms"] * w for k, w in mix.items()) / sum(mix.values())
        db_mean = ""
        if all(results[k]["db_cpu_mean_ms"] is not None for k in mix):
            db = sum(results[k]["db_cpu_mean_ms"] * w for k, w in mix.items()) / sum(mix.values())
            db_mean = f", PostgreSQL backends {db:.1f} ms"
        print(f"clerk mix, weighted means: web {mean:.1f} ms{db_mean} CPU per request")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
