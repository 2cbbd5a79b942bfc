"""Benchmarks over a generated dataset: figures, search, pages, and DuckDB as the reference.

Every measure is taken over many random organizations (country, province, district, commune,
cell) and random dates between 2000 and the end of the dataset, and reported as p50/p95 in
milliseconds. `run_bench` returns one flat dict (the JSON of `grassroots bench --json`).
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from grassroots.accounts.access import find_members
from grassroots.accounts.models import User
from grassroots.core.text import fold
from grassroots.figures.queries import figures, ledger_at
from grassroots.members.models import Member, MemberStint
from grassroots.organizations.models import GrassrootsType, Kind, Unit, UnitAncestry, UnitVersion

from .models import Dataset
from .national import TODAY
from .runs import run_generate

FROM = dt.date(2000, 1, 1)
LEVELS = ("country", "province", "district", "commune", "cell")


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _ms(f, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = f(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def _summary(prefix: str, values: list[float]) -> dict:
    return {
        f"{prefix}_p50_ms": round(pct(values, 50), 2),
        f"{prefix}_p95_ms": round(pct(values, 95), 2),
    }


def level_units() -> dict[str, list[tuple[int, dt.date, dt.date | None]]]:
    """(unit id, established, ended) of the organizations of each level."""

    def rows(qs):
        # A subquery, not a list of ids: 300,000 cells exceed SQLite's bound-variable limit.
        units = Unit.objects.filter(pk__in=qs.values("unit_id")).order_by("pk")
        return list(units.values_list("pk", "established", "ended"))

    return {
        "country": list(Unit.objects.filter(code="N").values_list("pk", "established", "ended")),
        "province": rows(UnitVersion.objects.filter(kind=Kind.PROVINCE)),
        "district": rows(UnitVersion.objects.filter(kind=Kind.DISTRICT)),
        "commune": rows(UnitVersion.objects.filter(grassroots_type=GrassrootsType.COMMUNE)),
        "cell": rows(
            UnitVersion.objects.filter(kind__in=(Kind.SUBORDINATE_CELL, Kind.GRASSROOTS_CELL))
        ),
    }


def sample_targets(rng: random.Random, per_level: int) -> list[tuple[str, int, dt.date]]:
    """(level, unit id, date) with the date inside the unit's life and in [2000, end of data]."""
    out = []
    for level, units in level_units().items():
        if not units:
            continue
        for _ in range(per_level):
            pk, start, end = rng.choice(units)
            lo = max(FROM, start).toordinal()
            hi = min(TODAY, (end - dt.timedelta(days=1)) if end else TODAY).toordinal()
            out.append((level, pk, dt.date.fromordinal(rng.randint(lo, max(lo, hi)))))
    return out


def bench_figures(targets, rng: random.Random) -> dict:
    units = Unit.objects.in_bulk({pk for _l, pk, _d in targets})
    plain, since, by_level = [], [], {level: [] for level in LEVELS}
    for level, pk, at in targets:
        ms, _ = _ms(figures, units[pk], at)
        plain.append(ms)
        by_level[level].append(ms)
        earlier = max(dt.date(1950, 1, 1), at - dt.timedelta(days=rng.randint(30, 3650)))
        ms, _ = _ms(figures, units[pk], at, since=earlier)
        since.append(ms)
    out = {**_summary("figures", plain), **_summary("since", since)}
    for level, values in by_level.items():
        out.update(_summary(f"figures_{level}", values))
    return out


