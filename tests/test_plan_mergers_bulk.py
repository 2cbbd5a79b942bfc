"""A day's mergers of a plan written at once (`restructure.services.unit_merge_many`, tried by
`restructure.plan._play_group`) against the same plan played one merger at a time: on generated
histories (transfers, exemptions, leaving, readmission, death, events after the day) and on the
generated province of the plan tests (villages, a change of kind, moves, dissolutions), the
same events, stints, ledger, checkpoints, name keys, audit records, versions and every figure
of every organization on every stint boundary; and when a merger is refused, the same problems
and the same registry (the group is halved down to one by one, so the refused merger is named
alone and the others still go in bulk)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from grassroots.audit.models import AuditRecord
from grassroots.members.models import EventKind, MemberEvent
from grassroots.organizations.models import Kind, Unit
from grassroots.restructure import plan as engine
from grassroots.restructure import services as restructure

from . import plan_world as world
from .factories import SYSTEM, admit, event
from .test_members_bulk import DAY, build, state

pytestmark = pytest.mark.django_db


def histories_plan() -> list[engine.Change]:
    """Every commune cell of the generated district merged into two new cells, and the đảng bộ
    P-Q (its chi bộ P-Q1 moves with it) into a new đảng bộ, in no particular order (P-A before
    P-C: `tangle`)."""
    est = [
        engine.Change("establish", "P-N1", DAY, name="Xã mới 1", kind=Kind.GRASSROOTS_CELL),
        engine.Change("establish", "P-N2", DAY, name="Xã mới 2", kind=Kind.GRASSROOTS_CELL),
        engine.Change("establish", "P-G", DAY, name="Đảng bộ mới", kind=Kind.GRASSROOTS_COMMITTEE),
    ]
    for c in est:
        c.parent, c.grassroots_type = "P-D", "commune"
    merges = [
        engine.Change("merge", code, DAY, target=target)
        for code, target in [
            ("P-Q", "P-G"),
            ("P-A", "P-N1"),
            ("P-C", "P-N2"),
            ("P-B", "P-N1"),
            ("P-K", "P-N2"),
        ]
    ]
    return [*merges[:2], *est, *merges[2:]]


def tangle() -> None:
    """A member of P-C transferred into P-A after the day: one merger at a time refuses P-C's
    merger once P-A has ended (P-A's comes first); all at once must refuse it too."""
    units = {u.code: u for u in Unit.objects.filter(code__in=["P-A", "P-C"])}
    member = admit(units["P-C"], "2010-03-01", profile_number="999999BK")
    event(member, EventKind.TRANSFER, (DAY + dt.timedelta(days=10)).isoformat(), units["P-A"])


def audit(audit_from: int) -> list:
    """The audit records written, units named by code in every record's changes (a village's
    move too: on PostgreSQL the two runs' new units get different ids)."""
    code = dict(Unit.objects.values_list("pk", "code"))
    out = []
    for r in AuditRecord.objects.filter(pk__gt=audit_from):
        changes = dict(r.changes)
        if "unit" in changes:
            changes["unit"] = [code.get(int(v)) if v else v for v in changes["unit"]]
        label = r.object_label if r.object_type == "memberevent" else r.object_type
        out.append((r.object_type, r.action, label, repr(sorted(changes.items()))))
    return sorted(out)


class _Undo(Exception):
    pass


def play(monkeypatch, changes, *, bulk: bool):
    """The plan played and rolled back: its problems, how many changes went, the registry, and
    how many mergers each bulk write took."""
    audit_from = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    writes: list[int] = []
    original = restructure.unit_merge_many
    with monkeypatch.context() as patched:
        if bulk:
            patched.setattr(
                restructure,
                "unit_merge_many",
                lambda **kw: writes.append(len(kw["mergers"])) or original(**kw),
            )
        else:  # the path before: every merger alone
            patched.setattr(engine, "_merge_group", lambda pending, i: [])
        try:
            with transaction.atomic():
                outcome = engine.play(SYSTEM, changes())
                out = (
                    [p.as_json() for p in outcome.problems],
                    len(outcome.applied),
                    {**state(audit_from), "audit": audit(audit_from)},
                )
                raise _Undo
        except _Undo:
            pass
    return out, writes


def assert_same(fast, slow) -> None:
    assert fast[0] == slow[0]  # problems
    assert fast[1] == slow[1]  # changes applied
    for key in slow[2]:
        assert fast[2][key] == slow[2][key], key


@pytest.mark.parametrize("seed", [1, 2])
def test_mergers_at_once_equal_one_by_one_on_generated_histories(monkeypatch, seed):
    build(seed, n=40)
    before = MemberEvent.objects.count()
    slow, _ = play(monkeypatch, lambda: histories_plan(), bulk=False)
    fast, writes = play(monkeypatch, lambda: histories_plan(), bulk=True)
    assert MemberEvent.objects.count() == before  # both rolled back
    assert fast[0] == [] and writes == [5]  # the five mergers in one write
    moved = [e for e in fast[2]["events"] if e[1] == EventKind.RESTRUCTURE]
    assert len(moved) >= 10 and any(e[2] > DAY for e in fast[2]["events"])
    assert_same(fast, slow)


def test_a_refused_merger_is_named_alone_and_the_rest_go_in_bulk(monkeypatch):
    build(1, n=40)
    tangle()
    slow, _ = play(monkeypatch, lambda: histories_plan(), bulk=False)
    fast, writes = play(monkeypatch, lambda: histories_plan(), bulk=True)
    assert [p["change"] for p in fast[0]] == ["Sáp nhập P-C vào P-N2"]
    assert "999999BK" in fast[0][0]["message"]  # P-A no longer exists on the transfer's day
    assert writes[0] == 5 and 2 in writes  # tried whole, then the half without P-C at once
    assert_same(fast, slow)


def test_mergers_at_once_equal_one_by_one_on_the_plan_province(monkeypatch):
    """The plan tests' province: villages move with their communes, a commune grows into a đảng
    bộ, communes move, districts are dissolved after their communes were merged away."""
    world.build()

    def changes():
        return [engine.Change(date=world.DAY, **r) for r in world.reorganization()]

    slow, _ = play(monkeypatch, changes, bulk=False)
    fast, writes = play(monkeypatch, changes, bulk=True)
    assert fast[0] == [] and writes == [9]
    assert_same(fast, slow)
