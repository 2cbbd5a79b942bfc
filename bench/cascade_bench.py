"""Benchmark: the directives tracker for a national resolution over the whole country (issue 17:
`grassroots cascade --document ... --unit N --at D --json` ≤ 2 s).

    GRASSROOTS_VAR_DIR=/tmp/national flock /tmp/bench.lock .venv/bin/grassroots generate --scale national --units-only
    GRASSROOTS_VAR_DIR=/tmp/national flock /tmp/bench.lock .venv/bin/python bench/cascade_bench.py
    (or DATABASE_URL=postgres://…/gr_x for both)

On a database holding the generated country's tree (no members: the tracker reads organizations,
documents and study sessions only), registers once through the services a central resolution
`99-NQ/TW` of 01/03/2024 with requirements for every level (province, district and grassroots
plans; study by provincial committees, grassroots committees, partial committees and cells;
a province sơ kết), then writes with bulk_create implementing documents of a sample of
organizations (every province, 60 % of districts, 10 % of grassroots organizations; some after
their deadline) and study sessions with counts (provincial committees, 10 % of grassroots
organizations, 5 % of cells). The 2025 reorganization lies between the resolution and today, so
the tracker works through dissolved districts and moved cells. Those bulk writes bypass the
services, so the stored placed duties (`figures.CascadeDuty`, and their counts
`figures.CascadeDutyCount`) are then rebuilt
(`maintain.cascade_duties_rebuild`, what `grassroots cascade-duties` does: timed, and run too
when the document exists but the table is empty, e.g. on a dataset from before the table).
Then it times the CLI command in
this process (wall and CPU; on PostgreSQL the server's CPU is not in it, hence the load
average) for the country as of 31/12/2024 and 01/10/2026, three times each, and prints a JSON line.

`--cold` (session 10): before the first run of each day, the database's files are dropped from
the operating system's page cache (`posix_fadvise(DONTNEED)` on the SQLite file, or on the
PostgreSQL database's files under `data_directory`, read as root) and the connection reopened,
so the first run reads from disk — on PostgreSQL only what is not in `shared_buffers` (128 MB
here); the two others are warm. Nothing else on the machine is evicted.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")

D0 = dt.date(2024, 3, 1)
SYMBOL = "99-NQ/TW"


def _setup() -> dict:
    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.directives import services
    from grassroots.directives.models import Document, StudySession
    from grassroots.organizations.models import Kind, UnitVersion
    from grassroots.organizations.queries import on

    def req(level, action, deadline, **kw):
        return {"level": level, "action": action, "deadline": deadline, **kw}

    actor = Actor(None, Source.CLI)
    doc = services.document_register(
        actor=actor, kind="nghi_quyet", symbol=SYMBOL, date=D0, central_body="TW",
        title="Nghị quyết về nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng",
        requirements=[
            req("province", "study", dt.date(2024, 4, 30), audience="committee"),
            req("province", "issue", dt.date(2024, 5, 31), doc_kind="ke_hoach"),
            req("province", "report", dt.date(2026, 6, 30), doc_kind="so_ket"),
            req("district", "issue", dt.date(2024, 7, 31)),
            req("grassroots", "issue", dt.date(2024, 9, 30)),
            req("grassroots", "study", dt.date(2024, 9, 30), audience="committee"),
            req("partial", "study", dt.date(2024, 10, 31), audience="committee"),
            req("cell", "study", dt.date(2024, 12, 31), audience="members"),
        ],
    )  # fmt: skip
    rng = random.Random(17)
    by_kind: dict[str, list[int]] = {}
    for unit_id, kind in UnitVersion.objects.filter(on(D0)).values_list("unit_id", "kind"):
        by_kind.setdefault(kind, []).append(unit_id)
    grassroots = by_kind.get(Kind.GRASSROOTS_COMMITTEE, []) + by_kind.get(Kind.GRASSROOTS_CELL, [])
    cells = by_kind.get(Kind.SUBORDINATE_CELL, []) + by_kind.get(Kind.GRASSROOTS_CELL, [])

    def day(deadline: dt.date) -> dt.date:  # mostly on time, one in six late
        return D0 + dt.timedelta(days=rng.randint(5, (deadline - D0).days + 60))

    plans = []
    for sample, kind, abbr, deadline in (
        (by_kind.get(Kind.PROVINCE, []), "ke_hoach", "KH", dt.date(2024, 5, 31)),
        (rng.sample(by_kind.get(Kind.DISTRICT, []), k=len(by_kind.get(Kind.DISTRICT, [])) * 6 // 10),
         "chuong_trinh", "CTr", dt.date(2024, 7, 31)),
        (rng.sample(grassroots, k=len(grassroots) // 10), "ke_hoach", "KH", dt.date(2024, 9, 30)),
    ):  # fmt: skip
        for n, unit_id in enumerate(sample, start=1):
            plans.append(Document(
                kind=kind, number=n, symbol=f"{n}-{abbr}/B", issuer_id=unit_id, date=day(deadline),
                title="Kế hoạch thực hiện Nghị quyết 99-NQ/TW", parent=doc, root=doc,
                search_text="ke hoach thuc hien nghi quyet 99 nq tw",
            ))  # fmt: skip
    made = Document.objects.bulk_create(plans, batch_size=5000)
    for plan in made:
        plan.path = f"{doc.path}{plan.pk}/"
    Document.objects.bulk_update(made, ["path"], batch_size=5000)
    sessions = []
    for sample, deadline in (
        (by_kind.get(Kind.PROVINCE, []), dt.date(2024, 4, 30)),
        (rng.sample(grassroots, k=len(grassroots) // 10), dt.date(2024, 9, 30)),
        (rng.sample(cells, k=len(cells) // 20), dt.date(2024, 12, 31)),
    ):
        for unit_id in sample:
            expected = rng.randint(8, 60)
            audience = "members" if deadline.month == 12 else "committee"
            sessions.append(StudySession(
                document=doc, unit_id=unit_id, date=day(deadline), audience=audience,
                expected=expected, attended=expected - rng.randint(0, expected // 5),
            ))  # fmt: skip
    StudySession.objects.bulk_create(sessions, batch_size=5000)
    return {"plans": len(made), "sessions": len(sessions)}


def _evict() -> int:
    """Drop this database's files from the page cache (see the docstring); files evicted."""
    from django.conf import settings
    from django.db import connection

    files: list[Path] = []
    if connection.vendor == "sqlite":
        connection.close()  # the last connection's close removes the -wal file
        name = Path(settings.DATABASES["default"]["NAME"])
        files = [p for p in (name, Path(f"{name}-wal")) if p.exists()]
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory'), oid FROM pg_database"
                           " WHERE datname = current_database()")  # fmt: skip
            data, oid = cursor.fetchone()
        files = [p for p in (Path(data) / "base" / str(oid)).iterdir() if p.is_file()]
    connection.close()
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)  # only clean pages are dropped
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return len(files)


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from grassroots.directives.models import Document, StudySession
    from grassroots.organizations.models import Unit

    out: dict = {"vendor": connection.vendor, "units": Unit.objects.count()}
    if not Document.objects.filter(symbol=SYMBOL).exists():
        t0 = time.perf_counter()
        out.update(_setup(), registered=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"registered {SYMBOL}, {out['plans']:,} plans, {out['sessions']:,} study sessions "
              f"in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    else:
        out["plans"] = Document.objects.filter(parent__symbol=SYMBOL).count()
        out["sessions"] = StudySession.objects.count()
    from grassroots.derived import maintain
    from grassroots.figures.models import CascadeDuty, CascadeDutyCount

    if out.get("registered") or not CascadeDuty.objects.exists():
        start, cpu = time.perf_counter(), time.process_time()
        rows = maintain.cascade_duties_rebuild()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {CascadeDuty._meta.db_table}")
                cursor.execute(f"ANALYZE {CascadeDutyCount._meta.db_table}")
        out["duties_build"] = {
            "rows": rows, "wall_s": round(time.perf_counter() - start, 1),
            "cpu_s": round(time.process_time() - cpu, 1),
        }  # fmt: skip
        print(f"placed duties rebuilt: {out['duties_build']}")
    out["duty_rows"] = CascadeDuty.objects.count()
    out["duty_count_rows"] = CascadeDutyCount.objects.count()
    for at in ("2024-12-31", "2026-10-01"):
        runs = []
        for i in range(3):
            if i == 0 and "--cold" in sys.argv:
                out["evicted_files"] = _evict()
            buf = io.StringIO()
            start, cpu = time.perf_counter(), time.process_time()
            call_command("cascade", "--document", SYMBOL, "--unit", "N", "--at", at, "--json",
                         stdout=buf)  # fmt: skip
            runs.append(
                (round(time.perf_counter() - start, 2), round(time.process_time() - cpu, 2))
            )
        answer = json.loads(buf.getvalue())
        figures = {k: answer[k] for k in ("organizations", "plans_issued", "plans_late",
                                          "study_sessions", "study_coverage_pct", "reports_filed")}  # fmt: skip
        print(f"at {at}: wall/CPU s {runs}; {figures}; children {len(answer['children'])}")
        out[at] = {"runs_wall_cpu_s": runs, **figures, "children": len(answer["children"])}
    out["load"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
