"""Yearly ledger checkpoints (issue 3): figures read through them equal the plain ledger sums.

A hand-made tree gets checkpoints for every organization (the threshold lowered to one row),
then goes through changes after and before the checkpoint years: events, an event recorded in
an old year, a transfer, a merger, a move and a dissolution (the TreeSnapshot path), a partial
and a full ledger rebuild. After each step every checkpoint must equal the sum of the ledger
rows before its year, and every read must equal the sum without checkpoints.
"""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.derived import checkpoints, ledger
from grassroots.figures.models import FLOW_FIELDS, LEDGER_FIELDS, STOCK_FIELDS, FigureCheckpoint
from grassroots.figures.queries import (
    figures,
    ledger_at,
    ledger_between,
    ledger_by_unit,
    members_by_unit,
)
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import GrassrootsType, Kind, Unit
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event, unit
from .reference import fast, reference

pytestmark = pytest.mark.django_db

NEXT_YEAR = dt.date.today().year + 1
DATES = sorted(
    {dt.date(y, 1, 1) for y in range(1999, NEXT_YEAR + 2)}
    | {dt.date(y, 12, 31) for y in range(1999, NEXT_YEAR + 1)}
    | {d(x) for x in ("2002-05-01", "2006-08-01", "2006-07-31", "2012-01-01", "2013-06-30")}
    | {d(x) for x in ("2014-01-01", "2016-02-01", "2016-02-02", "2018-03-01", "2025-07-01")}
)
WINDOWS = [
    (d("2001-06-01"), d("2013-06-30")),
    (d("2005-12-31"), d("2006-01-01")),
    (d("2011-01-01"), d("2011-12-31")),
    (d("2012-01-01"), d("2020-01-01")),
    (d("2015-03-01"), d("2026-11-01")),
]


@pytest.fixture
def world():
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1)
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1)
    G2 = unit("G2", Kind.GRASSROOTS_CELL, D1, type=GrassrootsType.AGENCY)
    G3 = unit("G3", Kind.GRASSROOTS_COMMITTEE, D2)
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G3)
    a = admit(C1, "2005-03-01")
    b = admit(G2, "2005-06-01")
    c = admit(C2, "2006-01-10")
    e = admit(C3, "2007-05-05")
    f = admit(C1, "2009-09-01")
    for m in (a, b, c, e):
        event(m, EventKind.OFFICIAL)
    return locals()


