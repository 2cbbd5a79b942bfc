"""Writing many rows to a table fast: PostgreSQL binary COPY, SQLite one executemany.

Used by the bulk loader (members, events, stints) and by the derived data's staging tables
(ledger, name index). Knows nothing of the apps: a table name, its columns and the rows.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection


def append_rows(table: str, columns: list[str], rows: list) -> None:
    """Append rows to `table` (a model's or a staging table): COPY on PostgreSQL, one
    executemany on SQLite."""
    if not rows:
        return
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in columns)
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        copy_rows(table, columns, rows)
    elif connection.vendor == "sqlite":
        connection.connection.executemany(
            f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['?'] * len(columns))})", rows
        )
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {qn(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})",
                rows,
            )


def copy_rows(table: str, columns: list[str], rows) -> None:
    """PostgreSQL: COPY rows into `table` in the binary format, with each column's type read
    from the catalog. Both sides skip the text conversion of every value: the client spends
    about a third of the CPU of a text COPY, and the server parses nothing."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [qn(table)],
        )
        oids = dict(cursor.fetchall())
        with cursor.cursor.copy(
            f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types([oids[c] for c in columns])
            for row in rows:
                copy.write_row(row)


def reserve_ids(table: str, n: int) -> list[int]:
    """n ids for new rows of `table` (an auto-increment `id`), to insert them with `append_rows`
    and know their ids without reading them back. Call inside the writer's transaction.

    PostgreSQL: drawn from the column's sequence, so a concurrent writer never gets the same.
    SQLite: after the highest id ever given (AUTOINCREMENT keeps it in sqlite_sequence, so an id
    is never reused); the transaction holds the database's only write lock (transaction_mode
    IMMEDIATE), so nobody else inserts before the rows are appended."""
    if n <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
    return list(range(top + 1, top + 1 + n))


def in_ids(ids: list[int]) -> tuple[str, list]:
    """The inside of an "IN (…)" for these ids, and its parameters. PostgreSQL: one array
    parameter (`SELECT unnest(%s::bigint[])`): psycopg's client-side binding, which Django uses,
    splits a statement's text at every placeholder in Python, and for a list of 5,000 ids that
    cost more than running the statement (a province plan's reads and writes by member ≈ 8 s of
    its apply; docs/performance.md "Restructure plans", session 12). Elsewhere one placeholder
    per id (SQLite: keep a list under its 32,766 parameters)."""
    if connection.vendor == "postgresql":
        return "SELECT unnest(%s::bigint[])", [list(ids)]
    return ", ".join(["%s"] * len(ids)), list(ids)


# Ids per statement of `read_by_ids` / `run_by_ids` and of the name index's refresh (well under
# SQLite's 32,766 parameters).
ID_CHUNK = 5000


def id_chunks(ids: list) -> Iterator[list]:
    """The ids in slices of `ID_CHUNK`, in their order."""
    for i in range(0, len(ids), ID_CHUNK):
        yield ids[i : i + ID_CHUNK]


def read_by_ids(sql: str, ids: list[int], params=(), tail: str = ""):
    """The rows of `sql` (a SELECT with "IN ({})" for the ids, and "{}" for `tail` if it has
    one) for every chunk of ids, through a plain cursor (`in_ids`); `params` fill the
    placeholders after the ids. A `tail` ORDER BY orders within a chunk: the chunks follow the
    ids' order, so rows keyed by a sorted id column stay in order."""
    with connection.cursor() as cursor:
        for chunk in id_chunks(ids):
            marks, values = in_ids(chunk)
            cursor.execute(sql.format(marks, tail), [*values, *params])
            yield from cursor.fetchall()


def run_by_ids(sql: str, ids: list[int]) -> None:
    """Run `sql` (an UPDATE or DELETE with "IN ({})" for the ids) for every chunk of ids."""
    with connection.cursor() as cursor:
        for chunk in id_chunks(ids):
            marks, values = in_ids(chunk)
            cursor.execute(sql.format(marks), values)
