"""Benchmark: full-text search over N generated documents (issue 17: 100,000, p95 ≤ 200 ms).

    DATABASE_URL=sqlite:////tmp/docs.sqlite3 flock /tmp/bench.lock .venv/bin/python bench/documents_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_bench flock /tmp/bench.lock .venv/bin/python bench/documents_bench.py [--explain]

Migrates the database named by DATABASE_URL (use an empty one; a second run reuses the
documents), writes N documents issued by Lạng Sơn's province committee, its 11 districts and
their communes (real names, `demo.adminunits`) or by the Centre (5 %), titles and summaries from
`bench/documents_vocab.py` (domain phrases + ~10,800 place names, Zipf-like frequencies), each
with a folded `search_text` as the services write it, by bulk_create (the FTS5 triggers / GIN
index are kept by the database). Then it times `queries.search_documents` (50 results, newest
first) for searches of 1–3 words typed as people type them (drawn from the same frequencies) and,
separately, the worst case (1–3 of the ten most frequent words: tens of thousands of hits), as
the system and as a district account (the access filter joined in). Prints p50 / p95 / max of
wall and CPU time (CPU: this process; on PostgreSQL the server's work is not in it, hence the
load average), the hits of the typical searches and one JSON line; `--explain` prints the plans.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")

from documents_vocab import KIND_WEIGHTS, KINDS, Vocabulary  # noqa: E402


def _generate(n: int, rng: random.Random) -> collections.Counter:
    """Write the documents; return each folded word's document frequency."""
    from grassroots.demo import adminunits
    from grassroots.directives.models import Document
    from grassroots.directives.search import search_text, words
    from grassroots.organizations.models import Kind
    from tests.factories import unit

    province = unit("BP", Kind.PROVINCE, name="Đảng bộ tỉnh Lạng Sơn")
    issuers = [(province, "Tỉnh ủy Lạng Sơn", "TU")]
    for d in adminunits.legacy_districts("20"):
        district = unit(f"BD{d.code}", Kind.DISTRICT, province, name=f"Đảng bộ {d.name}")
        issuers.append((district, f"Huyện ủy {d.short_name}", "HU"))
        for w in adminunits.legacy_wards(d.code):
            commune = unit(f"BX{w.code}", Kind.GRASSROOTS_COMMITTEE, district,
                           name=f"Đảng bộ {w.name}")  # fmt: skip
            issuers.append((commune, f"Đảng ủy {w.name}", "ĐU"))
    vocab = Vocabulary(rng)
    frequency: collections.Counter = collections.Counter()
    rows = []
    for n_doc in range(n):
        kind, label, abbr = rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        if rng.random() < 0.05:
            issuer, name, office = None, "Ban Chấp hành Trung ương", "TW"
        else:
            issuer, name, office = rng.choice(issuers)
        symbol = f"{n_doc + 1}-{abbr}/{office}"
        title, summary = vocab.title(label, name), vocab.summary()
        text = search_text(symbol, title, summary)
        frequency.update(set(words(text) + text.split()))
        rows.append(Document(
            kind=kind, number=n_doc + 1, symbol=symbol, issuer=issuer,
            central_body="" if issuer else "TW",
            date=dt.date(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 7600)),
            title=title[:500], summary=summary, path="", search_text=text,
        ))  # fmt: skip
        if len(rows) == 5000:
            Document.objects.bulk_create(rows)
            rows = []
    Document.objects.bulk_create(rows)
    return frequency


def _explain(qs) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join("  " + " | ".join(str(c) for c in row) for row in cursor.fetchall())


def _stats(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "p50": round(statistics.median(values), 1),
        "p95": round(values[max(0, int(0.95 * len(values)) - 1)], 1),
        "max": round(values[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from grassroots.accounts.models import Role, User
    from grassroots.directives import queries
    from grassroots.directives.models import Document
    from grassroots.directives.search import words
    from grassroots.organizations.models import Unit

    rng = random.Random(17)
    freq_file = Path(f"/tmp/documents_bench_{connection.vendor}_{args.documents}.json")
    if not Document.objects.exists():
        t0, c0 = time.perf_counter(), time.process_time()
        frequency = _generate(args.documents, rng)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        freq_file.write_text(json.dumps(frequency.most_common()))
        print(f"generated {args.documents:,} documents in {time.perf_counter() - t0:.0f} s "
              f"(CPU {time.process_time() - c0:.0f} s)")  # fmt: skip
    frequency = collections.Counter(dict(json.loads(freq_file.read_text())))
    print(f"{len(frequency):,} distinct folded words; most frequent: "
          + ", ".join(f"{w} {c:,}" for w, c in frequency.most_common(10)))  # fmt: skip
    district = User.objects.filter(username="bench_district").first() or User.objects.create_user(
        "bench_district", password="Bench-password-17", role=Role.VIEWER,
        scope=Unit.objects.filter(code__startswith="BD").order_by("code")[3],
    )  # fmt: skip
    vocab = Vocabulary(random.Random(18))
    common = [w for w, _c in frequency.most_common(10)]
    typical = [vocab.typed() for _ in range(args.searches)]
    worst = [" ".join(rng.sample(common, rng.randint(1, 3))) for _ in range(args.searches // 2)]
    hits = sorted(sum(frequency.get(w, 0) for w in words(t)[:1]) for t in typical)
    print(f"typical searches: first word in p50 {statistics.median(hits):,.0f} documents, "
          f"p95 {hits[int(0.95 * len(hits)) - 1]:,} (examples: {', '.join(typical[:6])})")  # fmt: skip
    if args.explain:
        for label, user in (("system", None), ("district", district)):
            for text in (typical[0], "thuc hien dang"):
                qs = queries.search_documents(user, text, limit=50)
                print(f"-- plan, {label}, {text!r}:\n{_explain(qs)}")
    results: dict = {}
    for label, user in (("system", None), ("district", district)):
        for case, texts in (("typical", typical), ("worst", worst)):
            wall, cpu = [], []
            for text in texts:
                start, c0 = time.perf_counter(), time.process_time()
                list(queries.search_documents(user, text, limit=50))
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            key = f"{label}_{case}"
            results[key] = {"wall_ms": _stats(wall), "cpu_ms": _stats(cpu)}
            w, c = results[key]["wall_ms"], results[key]["cpu_ms"]
            print(f"{key:<17} wall p50 {w['p50']} / p95 {w['p95']} / max {w['max']} ms; "
                  f"CPU p50 {c['p50']} / p95 {c['p95']} ms")  # fmt: skip
    print(json.dumps({"vendor": connection.vendor, "documents": Document.objects.count(),
                      "load": [round(x, 1) for x in os.getloadavg()], **results}))  # fmt: skip


if __name__ == "__main__":
    main()
