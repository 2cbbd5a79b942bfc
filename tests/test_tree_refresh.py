"""A tree change moves the figures ledger through `derived.ledger.TreeSnapshot.refresh`, which
takes out and puts back only what the change touches (units whose closure or kind changed, and
the stints naming them). These tests hold it to a full rebuild and to the slow reference
(tests/reference.py), and check that a plan's rehearsal leaves no name keys behind."""

from __future__ import annotations

import pytest

from grassroots.derived import maintain
from grassroots.figures.models import FigureCheckpoint, FigureDelta
from grassroots.members.models import EventKind, MemberNameKey
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.plans import services as plans
from grassroots.plans.preview import rehearse
from grassroots.restructure import plan as engine

from . import plan_world as world
from .factories import SYSTEM, admit, d, event, unit
from .reference import fast, reference

pytestmark = pytest.mark.django_db


def _ledger() -> tuple[list, list]:
    columns = [f.name for f in FigureDelta._meta.fields if f.name not in ("id", "ancestor")]
    rows = sorted(
        (r["ancestor_id"], *(r[c] for c in columns))
        for r in FigureDelta.objects.values("ancestor_id", *columns)
        if any(r[c] for c in columns if c != "date")
    )
    columns = [f.name for f in FigureCheckpoint._meta.fields if f.name not in ("id", "ancestor")]
    marks = sorted(
        (r["ancestor_id"], *(r[c] for c in columns))
        for r in FigureCheckpoint.objects.values("ancestor_id", *columns)
        if any(r[c] for c in columns if c != "year")
    )
    return rows, marks


def test_backdated_move_keeps_a_later_transfer_from_outside_the_moved_subtree():
    """A member transferred in 2016 from G2 into C1, whose committee G1 then moves from D1 to D2
    from 2014: for D1 the transfer stays inside its subtree (no flow), for D2 it is a transfer
    in. The refresh re-reads C1's stint (its cell's closure changed) and judges "was G2 under
    D1" with G2's closure (read for the stint in G2 that went to C1); skipping either would
    leave D1 with a transfer in of -1."""
    p = unit("P", Kind.PROVINCE)
    d1 = unit("D1", Kind.DISTRICT, p)
    d2 = unit("D2", Kind.DISTRICT, p)
    g1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, d1)
    c1 = unit("C1", Kind.SUBORDINATE_CELL, g1)
    g2 = unit("G2", Kind.GRASSROOTS_CELL, d1)
    m = admit(g2, "2005-03-01")
    event(m, EventKind.OFFICIAL)
    event(m, EventKind.TRANSFER, "2016-01-01", c1)
    orgs.unit_move(actor=SYSTEM, unit=g1, new_parent=d2, date=d("2014-01-01"))
    dates = [d(x) for x in ("2013-12-31", "2014-01-01", "2015-12-31", "2016-01-01", "2017-01-01")]
    for target in (p, d1, d2, g1, c1, g2):
        for i, at in enumerate(dates):
            assert fast(target, at) == reference(target, at), (target.code, at)
            for since in dates[:i]:
                assert fast(target, at, since) == reference(target, at, since), (
                    target.code,
                    since,
                    at,
                )
    before = _ledger()
    maintain.rebuild_all()
    assert _ledger() == before


def test_ledger_after_a_plan_equals_a_full_rebuild():
    """A province's reorganization (mergers, moves, a change of kind, districts dissolved after
    their communes were merged away) applied as one plan leaves exactly the ledger and the
    checkpoints a full rebuild computes, though the refresh skipped what did not change."""
    world.build()
    plan = plans.plan_import(
        actor=SYSTEM,
        name="Sắp xếp",
        effective_date=world.DAY,
        scope=Unit.objects.get(code="P"),
        changes=[engine.Change(date=world.DAY, **r) for r in world.reorganization()],
    )
    plans.plan_apply(actor=SYSTEM, plan=plan)
    after = _ledger()
    assert after[0]
    maintain.rebuild_all()
    assert _ledger() == after