def _sql_sum(where: str, params: list) -> list[int]:
    cols = ", ".join(f'COALESCE(SUM("{c}"), 0)' for c in LEDGER_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM figures_figuredelta WHERE {where}", params)
        return [int(v) for v in cursor.fetchone()]


def plain_at(unit_id: int, at: dt.date) -> dict[str, int]:
    """The ledger summed from its first row, without checkpoints."""
    values = _sql_sum("ancestor_id = %s AND date <= %s", [unit_id, at])
    return dict(zip(LEDGER_FIELDS, values, strict=True))


def checkpoint_rows() -> dict[tuple[int, int], list[int]]:
    return {
        (a, y): list(values)
        for a, y, *values in FigureCheckpoint.objects.values_list(
            "ancestor_id", "year", *LEDGER_FIELDS
        )
    }


def assert_exact() -> None:
    """Every checkpoint is the sum of its organization's ledger before 1 January of its year,
    and every read (one, between two dates, many at once) equals the plain sum."""
    for (ancestor, year), values in checkpoint_rows().items():
        expected = _sql_sum("ancestor_id = %s AND date < %s", [ancestor, dt.date(year, 1, 1)])
        assert values == expected, (ancestor, year)
    ids = list(Unit.objects.values_list("pk", flat=True))
    for at in DATES:
        plain = {pk: plain_at(pk, at) for pk in ids}
        assert ledger_by_unit(ids, at) == plain, at
        assert members_by_unit(ids, at) == {pk: row["members"] for pk, row in plain.items()}
        for pk in ids:
            assert ledger_at(pk, at) == plain[pk], (pk, at)
    for since, at in WINDOWS:
        for pk in ids:
            now, then = plain_at(pk, at), plain_at(pk, since)
            assert ledger_between(pk, since, at) == (
                {c: now[c] for c in STOCK_FIELDS},
                {c: then[c] for c in STOCK_FIELDS},
                {c: now[c] - then[c] for c in FLOW_FIELDS},
            ), (pk, since, at)


def years_of(unit_obj) -> list[int]:
    return sorted(FigureCheckpoint.objects.filter(ancestor=unit_obj).values_list("year", flat=True))


def test_rebuild_builds_one_checkpoint_a_year_for_long_ledgers(world):
    # The default threshold leaves this small tree without checkpoints: plain sums.
    assert checkpoints.rebuild() == 0
    assert not FigureCheckpoint.objects.exists()
    assert_exact()
    # Only organizations with at least `min_rows` ledger rows get them.
    rows = {u.code: len(_dates(u.pk)) for u in Unit.objects.all()}
    threshold = max(rows.values())
    written = checkpoints.rebuild(min_rows=threshold)
    with_checkpoints = set(
        FigureCheckpoint.objects.values_list("ancestor__code", flat=True).distinct()
    )
    assert with_checkpoints == {code for code, n in rows.items() if n >= threshold}
    assert "P" in with_checkpoints and with_checkpoints < set(rows)
    # From the year after the first delta (the units were established in 2000) to next year.
    assert years_of(world["P"]) == list(range(2001, NEXT_YEAR + 1))
    assert written == FigureCheckpoint.objects.count()
    assert_exact()


def _dates(unit_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT date FROM figures_figuredelta WHERE ancestor_id = %s", [unit_id])
        return cursor.fetchall()


def test_checkpoints_stay_exact_through_every_kind_of_change(world, monkeypatch):
    w = world
    checkpoints.rebuild(min_rows=1)
    assert years_of(w["P"]) == list(range(2001, NEXT_YEAR + 1))
    assert_exact()

    event(w["f"], EventKind.OFFICIAL)  # 2010-09-01: after the early checkpoints
    admit(w["C3"], "2019-01-01")
    assert_exact()

    # Recorded today, dated before every checkpoint: every checkpoint of its ancestors moves.
    old = admit(w["C2"], "2002-05-01")
    event(w["b"], EventKind.DEATH, "2006-08-01")
    assert_exact()

    event(w["a"], EventKind.TRANSFER, "2013-01-01", w["C3"])
    event(old, EventKind.TRANSFER, "2003-06-01", w["C3"])  # a transfer in an old year
    assert_exact()

    restructure.unit_merge(actor=SYSTEM, sources=[w["G2"]], target=w["C1"], date=d("2012-01-01"))
    orgs.unit_move(actor=SYSTEM, unit=w["G1"], new_parent=w["D2"], date=d("2014-01-01"))
    assert_exact()
    orgs.unit_move(actor=SYSTEM, unit=w["G3"], new_parent=w["D1"], date=d("2004-01-01"))
    event(w["a"], EventKind.EXEMPTION, "2015-06-01")
    event(w["c"], EventKind.TRANSFER, "2016-01-01", w["C1"])
    restructure.unit_dissolve(actor=SYSTEM, unit=w["C2"], date=d("2016-02-01"))
    event(w["a"], EventKind.DEATH, "2018-03-01")
    assert_exact()

    # What the writes kept is what a rebuild from the ledger computes.
    kept = checkpoint_rows()
    checkpoints.rebuild(min_rows=1)
    assert checkpoint_rows() == kept

    # Partial ledger rebuild: those ancestors' rows are deleted and written again.
    monkeypatch.setattr(checkpoints, "MIN_ROWS", 1)
    ledger.rebuild([w["P"].pk, w["D1"].pk])
    assert checkpoint_rows() == kept
    assert_exact()
    # With the normal threshold they drop below it: their checkpoints go (exact or absent).
    monkeypatch.setattr(checkpoints, "MIN_ROWS", 10_000)
    ledger.rebuild([w["P"].pk, w["D1"].pk])
    assert not years_of(w["P"]) and not years_of(w["D1"]) and years_of(w["D2"])
    assert_exact()

    # Full rebuild: recomputed from the ledger in SQL.
    monkeypatch.setattr(checkpoints, "MIN_ROWS", 1)
    ledger.rebuild(None)
    assert checkpoint_rows() == kept
    assert_exact()

    # And the figures are still those of the slow reference.
    for code in ("P", "D1", "D2", "G1", "C3"):
        u = w[code]
        for at in (d("2003-12-31"), d("2013-06-30"), d("2020-01-01")):
            assert fast(u, at) == reference(u, at), (code, at)
        assert fast(u, d("2020-01-01"), d("2005-01-01")) == reference(
            u, d("2020-01-01"), d("2005-01-01")
        ), code


def test_reads_start_from_the_checkpoint(world):
    """Fails if a read sums the ledger from its first row instead of the latest checkpoint."""
    w = world
    checkpoints.rebuild(min_rows=1)
    ids = [w[code].pk for code in ("P", "D1", "D2", "G1", "C1", "C3")]
    later = [d("2009-01-01"), d("2012-07-01"), d("2020-12-31"), d(f"{NEXT_YEAR}-06-01")]
    earlier = d("2008-12-31")
    before = {at: ledger_by_unit(ids, at) for at in [*later, earlier]}
    between = ledger_between(w["P"].pk, d("2010-01-01"), d("2020-01-01"))
    fig = figures(w["P"], d("2015-01-01"), since=d("2011-01-01")).as_json()
    # Damage the rows before 2009 behind the ledger's back. Every read from 2009 on starts at
    # a checkpoint of 2009 or later, so it must not see them; a read of 2008 must.
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE figures_figuredelta SET members = members + 1000, "left" = "left" + 1'
            " WHERE date < %s",
            [d("2009-01-01")],
        )
    for at in later:
        assert ledger_by_unit(ids, at) == before[at], at
        assert members_by_unit(ids, at) == {pk: v["members"] for pk, v in before[at].items()}
        assert ledger_at(w["P"].pk, at) == before[at][w["P"].pk]
    assert ledger_between(w["P"].pk, d("2010-01-01"), d("2020-01-01")) == between
    assert figures(w["P"], d("2015-01-01"), since=d("2011-01-01")).as_json() == fig
    assert ledger_at(w["P"].pk, earlier)["members"] > before[earlier][w["P"].pk]["members"]


def test_one_statement_per_ledger_read(world):
    checkpoints.rebuild(min_rows=1)
    ids = list(Unit.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        members_by_unit(ids, d("2020-01-01"))
        ledger_at(world["P"].pk, d("2020-01-01"))
    assert len(ctx.captured_queries) == 2
    for query in ctx.captured_queries:
        assert "figures_figurecheckpoint" in query["sql"]


def test_a_member_event_moves_only_the_checkpoints_after_it(world):
    w = world
    checkpoints.rebuild(min_rows=1)
    before = checkpoint_rows()
    admit(w["C3"], "2010-06-01")
    after = checkpoint_rows()
    changed = {key for key in before if before[key] != after[key]}
    ancestors = {w[code].pk for code in ("P", "D2", "G3", "C3")}
    assert changed == {(a, y) for a, y in before if a in ancestors and y > 2010}
    with CaptureQueriesContext(connection) as ctx:
        event(w["e"], EventKind.DEATH, "2011-02-01")
    updates = [q for q in ctx.captured_queries if "UPDATE figures_figurecheckpoint" in q["sql"]]
    assert len(updates) == 1  # one executemany for the four ancestors
    assert_exact()


def test_checkpoints_are_in_the_json_backup(world, tmp_path):
    """JSON backups (dumpdata) carry the checkpoints with the ledger; native ones copy tables."""
    checkpoints.rebuild(min_rows=1)
    file = tmp_path / "backup.json"
    call_command("backup", str(file), format="json")
    pks = {(code,): pk for pk, code in Unit.objects.values_list("pk", "code")}
    dumped = {}
    for record in json.loads(file.read_text(encoding="utf-8")):
        if record["model"] == "figures.figurecheckpoint":
            fields = record["fields"]
            ancestor = fields["ancestor"]  # a natural key (code,) or a pk
            ancestor = pks[tuple(ancestor)] if isinstance(ancestor, list) else ancestor
            dumped[(ancestor, fields["year"])] = [fields[c] for c in LEDGER_FIELDS]
    assert dumped and dumped == checkpoint_rows()
