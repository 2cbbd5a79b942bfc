"""`grassroots bench [--members N] [--db sqlite|postgres] [--json]`: generate (or reuse), then measure."""

import json as jsonlib
import os
import subprocess
import sys

from django.conf import settings

from grassroots.core.cli import GrassrootsCommand
from grassroots.scale.bench import run_bench


def _database_url(db: str, members: int, seed: int) -> str:
    """A database of its own per size and seed, so a dataset is generated once and reused."""
    if db == "sqlite":
        return f"sqlite:///{settings.VAR_DIR / f'bench-{members}-{seed}.sqlite3'}"
    base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    name = f"gr_bench_{members}_{seed}"
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


class Command(GrassrootsCommand):
    help = "Đo hiệu năng: số liệu theo ngày, tìm kiếm, trang web, so với DuckDB."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--db",
            choices=("sqlite", "postgres"),
            help="run against a dedicated benchmark database (default: the configured one)",
        )
        parser.add_argument(
            "--samples", type=int, default=200, help="random (organization, date) pairs"
        )
        parser.add_argument("--searches", type=int, default=100)
        parser.add_argument("--pages", type=int, default=40)
        parser.add_argument(
            "--meetings-year",
            type=int,
            help="also the meeting book: generate this year's meetings if absent, then measure "
            "recording a meeting and the province / country summaries",
        )
        parser.add_argument("--json", action="store_true")

    def handle(
        self,
        *args,
        members,
        seed,
        db,
        samples,
        searches,
        pages,
        meetings_year=None,
        json: bool = False,
        **options,
    ):
        if db:
            env = {**os.environ, "DATABASE_URL": _database_url(db, members, seed)}
            argv = [
                sys.executable,
                "-m",
                "grassroots.manage",
                "bench",
                "--members",
                str(members),
                "--seed",
                str(seed),
                "--samples",
                str(samples),
                "--searches",
                str(searches),
                "--pages",
                str(pages),
            ]
            if meetings_year:
                argv += ["--meetings-year", str(meetings_year)]
            if json:
                argv.append("--json")
            subprocess.run(argv, env=env, check=True)
            return
        result = run_bench(
            members=members,
            seed=seed,
            samples=samples,
            pages=pages,
            searches=searches,
            meetings_year=meetings_year,
            progress=options["verbosity"] > 0,
        )
        if json:
            self.stdout.write(_dumps(result))
            return
        for key, value in result.items():
            self.stdout.write(f"{key:>28}: {value}")


def _dumps(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)