def test_rehearsal_computes_no_name_keys_and_the_apply_does(monkeypatch):
    """The check and the preview are rolled back, so they skip the name index
    (maintain.names_discarded): no member's places are computed. The apply keeps it, equal to a
    full rebuild."""
    from grassroots.derived import name_index

    world.build()

    def keys():
        return sorted(MemberNameKey.objects.values_list("member_id", "place_id", "key"))

    calls = []
    for name in ("_places", "place_spans"):
        original = getattr(name_index, name)
        monkeypatch.setattr(
            name_index,
            name,
            lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k),
        )
    start = keys()
    shown = rehearse(
        SYSTEM, [engine.Change(date=world.DAY, **r) for r in world.reorganization()], world.DAY
    )
    assert shown.ok and shown.members
    assert calls == []  # nothing keyed while rehearsing
    assert keys() == start
    plan = plans.plan_import(
        actor=SYSTEM,
        name="Sắp xếp",
        effective_date=world.DAY,
        scope=Unit.objects.get(code="P"),
        changes=[engine.Change(date=world.DAY, **r) for r in world.reorganization()],
    )
    plans.plan_apply(actor=SYSTEM, plan=plan)
    assert calls  # the apply keys the moved members
    after = keys()
    assert after != start
    name_index.rebuild()
    assert keys() == after


def _by_code(ledger):
    """The ledger keyed by organization code (ids differ between two plays on PostgreSQL,
    whose sequences do not roll back)."""
    codes = dict(Unit.objects.values_list("pk", "code"))
    return tuple(sorted((codes[a], *rest) for a, *rest in rows) for rows in ledger)


def _every_stint_naming(since):
    """The refresh's previous read (the reference): every stint in, from or to a unit whose
    closure changed, whatever its dates."""
    from django.db.models import Q

    from grassroots.derived.ledger import STINT_COLUMNS, StintRow
    from grassroots.members.models import MemberStint

    units = list(since)
    if not units:
        return []
    return [
        StintRow(*values)
        for values in MemberStint.objects.filter(
            Q(unit_id__in=units) | Q(came_from_id__in=units) | Q(went_to_id__in=units)
        ).values_list(*STINT_COLUMNS)
    ]


@pytest.mark.parametrize("backdated", [False, True])
def test_refresh_reading_only_stints_reaching_the_change_equals_reading_all(monkeypatch, backdated):
    """The refresh reads only the stints that reach the day a unit's closure changes
    (`ledger._stints_reaching`): a province's plan (mergers after their members left, moves,
    a change of kind, dissolutions) and, with `backdated`, a committee moved back to 2014 with
    a later transfer in from outside and back, and a change of status on the day, leave the same ledger and checkpoints as the previous read
    of every stint naming the changed units, and as a full rebuild."""
    from django.db import transaction

    from grassroots.derived import ledger

    world.build()
    changes = [engine.Change(date=world.DAY, **r) for r in world.reorganization()]

    def play():
        with transaction.atomic():
            if backdated:
                p = Unit.objects.get(code="P")
                d1 = unit("BD1", Kind.DISTRICT, p)
                d2 = unit("BD2", Kind.DISTRICT, p)
                g1 = unit("BG1", Kind.GRASSROOTS_COMMITTEE, d1)
                c1 = unit("BC1", Kind.SUBORDINATE_CELL, g1)
                g2 = unit("BG2", Kind.GRASSROOTS_CELL, d1)
                m = admit(g2, "2005-03-01")
                event(m, EventKind.OFFICIAL)
                event(m, EventKind.TRANSFER, "2016-01-01", c1)
                # A stint of the moved cell ending after the day, one coming from it after the
                # day, and one ending on the day by a change of status (same cell).
                event(m, EventKind.TRANSFER, "2018-01-01", g2)
                m2 = admit(c1, "2013-01-01")
                event(m2, EventKind.OFFICIAL, "2014-01-01")
                orgs.unit_move(actor=SYSTEM, unit=g1, new_parent=d2, date=d("2014-01-01"))
            outcome = engine.play(SYSTEM, changes)
            assert not outcome.problems
            return _by_code(_ledger())

    class Undo(Exception):
        pass

    reference_ledger, every = None, []
    try:
        with transaction.atomic():
            with monkeypatch.context() as patched:
                patched.setattr(
                    ledger,
                    "_stints_reaching",
                    lambda since: every.append(rows := _every_stint_naming(since)) or rows,
                )
                reference_ledger = play()
            raise Undo
    except Undo:
        pass
    assert reference_ledger and reference_ledger[0]
    reads = []
    original = ledger._stints_reaching
    monkeypatch.setattr(
        ledger, "_stints_reaching", lambda since: reads.append(rows := original(since)) or rows
    )
    assert play() == reference_ledger
    # The point of it: the mergers' stints (all ended on the day) are not read again.
    assert sum(map(len, reads)) < sum(map(len, every)) / 2
    maintain.rebuild_all()
    assert _by_code(_ledger()) == reference_ledger
