"""Benchmark: import a workbook of N members with their events into an empty database.

    .venv/bin/python bench/bench_import.py [--members 100000] [--database-url postgres://...]
    .venv/bin/python bench/bench_import.py --phases       # where the import's time goes

Generates bench/out/import_<N>.xlsx once (1 province, 10 districts, 200 grassroots committees,
1,000 cells; each member admitted, most recognized official, some transferred, exempted or
dead), then runs, each in a fresh process against a freshly migrated database:

1. `grassroots import FILE --dry-run`  (read + check every row, no writes)
2. `grassroots import FILE`            (the real import, one transaction)
3. `grassroots import FILE`            (again: everything unchanged, nothing written)

and prints, for each, wall time, CPU time and peak memory (max RSS) of the import process, the
load average of the machine (wall times on a shared machine depend on it; CPU time much less),
and with PostgreSQL the CPU time of the server process that served it (read from /proc, so
only when the server runs on this machine and /proc is readable). A JSON summary ends the output.

`--phases` replaces step 2 by the same import run through `import_file` in a child process
that prints wall, CPU (and server CPU) per phase of the progress bar.
Target (issue 5): 100,000 members with events in < 60 s, peak < 1 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pg_cpu import proc_cpu  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GRASSROOTS = str(ROOT / ".venv" / "bin" / "grassroots")


def generate(path: Path, members: int, seed: int = 5) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings_dev")
    import django

    django.setup()
    from openpyxl import Workbook

    from grassroots.excel import schema
    from grassroots.members.lifecycle import probation_end

    rng = random.Random(seed)
    start = dt.date(2000, 1, 1)
    wb = Workbook(write_only=True)
    orgs = wb.create_sheet(schema.ORGANIZATIONS.name)
    orgs.append([c.header for c in schema.ORGANIZATIONS.columns])
    orgs.append(["BP", "Đảng bộ tỉnh Bench", "Đảng bộ tỉnh", "", "", start])
    cells = []
    for d in range(10):
        orgs.append(
            [
                f"BP-{d:02d}",
                f"Đảng bộ huyện {d}",
                "Đảng bộ cấp huyện, trực thuộc tỉnh",
                "",
                "BP",
                start,
            ]
        )
        for g in range(20):
            code = f"BP-{d:02d}-{g:02d}"
            orgs.append(
                [
                    code,
                    f"Đảng bộ xã {d}-{g}",
                    "Đảng bộ cơ sở",
                    "Xã, phường, thị trấn, đặc khu",
                    f"BP-{d:02d}",
                    start,
                ]
            )
            for c in range(5):
                orgs.append(
                    [
                        f"{code}-{c}",
                        f"Chi bộ thôn {d}-{g}-{c}",
                        "Chi bộ trực thuộc",
                        "",
                        code,
                        start,
                    ]
                )
                cells.append(f"{code}-{c}")
    ms = wb.create_sheet(schema.MEMBERS.name)
    ms.append([c.header for c in schema.MEMBERS.columns])
    es = wb.create_sheet(schema.EVENTS.name)
    es.append([c.header for c in schema.EVENTS.columns])
    surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vi", "Lương", "Nông", "Mã", "Lăng"]
    given = [
        "Văn An",
        "Thị Bình",
        "Văn Cường",
        "Thị Dung",
        "Đức Em",
        "Thị Gấm",
        "Văn Hải",
        "Thị Lan",
    ]
    events = 0
    today = dt.date(2026, 11, 1)
    for i in range(members):
        cell = rng.choice(cells)
        admitted = start + dt.timedelta(days=rng.randrange(0, 9000))
        birth = admitted - dt.timedelta(days=rng.randrange(19 * 365, 45 * 365))
        ms.append(
            [
                f"{i:06d}BP",
                f"{rng.choice(surnames)} {rng.choice(given)}",
                rng.choice(["Nam", "Nữ"]),
                birth,
                "Tày",
                "",
                "Lạng Sơn",
                "Lạng Sơn",
                "12/12",
                "",
                "Sơ cấp",
                "Nông dân",
                "",
                "",
                cell,
                admitted,
                admitted - dt.timedelta(days=10),
                f"{i}-QĐ/HU",
                "Huyện ủy",
            ]
        )
        official = probation_end(admitted)
        if official > today:
            continue
        es.append(
            [
                f"{i:06d}BP",
                "Công nhận đảng viên chính thức",
                official,
                "",
                "",
                official,
                "Huyện ủy",
                "",
                "",
                "",
            ]
        )
        events += 1
        day = official + dt.timedelta(days=rng.randrange(30, 2000))
        if rng.random() < 0.3 and day < today:
            target = rng.choice(cells)
            if target != cell:
                es.append(
                    [
                        f"{i:06d}BP",
                        "Chuyển sinh hoạt chính thức",
                        day,
                        target,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
                events += 1
        day += dt.timedelta(days=rng.randrange(30, 1000))
        roll = rng.random()
        if roll < 0.05 and day < today:
            es.append([f"{i:06d}BP", "Từ trần", day, "", "", "", "", "", "", ""])
            events += 1
        elif roll < 0.08 and day < today:
            es.append(
                [f"{i:06d}BP", "Miễn công tác và sinh hoạt đảng", day, "", "", "", "", "", "", ""]
            )
            events += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    print(flush=True)
    print(
        f"generated {path.name}: {len(cells)} cells, {members} members, {events} event rows, "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )


class ServerCPU:
    """PostgreSQL: samples the CPU time of the server processes serving our database while a
    command runs (polled every 0.2 s; a backend's last fraction of a second may be missed)."""

    def __init__(self, url: str) -> None:
        self.url, self.seen, self.stop = url, {}, threading.Event()

    def __enter__(self) -> ServerCPU:
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def _poll(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while True:
                pids = conn.execute(
                    "SELECT pid FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchall()
                for (pid,) in pids:
                    cpu = proc_cpu(pid)
                    if cpu is not None:
                        self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))
                if self.stop.wait(0.2):
                    return

    @property
    def total(self) -> float | None:
        return round(sum(self.seen.values()), 1) if self.seen else None


def run(label: str, args: list[str], env: dict, *, python: bool = False) -> dict:
    load_before = os.getloadavg()[0]
    command = [sys.executable, __file__, *args] if python else [GRASSROOTS, *args]
    url = env.get("DATABASE_URL", "")
    server = ServerCPU(url) if url.startswith("postgres") and label != "flush" else None
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.monotonic()
        if server:
            server.__enter__()
        proc = subprocess.Popen(command, env=env, stdout=out_file, stderr=err_file)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak RSS
        elapsed = time.monotonic() - started
        if server:
            server.__exit__(None, None, None)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    peak_mib = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    load = (load_before + os.getloadavg()[0]) / 2
    result = {
        "run": label,
        "wall_s": round(elapsed, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mib": round(peak_mib),
        "server_cpu_s": server.total if server else None,
        "load": round(load, 1),
        "exit": proc.returncode,
    }
    extra = f"  server CPU {server.total} s" if server and server.total is not None else ""
    print(
        f"{label:<28} {elapsed:7.1f} s wall  {cpu:7.1f} s CPU   peak {peak_mib:6.0f} MiB{extra}   "
        f"exit {proc.returncode}   (load {load:.1f})",
        flush=True,
    )
    if python and out:
        print(out.rstrip())
    if proc.returncode and label != "migrate":
        print(out[-2000:], err[-2000:])
    return result


def child(path: str) -> None:
    """`--child FILE`: the import through import_file, printing time per progress phase."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings_dev")
    import django

    django.setup()
    from django.db import connection

    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.excel.importer import import_file

    backend = [None]

    def server_cpu() -> float:
        if connection.vendor != "postgresql":
            return 0.0
        if backend[0] is None:
            connection.ensure_connection()
            backend[0] = connection.connection.info.backend_pid
        return proc_cpu(backend[0]) or 0.0

    phases = []
    current = ["open", time.monotonic(), time.process_time(), 0.0]

    def close_phase(name):
        now, cpu, srv = time.monotonic(), time.process_time(), server_cpu()
        phases.append((current[0], now - current[1], cpu - current[2], srv - current[3]))
        current[:] = [name, now, cpu, srv]

    def progress(name, done, total):
        if name != current[0]:
            close_phase(name)

    started, cpu0 = time.monotonic(), time.process_time()
    report = import_file(
        path, actor=Actor(None, Source.IMPORT), name=Path(path).name, progress=progress
    )
    close_phase(None)  # includes the commit
    pg = connection.vendor == "postgresql"
    for name, wall, cpu, srv in phases:
        if wall >= 0.05:
            print(
                f"    {name:<30} {wall:6.1f} s wall {cpu:6.1f} s CPU"
                + (f" {srv:6.1f} s server CPU" if pg else "")
            )
    print(
        f"    {'total':<30} {time.monotonic() - started:6.1f} s wall "
        f"{time.process_time() - cpu0:6.1f} s CPU"
        + (f" {server_cpu():6.1f} s server CPU" if pg else "")
    )
    print(f"    written: {report.written}, counts: {json.dumps(report.counts, ensure_ascii=False)}")
    if not report.ok:
        print("\n".join(report.messages()[:20]))
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temp dir"
    )
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument(
        "--phases", action="store_true", help="time each phase of the import (step 2)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    path = OUT / f"import_{args.members}.xlsx"
    if args.regenerate or not path.exists():
        started = time.monotonic()
        generate(path, args.members)
        print(f"(generation took {time.monotonic() - started:.0f} s; not part of the measurement)")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as var:
        env = dict(
            os.environ, GRASSROOTS_VAR_DIR=var, DJANGO_SETTINGS_MODULE="grassroots.settings_dev"
        )
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
            run("flush", ["flush", "--no-input"], env)
        run("migrate", ["migrate", "-v0"], env)
        print(
            f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB), database: "
            f"{'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}, "
            f"{os.cpu_count()} CPUs"
        )
        results.append(
            run("check only (--dry-run)", ["import", str(path), "--dry-run", "--no-progress"], env)
        )
        if args.phases:
            results.append(run("import (phases)", ["--child", str(path)], env, python=True))
        else:
            results.append(run("import", ["import", str(path), "--no-progress"], env))
        results.append(run("re-import (unchanged)", ["import", str(path), "--no-progress"], env))
    print(json.dumps({"members": args.members, "file": path.name, "runs": results}))


if __name__ == "__main__":
    main()
