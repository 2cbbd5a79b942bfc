"""The server's CPU per request of each kind of the load mix, from its request log.

    .venv/bin/python bench/load_cpu.py SERVER_LOG [--json FILE]

`grassroots serve` logs one JSON line per request with `cpu_ms`, the CPU of the thread that
served it (grassroots/ops/middleware.py); `bench/load_run.sh` keeps that log per run
(`$RUN/<label>-server.log`) and prints this table after each mix. Under load a request's wall
time is mostly its wait for a core; its CPU is what it costs, so runs made at different loads
compare here. The names are bench/load_locust.py's. Not counted: the process's work outside the
request threads (gunicorn's loop, the garbage collector run from another thread, the interpreter
switching threads), which the run's total (web processes' CPU / requests) includes.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

KINDS = [  # (locust name, method, path pattern)
    ("login form", "GET", r"/login/"),
    ("login", "POST", r"/login/"),
    ("home", "GET", r"/"),
    ("tree", "GET", r"/tree/"),
    ("organization", "GET", r"/units/[^/]+/"),
    ("member", "GET", r"/members/\d+/"),
    ("search", "GET", r"/members/"),
    ("export figures", "GET", r"/excel/export/figures/"),
    ("event form", "GET", r"/members/\d+/events/[a-z_]+/"),
    ("record event", "POST", r"/members/\d+/events/[a-z_]+/"),
    ("api tree", "GET", r"/api/v1/tree/"),
    ("api figures", "GET", r"/api/v1/organizations/[^/]+/figures/"),
    ("api search", "GET", r"/api/v1/members/"),
    ("api member", "GET", r"/api/v1/members/\d+/"),
]
_PATTERNS = [(name, method, re.compile(path + "$")) for name, method, path in KINDS]


def kind_of(method: str, path: str) -> str:
    for name, kind_method, pattern in _PATTERNS:
        if method == kind_method and pattern.match(path):
            return name
    return "other"


def summary(log: Path) -> dict[str, dict]:
    cpu: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}
    for line in log.read_text(errors="replace").splitlines():
        if not line.startswith('{"event": "request"'):
            continue
        entry = json.loads(line)
        if "cpu_ms" not in entry:
            continue
        name = kind_of(entry["method"], entry["path"])
        cpu.setdefault(name, []).append(entry["cpu_ms"])
        statements.setdefault(name, []).append(entry["db_queries"])
    return {
        name: {
            "requests": len(values),
            "cpu_mean_ms": round(statistics.mean(values), 1),
            "cpu_p50_ms": round(statistics.median(values), 1),
            "cpu_total_s": round(sum(values) / 1000, 1),
            "statements_mean": round(statistics.mean(statements[name]), 1),
        }
        for name, values in cpu.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("log", type=Path)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    rows = summary(args.log)
    order = [name for name, _, _ in KINDS] + ["other"]
    print("CPU per request from the server's log: kind, requests, mean, p50 ms, total s, SQL")
    for name in sorted(rows, key=order.index):
        r = rows[name]
        print(
            f"  {name:<16} {r['requests']:6d} {r['cpu_mean_ms']:7.1f} {r['cpu_p50_ms']:7.1f} "
            f"{r['cpu_total_s']:7.1f} {r['statements_mean']:5.1f}"
        )
    pages = [r for name, r in rows.items() if name not in ("login", "login form", "home")]
    count = sum(r["requests"] for r in pages)
    if count:
        total = sum(r["cpu_total_s"] for r in pages)
        print(f"  {'all but logins':<16} {count:6d} {total * 1000 / count:7.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