def _province_for_search(rng: random.Random) -> Unit | None:
    ids = list(
        UnitVersion.objects.filter(kind=Kind.PROVINCE, valid_to__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    ids = ids or list(
        UnitVersion.objects.filter(kind=Kind.PROVINCE).values_list("unit_id", flat=True)
    )
    return Unit.objects.get(pk=rng.choice(ids)) if ids else None


def _search_texts(rng: random.Random, n: int) -> list[str]:
    """Name fragments people type: "nguyen van an", "Trần Hùng", "le thi"."""
    top = Member.objects.order_by("-id").values_list("id", flat=True).first() or 0
    names = []
    for _ in range(n):
        name = (
            Member.objects.filter(id__gte=rng.randint(1, max(1, top)))
            .values_list("full_name", flat=True)
            .first()
        )
        if not name:
            continue
        words = name.split()
        pick = rng.random()
        text = (
            name
            if pick < 0.4
            else (f"{words[0]} {words[-1]}" if pick < 0.7 else " ".join(words[:2]))
        )
        names.append(fold(text) if rng.random() < 0.6 else text)
    return names


def province_user(province: Unit):
    user, _ = User.objects.get_or_create(
        username=f"bench_{province.code}".lower(), defaults={"scope": province, "role": "viewer"}
    )
    return user


def bench_search(rng: random.Random, n: int) -> dict:
    """Member search by name inside one province, as the member list page runs it (50 per page)."""
    province = _province_for_search(rng)
    if province is None:
        return {"search_p50_ms": 0.0, "search_p95_ms": 0.0}
    user = province_user(province)
    times = []
    for text in _search_texts(rng, n):
        ms, _ = _ms(lambda t=text: list(find_members(user, t).members[:50]))
        times.append(ms)
    return {**_summary("search", times), "search_province": province.code}


def bench_pages(targets, rng: random.Random, n: int) -> dict:
    """The organization page and the member list page over HTTP (Django test client, in process)."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("web:unit", args=["N"]), reverse("web:members")
    except NoReverseMatch:
        return {"page_p50_ms": 0.0, "page_p95_ms": 0.0, "page_note": "web pages not available"}
    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_superuser": True, "is_staff": True, "role": "admin"}
    )
    client = Client()
    client.force_login(admin)
    codes = dict(
        Unit.objects.filter(pk__in={pk for _l, pk, _d in targets}).values_list("pk", "code")
    )
    unit_times, list_times = [], []
    chosen = rng.sample(targets, min(n, len(targets)))
    for _level, pk, at in chosen:
        url = f"/units/{codes[pk]}/?at={at:%d/%m/%Y}"
        ms, response = _ms(client.get, url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        unit_times.append(ms)
    province = _province_for_search(rng)
    member_client = Client()
    member_client.force_login(province_user(province))
    for text in _search_texts(rng, n):
        ms, response = _ms(member_client.get, "/members/", {"q": text})
        if response.status_code != 200:
            raise RuntimeError(f"/members/?q={text}: HTTP {response.status_code}")
        list_times.append(ms)
    return {
        **_summary("page", unit_times + list_times),
        **_summary("unit_page", unit_times),
        **_summary("member_page", list_times),
    }


# DuckDB reference --------------------------------------------------------------------------------


def _export_parquet(folder: Path) -> tuple[Path, Path, float]:
    """Member stints and the ancestry closure as Parquet (through CSV, streamed in chunks)."""
    import csv

    import duckdb

    started = time.perf_counter()
    far = "9999-12-31"
    paths = {}
    for name, qs, cols in (
        ("stints", MemberStint.objects.all(), ("unit_id", "start", "end", "status", "exempt")),
        (
            "ancestry",
            UnitAncestry.objects.all(),
            ("ancestor_id", "descendant_id", "valid_from", "valid_to"),
        ),
    ):
        csv_path = folder / f"{name}.csv"
        with open(csv_path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for row in qs.values_list(*cols).iterator(chunk_size=50000):
                w.writerow(
                    [
                        far if v is None and c in ("end", "valid_to") else v
                        for c, v in zip(cols, row, strict=True)
                    ]
                )
        parquet = folder / f"{name}.parquet"
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_csv_auto('{csv_path}')) TO '{parquet}' (FORMAT PARQUET)"
        )
        con.close()
        csv_path.unlink()
        paths[name] = parquet
    return paths["stints"], paths["ancestry"], time.perf_counter() - started


def bench_duckdb(targets) -> dict:
    """The same roll-up (members, official, probationary, exempt of an organization on a date)
    by DuckDB over Parquet: a scan of the stints joined to the closure, no ledger."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="grassroots-bench-") as tmp:
        stints, ancestry, export_s = _export_parquet(Path(tmp))
        con = duckdb.connect()
        con.execute("SET threads=2")
        # Loaded into DuckDB's own in-memory columns once, as its users would (not re-read per query).
        con.execute(f"CREATE TABLE s AS SELECT * FROM read_parquet('{stints}')")
        con.execute(f"CREATE TABLE a AS SELECT * FROM read_parquet('{ancestry}')")
        sql = """
            SELECT count(*), count(*) FILTER (WHERE s.status = 'official'),
                   count(*) FILTER (WHERE s.status = 'probationary'), count(*) FILTER (WHERE s.exempt)
            FROM s JOIN a ON a.descendant_id = s.unit_id
            WHERE a.ancestor_id = $1 AND a.valid_from <= $2 AND $2 < a.valid_to
              AND s.start <= $2 AND $2 < s."end"
        """
        times, answers = [], {}
        con.execute(sql, [targets[0][1], targets[0][2]]).fetchall()  # warm up
        for _level, pk, at in targets:
            ms, rows = _ms(lambda p=pk, d=at: con.execute(sql, [p, d]).fetchone())
            times.append(ms)
            answers[(pk, at)] = rows
        con.close()
    return {**_summary("duckdb", times), "duckdb_export_s": round(export_s, 1)}, answers


def check_duckdb_agrees(answers: dict) -> int:
    """How many DuckDB answers differ from the ledger (must be 0)."""
    wrong = 0
    for (pk, at), (members, official, probationary, exempt) in answers.items():
        got = ledger_at(pk, at)
        if (got["members"], got["official"], got["probationary"], got["exempt"]) != (
            members,
            official,
            probationary,
            exempt,
        ):
            wrong += 1
    return wrong


def ensure_dataset(members: int, seed: int, progress: bool = False):
    """Reuse the dataset of this size in the current database, or generate it into an empty one."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(
        executor.loader.graph.leaf_nodes()
    ):  # a reused database may lag behind
        call_command("migrate", verbosity=0)
    found = Dataset.objects.filter(members=members, seed=seed).order_by("-id").first()
    if found:
        return found, True
    if Unit.objects.exists():
        raise RuntimeError("the database holds other data: benchmark into an empty database")
    return run_generate(
        scale="national" if members >= 5_600_000 else "small",
        members=members,
        seed=seed,
        progress=progress,
    ), False


def _meetings(year: int, seed: int) -> dict:
    """The meeting book (issue 14): a year of meetings generated once, then measured."""
    from grassroots.meetings.models import Meeting

    from .meetings import bench_meetings, generate_meetings

    root = Unit.objects.get(code="N")
    out = {}
    if not Meeting.objects.filter(date__year=year).exists():
        out.update(generate_meetings(root, year, seed=seed))
    out["meetings_in_table"] = Meeting.objects.count()
    out.update(bench_meetings(root, year, seed=seed))
    return {f"meetings_{k}" if not k.startswith("meetings") else k: v for k, v in out.items()}


def run_bench(
    *,
    members: int,
    seed: int = 1,
    samples: int = 200,
    pages: int = 40,
    searches: int = 100,
    meetings_year: int | None = None,
    progress: bool = False,
) -> dict:
    dataset, reused = ensure_dataset(members, seed, progress=progress)
    rng = random.Random(seed + 99)
    per_level = max(1, samples // len(LEVELS))
    targets = sample_targets(rng, per_level)
    out = {
        "database": connection.vendor,
        "members": dataset.members,
        "seed": seed,
        "reused_dataset": reused,
        "samples": len(targets),
        "generate_seconds": round(dataset.seconds, 1),
        "generate_rows_per_s": round(dataset.rows_per_s),
        "generate_peak_rss_mb": round(dataset.peak_rss_mb),
        "rows": dataset.counts,
    }
    phases = {}

    def phase(name, f, *args):
        if progress:
            print(f"… {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = f(*args)
        phases[name] = round(time.perf_counter() - started, 1)
        return result

    out.update(phase("figures", bench_figures, targets, rng))
    out.update(phase("search", bench_search, rng, searches))
    try:
        out.update(phase("pages", bench_pages, targets, rng, pages))
    except Exception as error:  # a page under construction must not cost the other measures
        out.update({"page_p50_ms": -1.0, "page_p95_ms": -1.0, "page_error": repr(error)[:300]})
    if meetings_year:
        out.update(phase("meetings", _meetings, meetings_year, seed))
    duck, answers = phase("duckdb", bench_duckdb, targets)
    out.update(duck)
    out["phase_seconds"] = phases
    out["duckdb_disagreements"] = check_duckdb_agrees(answers)
    out["figures_to_duckdb_ratio"] = round(
        out["figures_p50_ms"] / max(out["duckdb_p50_ms"], 1e-6), 2
    )
    out["peak_rss_mb"] = round(
        max(dataset.peak_rss_mb, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    )
    return out
