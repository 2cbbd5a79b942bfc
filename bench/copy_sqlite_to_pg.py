"""Copy a generated national tree (and bench/cascade_bench.py's resolution, plans and study
sessions) from a SQLite database into a migrated, empty PostgreSQL database with the same ids,
then reset the sequences and ANALYZE — minutes instead of the 20–43 min of generating the tree on
PostgreSQL (session 9, docs/performance.md "National tracker").

    python bench/copy_sqlite_to_pg.py var/national/grassroots.sqlite3 postgresql://postgres@127.0.0.1:5432/gr_x

Then `grassroots cascade-duties` (DATABASE_URL of that database) builds the placed duties.

`--all` copies every table that holds rows in the SQLite file (members, events, stints, the
name index, ...: a whole `grassroots generate --members N` dataset, for the review report on
PostgreSQL; issue 18 session 10). Both databases must be migrated to the same state; the
PostgreSQL tables are emptied first (their foreign keys are checked at the commit, Django makes
them DEFERRABLE INITIALLY DEFERRED, so the order of the tables does not matter).
"""

from __future__ import annotations

import sqlite3
import sys
import time

import psycopg

TABLES = [
    "organizations_unit", "organizations_unitversion", "organizations_unitancestry",
    "figures_figurecheckpoint", "figures_figuredelta", "scale_dataset",
    "directives_document", "directives_requirement", "directives_studysession",
]  # fmt: skip


def _tables_with_rows(lite: sqlite3.Connection, pg: psycopg.Connection) -> list[str]:
    lite_tables = [
        name
        for (name,) in lite.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name != 'django_migrations' ORDER BY name"
        )
    ]
    pg_tables = {
        name
        for (name,) in pg.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    return [
        t for t in lite_tables
        if t in pg_tables and lite.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()
    ]  # fmt: skip


def main(src: str, dsn: str, every: bool = False) -> None:
    lite = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    with psycopg.connect(dsn) as pg:
        tables = _tables_with_rows(lite, pg) if every else TABLES
        if every:
            pg.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        for table in tables:
            start = time.perf_counter()
            pg_cols = [row[0] for row in pg.execute(
                "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
                " AND NOT attisdropped AND attgenerated = ''", [table])]  # fmt: skip
            lite_cols = [row[1] for row in lite.execute(f'PRAGMA table_info("{table}")')]
            missing = set(pg_cols) - set(lite_cols)
            assert not missing, (table, missing)  # both migrated to the same state
            cols = ", ".join(f'"{c}"' for c in lite_cols if c in pg_cols)
            if not every:
                pg.execute(f"TRUNCATE {table} CASCADE")
            n = 0
            # text COPY: the server parses SQLite's ISO dates and 0/1 booleans
            with pg.cursor().copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in lite.execute(f'SELECT {cols} FROM "{table}"'):
                    copy.write_row(row)
                    n += 1
            if '"id"' in cols:
                pg.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                           f' (SELECT MAX(id) FROM "{table}"))')  # fmt: skip
            print(f"{table}: {n:,} rows in {time.perf_counter() - start:.1f} s", flush=True)
        pg.commit()
        pg.execute("ANALYZE")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--all"]
    main(args[0], args[1], every="--all" in sys.argv[1:])
