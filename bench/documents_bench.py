"""Benchmark: full-text search over N generated documents (issue 17: 100,000, p95 ≤ 200 ms).

    DATABASE_URL=sqlite:////tmp/docs.sqlite3 .venv/bin/python bench/documents_bench.py [--documents 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_bench .venv/bin/python bench/documents_bench.py

Migrates the database named by DATABASE_URL (use an empty one), writes N documents (one
province, its 11 districts and 200 communes as issuers; titles and summaries drawn from a
vocabulary of Party document words, each with a folded `search_text` as the services write it)
with bulk_create — the FTS5 triggers / GIN index are kept up by the database itself — then runs
200 searches of 1–3 words as the system and as a district account (the access filter joined in),
50 results each, and prints p50 / p95 / max in milliseconds and a JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")

WORDS = (
    "nghị quyết chỉ thị kết luận kế hoạch chương trình hành động đề án hướng dẫn báo cáo sơ kết "
    "tổng kết nâng cao năng lực lãnh đạo sức chiến đấu tổ chức cơ sở đảng chất lượng đảng viên "
    "sinh hoạt chi bộ học tập quán triệt triển khai thực hiện tuyên truyền kiểm tra giám sát "
    "kỷ luật công tác cán bộ phát triển đảng viên dân vận an ninh quốc phòng kinh tế xã hội "
    "nông thôn mới giảm nghèo biên giới dân tộc thiểu số tôn giáo văn hóa giáo dục y tế "
    "chuyển đổi số cải cách hành chính phòng chống tham nhũng lãng phí tiêu cực"
).split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from grassroots.accounts.models import Role, User
    from grassroots.directives import queries
    from grassroots.directives.models import Document
    from grassroots.directives.search import search_text
    from grassroots.organizations.models import Kind, Unit
    from tests.factories import unit

    rng = random.Random(17)
    if not Document.objects.exists():
        t0 = time.perf_counter()
        p = unit("BP", Kind.PROVINCE)
        districts = [unit(f"BD{i}", Kind.DISTRICT, p) for i in range(11)]
        communes = [
            unit(f"BG{i}", Kind.GRASSROOTS_COMMITTEE, districts[i % 11]) for i in range(200)
        ]
        issuers = [p, *districts, *communes]
        rows = []
        for n in range(args.documents):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
            summary = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
            issuer = rng.choice(issuers)
            symbol = f"{n + 1}-NQ/B"
            rows.append(
                Document(
                    kind="nghi_quyet",
                    number=n + 1,
                    symbol=symbol,
                    issuer=issuer,
                    date=dt.date(2005, 1, 1) + dt.timedelta(days=rng.randint(0, 7500)),
                    title=title,
                    summary=summary,
                    path="",
                    search_text=search_text(symbol, title, summary),
                )  # fmt: skip
            )
            if len(rows) == 5000:
                Document.objects.bulk_create(rows)
                rows = []
        Document.objects.bulk_create(rows)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE directives_document")
        print(f"generated {args.documents} documents in {time.perf_counter() - t0:.1f} s")
    district = User.objects.filter(username="bench_district").first() or User.objects.create_user(
        "bench_district", password="Bench-password-17", role=Role.VIEWER,
        scope=Unit.objects.get(code="BD3"),
    )  # fmt: skip
    results = {}
    for label, user in (("system", None), ("district", district)):
        times = []
        for _ in range(args.searches):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
            start = time.perf_counter()
            list(queries.search_documents(user, text, limit=50))
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        results[label] = {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
            "max_ms": round(times[-1], 1),
        }
        print(f"{label:<9} p50 {results[label]['p50_ms']} ms, p95 {results[label]['p95_ms']} ms, "
              f"max {results[label]['max_ms']} ms")  # fmt: skip
    print(json.dumps({"vendor": connection.vendor, "documents": args.documents,
                      "load": os.getloadavg()[0], **results}))  # fmt: skip


if __name__ == "__main__":
    main()
