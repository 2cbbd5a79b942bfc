"""Full-text search over the register: the database's own index, never a hand-written one.

Each document keeps `search_text`, the folded (core.text.fold: lower case, no diacritics, đ→d)
text of its symbol, title, summary and attached files, so the search is diacritics-insensitive
on both databases without an extension. SQLite answers from an FTS5 table kept by triggers
(migration 0002); PostgreSQL from a GIN index on `to_tsvector('simple', search_text)`. Every
typed word must appear, as a word or the start of one.
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
            # Few hits: read them from the GIN index and sort them. On the table itself (or
            # with the subquery pulled up into a semi-join: hence OFFSET 0) the planner walked
            # the date index for a word in ~800 documents, recomputing to_tsvector for 5,000
            # rows (600–700 ms).
            return rows.filter(
                pk__in=RawSQL(
                    "SELECT id FROM directives_document WHERE "
                    "to_tsvector('simple'::regconfig, search_text) @@ "
                    "to_tsquery('simple'::regconfig, %s) OFFSET 0",
                    [query],
                )
            )
        # Many hits: on the table itself, walked newest first (a few hundred rows at most).
        return rows.filter(
            RawSQL(
                "to_tsvector('simple'::regconfig, directives_document.search_text) @@ "
                "to_tsquery('simple'::regconfig, %s)",
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


def _postgres_estimate(query: str) -> float:
    """The planner's estimate of the hits (from the GIN expression index's statistics; planning
    only, nothing read)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT 1 FROM directives_document WHERE "
            "to_tsvector('simple'::regconfig, search_text) @@ to_tsquery('simple'::regconfig, %s)",
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


def install(apps, schema_editor) -> None:
    """Migration step: the full-text index of the database in use."""
    vendor = schema_editor.connection.vendor
    for statement in SQLITE_SETUP if vendor == "sqlite" else POSTGRES_SETUP:
        schema_editor.execute(statement)
