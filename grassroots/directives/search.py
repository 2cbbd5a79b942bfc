"""Full-text search over the register: the database's own index, never a hand-written one.

Each document keeps `search_text`, the folded (core.text.fold: lower case, no diacritics, đ→d)
text of its symbol, title, summary and attached files, so the search is diacritics-insensitive
on both databases without an extension. SQLite answers from an FTS5 table kept by triggers
(migration 0002); PostgreSQL from a GIN index on `search_vector`, a stored generated column
`to_tsvector('simple', search_text)` (migration 0004: the database keeps it, as the triggers keep
FTS5). Every typed word must appear, as a word or the start of one.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from io import BytesIO

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from grassroots.core.text import fold

MAX_TEXT = 200_000  # characters of a file's text kept for the index
_WORD = re.compile(r"[0-9a-z]+")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))[:12]


def search_text(*parts: str) -> str:
    return " ".join(w for part in parts for w in [fold(part)] if w)


# Above this many hits a search walks the register newest first and checks each document
# against the index (stopping at the page's 50) instead of sorting every hit by date: a word in
# most documents ("thuc hien") would otherwise sort ~90,000 hits (bench/documents_bench.py).
WALK_FROM = 4000


def matching(rows: QuerySet, text: str) -> QuerySet:
    """`rows` (documents) narrowed to those whose text has every word of `text`."""
    typed = words(text)
    if not typed:
        return rows
    if connection.vendor == "postgresql":
        query = " & ".join(f"{w}:*" for w in typed)
        if _postgres_estimate(query) < WALK_FROM:
            # Few hits: their ids are read from the GIN index first (a few milliseconds) and
            # the page is fetched by primary key. Left to the planner as a subquery, it walked
            # the date index recomputing to_tsvector (600–700 ms), or, for a district account,
            # scanned the register for the access filter and hash-joined it with the hits
            # (1,9 s for "Phường 5" at load 25; EXPLAIN ANALYZE, 02/12/2026).
            ids = _postgres_hits(query, PG_IDS_CAP)
            if len(ids) <= PG_IDS_CAP:
                return rows.filter(pk__in=ids)
        # Many hits: on the table itself, walked newest first (a few hundred rows at most).
        return rows.filter(
            RawSQL(
                "directives_document.search_vector @@ to_tsquery('simple'::regconfig, %s)",
                [query],
                output_field=BooleanField(),
            )
        )
    query = " AND ".join(f'"{w}"*' for w in typed)
    if _sqlite_hits(query, WALK_FROM) < WALK_FROM:
        return rows.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM directives_document_fts WHERE directives_document_fts MATCH %s",
                [query],
            )
        )
    # Many hits: the hits are read once into a set and the register is walked newest first,
    # each document checked against the set. The unary `+` keeps SQLite from driving the query
    # by the set (which would sort every hit); a per-document FTS5 probe instead re-expands a
    # prefix query ("thuc"*) for each document and is far slower.
    return rows.filter(
        RawSQL(
            "+directives_document.id IN (SELECT rowid FROM directives_document_fts"
            " WHERE directives_document_fts MATCH %s)",
            [query],
            output_field=BooleanField(),
        )
    )


# the estimate can be far off for several words ("dau tranh phan": 148 estimated, 9,391 read);
# above this many ids the register is walked instead (with 20,000 the ids' round trip cost the
# client 200 ms of CPU at p95)
PG_IDS_CAP = WALK_FROM


def _postgres_hits(query: str, cap: int) -> list[int]:
    """The ids of the matching documents, at most cap + 1 of them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM directives_document WHERE "
            "search_vector @@ to_tsquery('simple'::regconfig, %s) LIMIT %s",
            [query, cap + 1],
        )
        return [row[0] for row in cursor.fetchall()]


def _postgres_estimate(query: str) -> float:
    """The planner's estimate of the hits (from `search_vector`'s statistics; planning only,
    nothing read)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM directives_document WHERE "
            "search_vector @@ to_tsquery('simple'::regconfig, %s)",
            [query],
        )
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"]


def _sqlite_hits(query: str, cap: int) -> int:
    """How many documents match, counting no further than `cap` (cheap: reads ≤ cap rowids)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM directives_document_fts"
            " WHERE directives_document_fts MATCH %s LIMIT %s)",
            [query, cap],
        )
        return cursor.fetchone()[0]


def file_text(content: bytes, ext: str) -> str:
    """The text of a PDF (poppler's pdftotext) or DOCX (python-docx); "" for scans or when the
    file yields none. A PDF without a text layer (a scan) gives nothing: no OCR here."""
    try:
        if ext == "docx":
            from docx import Document as Docx

            doc = Docx(BytesIO(content))
            parts = [p.text for p in doc.paragraphs]
            for table in doc.tables:
                parts += [cell.text for row in table.rows for cell in row.cells]
            return "\n".join(parts)[:MAX_TEXT]
        if ext == "pdf":
            with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
                handle.write(content)
                handle.flush()
                done = subprocess.run(
                    ["pdftotext", "-enc", "UTF-8", handle.name, "-"],
                    capture_output=True, timeout=30, check=False,
                )  # fmt: skip
            return done.stdout.decode("utf-8", "replace")[:MAX_TEXT]
    except (OSError, ValueError, KeyError, subprocess.TimeoutExpired):
        return ""  # an unreadable file is still stored; it just adds no words
    except Exception:  # python-docx raises its own errors on a damaged package
        return ""
    return ""


SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS directives_document_fts USING fts5("
    "search_text, content='directives_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS directives_document_fts_ai AFTER INSERT ON directives_document "
    "BEGIN INSERT INTO directives_document_fts(rowid, search_text) "
    "VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directives_document_fts_au AFTER UPDATE OF search_text "
    "ON directives_document BEGIN "
    "INSERT INTO directives_document_fts(directives_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO directives_document_fts(rowid, search_text) VALUES (new.id, new.search_text); "
    "END",
    "CREATE TRIGGER IF NOT EXISTS directives_document_fts_ad AFTER DELETE ON directives_document "
    "BEGIN INSERT INTO directives_document_fts(directives_document_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
]
POSTGRES_SETUP = [
    "CREATE INDEX IF NOT EXISTS directives_document_fts ON directives_document "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
]


# A prefix query (every typed word is one, "tuyen:*") makes the GIN index's hits lossy, so
# PostgreSQL rechecks each hit; on the expression index the recheck recomputed to_tsvector of the
# document's text: counting the 783 documents with "tuyen" took 236 ms, a word in 51,000
# documents ~1 s (bench/documents_bench.py, 02/12/2026). A stored vector is read, not recomputed.
POSTGRES_VECTOR = [
    "ALTER TABLE directives_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX IF NOT EXISTS directives_document_vector ON directives_document "
    "USING gin (search_vector)",
    "DROP INDEX IF EXISTS directives_document_fts",
    "ANALYZE directives_document",
]
POSTGRES_VECTOR_BACK = [
    *POSTGRES_SETUP,
    "ALTER TABLE directives_document DROP COLUMN IF EXISTS search_vector",
]


def install_vector(apps, schema_editor) -> None:
    """Migration step: PostgreSQL's stored vector (SQLite keeps its FTS5 table)."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_VECTOR:
            schema_editor.execute(statement)


def remove_vector(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_VECTOR_BACK:
            schema_editor.execute(statement)


def install(apps, schema_editor) -> None:
    """Migration step: the full-text index of the database in use."""
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_SETUP if vendor == "sqlite" else POSTGRES_SETUP:
        schema_editor.execute(statement)
