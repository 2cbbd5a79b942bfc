"""Benchmark: import a workbook of N members with their events into an empty database.

    .venv/bin/python bench/bench_import.py [--members 100000] [--database-url postgres://...]

Generates bench/out/import_<N>.xlsx once (1 province, 10 districts, 200 grassroots committees,
1,000 cells; each member admitted, most recognized official, some transferred, exempted or
dead), then runs, each in a fresh process against a freshly migrated database:

1. `grassroots import FILE --dry-run`  (read + check every row, no writes)
2. `grassroots import FILE`            (the real import, one transaction)
3. `grassroots import FILE`            (again: everything unchanged, nothing written)

and prints wall time and peak memory (max RSS of the import process) for each.
Target (issue 5): 100,000 members with events in < 60 s, peak < 1 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
GRASSROOTS = str(ROOT / ".venv" / "bin" / "grassroots")


def generate(path: Path, members: int, seed: int = 5) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
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


def run(label: str, args: list[str], env: dict) -> tuple[float, float, int]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [GRASSROOTS, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mib = usage.ru_maxrss / 1024
    cpu = usage.ru_utime + usage.ru_stime
    load = os.getloadavg()[0]
    print(
        f"{label:<28} {elapsed:7.1f} s wall  {cpu:7.1f} s CPU   peak {peak_mib:6.0f} MiB   "
        f"exit {proc.returncode}   (load {load:.1f})",
        flush=True,
    )
    if proc.returncode and label != "migrate":
        print(out[-2000:], err[-2000:])
    return elapsed, peak_mib, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default="", help="default: a fresh SQLite file in a temp dir"
    )
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    path = OUT / f"import_{args.members}.xlsx"
    if args.regenerate or not path.exists():
        started = time.monotonic()
        generate(path, args.members)
        print(f"(generation took {time.monotonic() - started:.0f} s; not part of the measurement)")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as var:
        env = dict(os.environ, GRASSROOTS_VAR_DIR=var, DJANGO_SETTINGS_MODULE="grassroots.settings")
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
            run("flush", ["flush", "--no-input"], env)
        run("migrate", ["migrate", "-v0"], env)
        print(
            f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB), database: "
            f"{'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}"
        )
        run("check only (--dry-run)", ["import", str(path), "--dry-run", "--no-progress"], env)
        run("import", ["import", str(path), "--no-progress"], env)
        run("re-import (unchanged)", ["import", str(path), "--no-progress"], env)


if __name__ == "__main__":
    main()
