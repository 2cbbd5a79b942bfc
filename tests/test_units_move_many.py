"""A day's moves of organizations written at once (`organizations.services.units_move_many`,
used by a plan's mergers, a merger and a split for the merged units' sub-organizations) against
the same moves made one `unit_move` at a time: on generated histories (members transferred
across the moved cells and provinces, events after the day), the same versions, closure,
decisions, unit versions, audit records, events, stints, ledger, checkpoints, name keys and
every figure of every organization on every boundary; moves whose order matters are made one by
one; and a refused move gives `unit_move`'s message and writes nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord, Source
from grassroots.audit.services import Actor
from grassroots.members.models import EventKind
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit, UnitAncestry, UnitChange, UnitVersion
from grassroots.restructure import plan as engine
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, unit
from .test_members_bulk import DAY, _day, record_or_skip, state

pytestmark = pytest.mark.django_db

DECISION = orgs.Decision("25-QĐ/TU", dt.date(2025, 6, 20), "Tỉnh ủy")


def build(seed: int) -> None:
    """Two provinces; đảng bộ with chi bộ; members with random histories across all the cells
    (the services refuse impossible events; those are skipped), some after DAY. C13 is renamed
    on DAY (its version starts on the day), C14 after it (a later version)."""
    rng = random.Random(seed)
    p, r = unit("P", Kind.PROVINCE), unit("R", Kind.PROVINCE)
    pd, pe, rd = (
        unit("P-D", Kind.DISTRICT, p),
        unit("P-E", Kind.DISTRICT, p),
        unit("R-D", Kind.DISTRICT, r),
    )
    committees = {
        "G1": unit("G1", Kind.GRASSROOTS_COMMITTEE, pd),
        "G2": unit("G2", Kind.GRASSROOTS_COMMITTEE, pd),
        "G3": unit("G3", Kind.GRASSROOTS_COMMITTEE, rd),
        "G4": unit("G4", Kind.GRASSROOTS_COMMITTEE, pd),
    }
    cells = [
        unit(f"C{g[1]}{i}", Kind.SUBORDINATE_CELL, committees[g])
        for g, count in (("G1", 4), ("G2", 1), ("G3", 2), ("G4", 1))
        for i in range(1, count + 1)
    ]
    unit("T1", Kind.GRASSROOTS_CELL, pe)
    orgs.unit_rename(actor=SYSTEM, unit=_u("C13"), name="Chi bộ 13 mới", date=DAY)
    orgs.unit_rename(actor=SYSTEM, unit=_u("C14"), name="Chi bộ 14 mới", date=dt.date(2026, 3, 1))
    for i in range(40):
        member = admit(
            rng.choice(cells),
            _day(rng, dt.date(2000, 1, 1), dt.date(2020, 1, 1)).isoformat(),
            profile_number=f"{i:06d}MV",
        )
        day = member.events.get().date
        for _ in range(rng.randrange(5)):
            day = _day(rng, day + dt.timedelta(days=1), day + dt.timedelta(days=2500))
            if day >= dt.date(2026, 6, 1):
                break
            kind = rng.choice(
                [EventKind.OFFICIAL, EventKind.TRANSFER, EventKind.TRANSFER, EventKind.LEAVING]
            )
            record_or_skip(
                member,
                kind,
                None if kind == EventKind.OFFICIAL else day,
                rng.choice(cells) if kind == EventKind.TRANSFER else None,
            )


def _u(code: str) -> Unit:
    return Unit.objects.get(code=code)


def moves() -> list[orgs.Move]:
    """Chi bộ to another đảng bộ in the district and to another province, one whose version
    starts on the day, one with a later version, and a đảng bộ with its chi bộ to another
    district."""
    return [
        orgs.Move(_u(code), _u(parent), DECISION, f"Chuyển {code}")
        for code, parent in (
            ("C11", "G2"),
            ("C12", "G2"),
            ("C13", "G3"),
            ("C14", "G3"),
            ("C31", "G1"),
            ("G4", "P-E"),
        )
    ]


def tree() -> dict:
    """The tree's own rows, by code (ids differ between two runs on PostgreSQL)."""
    code = dict(Unit.objects.values_list("pk", "code"))
    code[None] = None
    fields = ("valid_from", "valid_to", "name", "kind", "grassroots_type")
    return {
        "versions": sorted(
            (code[v.unit_id], code[v.parent_id], *(getattr(v, f) or dt.date.max for f in fields))
            for v in UnitVersion.objects.all()
        ),
        "closure": sorted(
            (code[a.ancestor_id], code[a.descendant_id], a.valid_from, a.valid_to or dt.date.max)
            for a in UnitAncestry.objects.all()
        ),
        "changes": sorted(
            (code[c.unit_id], c.action, c.date, c.decision_number, c.decision_date, c.issuing_body)
            + (c.note, repr(c.details), tuple(sorted(code[u.pk] for u in c.related_units.all())))
            for c in UnitChange.objects.all()
        ),
        "unit_versions": sorted(Unit.objects.values_list("code", "version", "ended")),
        "labels": sorted(
            AuditRecord.objects.filter(object_type="unit").values_list(
                "object_label", "action", "reason", "source", "actor_name", "address"
            )
        ),
    }


class _Undo(Exception):
    pass


def play(write) -> tuple[dict, dict, dict]:
    """What `write` leaves (its result too), rolled back."""
    audit_from = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        with transaction.atomic():
            result = write()
            out = state(audit_from), tree(), {"result": result}
            raise _Undo
    except _Undo:
        pass
    return out


def counted(monkeypatch, owner, name: str) -> list[int]:
    """Calls of owner.name from now on, each as the size of its first list (moves, unit ids)."""
    calls: list[int] = []
    original = getattr(owner, name)

    def spy(*args, **kwargs):
        calls.append(len(list(kwargs.get("moves") or args[-1])))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return calls


def one_by_one(ms: list[orgs.Move], actor=SYSTEM) -> None:
    for m in ms:
        orgs.unit_move(
            actor=actor,
            unit=m.unit,
            new_parent=m.new_parent,
            date=DAY,
            decision=m.decision,
            note=m.note,
        )


def assert_same(fast, slow) -> None:
    for part in range(3):
        for key in slow[part]:
            assert fast[part][key] == slow[part][key], key


@pytest.mark.parametrize("seed", [1, 2])
def test_moves_at_once_equal_one_by_one(monkeypatch, seed):
    build(seed)
    slow = play(lambda: one_by_one(moves()))
    taken = counted(monkeypatch, orgs.TreeSnapshot, "take")
    fast = play(lambda: orgs.units_move_many(actor=SYSTEM, moves=moves(), date=DAY))
    assert taken == [6]  # one tree refresh for the six moves
    assert sum(1 for e in fast[0]["stints"] if e[2] <= DAY < e[3] and e[1] in ("C11", "C12")) > 0
    assert sum(1 for c in fast[1]["changes"] if c[1] == "move" and c[2] == DAY) == 6
    assert_same(fast, slow)


def test_moves_whose_order_matters_are_made_one_by_one(monkeypatch):
    """G4 moves to P-E and its chi bộ C41 to G1: C41 lies under a moved unit (the tree refresh
    of one would read the other's old shape), so each is made as `unit_move` makes it."""
    build(1)

    def ordered():
        return [orgs.Move(_u("G4"), _u("P-E")), orgs.Move(_u("C41"), _u("G1"), DECISION)]

    slow = play(lambda: one_by_one(ordered()))
    taken = counted(monkeypatch, orgs.TreeSnapshot, "take")
    fast = play(lambda: orgs.units_move_many(actor=SYSTEM, moves=ordered(), date=DAY))
    assert taken == [1, 1]  # one by one
    assert_same(fast, slow)


@pytest.mark.parametrize(
    "code, parent, message",
    [
        ("C12", "G1", "C12 đã trực thuộc G1."),
        ("C12", "P-E", "không thể trực thuộc"),  # a chi bộ under a district
        ("T1", "G2", "không thể trực thuộc"),  # a chi bộ cơ sở under a đảng bộ cơ sở
        ("G1", "G1", "không thể trực thuộc chính nó"),
    ],
)
def test_a_refused_move_gives_unit_moves_message_and_writes_nothing(code, parent, message):
    build(1)
    before = tree()
    bad = orgs.Move(_u(code), _u(parent))
    ms = [m for m in moves() if m.unit.code != code]
    ms = [*ms[:2], bad, *ms[2:]]
    with pytest.raises(ValidationError) as slow:
        with transaction.atomic():
            one_by_one(ms)
    with pytest.raises(ValidationError) as fast:
        orgs.units_move_many(actor=SYSTEM, moves=ms, date=DAY)
    assert message in str(fast.value)
    assert fast.value.messages == slow.value.messages
    assert tree() == before


def test_a_merger_moves_its_sub_organizations_only_where_they_may_stand():
    """A merged đảng bộ's chi bộ move under the target (one write); into a chi bộ cơ sở they may
    not go, and the merger is refused naming the target, nothing written."""
    build(1)
    before = tree()
    with pytest.raises(ValidationError, match=r"không thể trực thuộc chi bộ cơ sở \(T1\)"):
        restructure.unit_merge(actor=SYSTEM, sources=[_u("G1")], target=_u("T1"), date=DAY)
    assert tree() == before
    restructure.unit_merge(actor=SYSTEM, sources=[_u("G1")], target=_u("G2"), date=DAY)
    moved = UnitVersion.objects.filter(valid_from=DAY, parent__code="G2").values_list(
        "unit__code", flat=True
    )
    assert sorted(moved) == ["C11", "C12", "C13", "C14"]
    assert _u("G1").ended == DAY


def test_a_plans_moves_go_at_once_and_a_refused_one_is_named_alone(monkeypatch):
    """A plan's moves of one day are tried as one `units_move_many`; one refused move (a chi
    bộ cơ sở under a đảng bộ cơ sở) sends the group through the halving, and the outcome is that
    of playing every move alone: the same problems, the same registry."""
    build(1)

    def changes():
        rows = [("C11", "G2"), ("C12", "G2"), ("T1", "G2"), ("C13", "G3"), ("C14", "G3")]
        rows += [("C31", "G1"), ("G4", "P-E")]
        return [engine.Change("move", code, DAY, parent=parent) for code, parent in rows]

    def played():
        outcome = engine.play(SYSTEM, changes())
        return [p.as_json() for p in outcome.problems], len(outcome.applied)

    with monkeypatch.context() as patched:
        patched.setattr(engine, "_unit_move_group", lambda pending, i: [])
        slow = play(lambda: played())
    writes = counted(monkeypatch, orgs, "units_move_many")
    fast = play(lambda: played())
    assert writes[0] == 7 and 3 in writes  # the whole, then the half without T1 at once
    assert_same(fast, slow)


def test_a_plans_moves_are_written_at_most_group_max_at_once(monkeypatch):
    build(1)
    writes = counted(monkeypatch, orgs, "units_move_many")
    monkeypatch.setattr(engine, "GROUP_MAX", 4)
    changes = [engine.Change("move", m.unit.code, DAY, parent=m.new_parent.code) for m in moves()]
    outcome = engine.play(SYSTEM, changes)
    assert outcome.problems == [] and len(outcome.applied) == 6
    assert writes == [4, 2]


def test_a_district_approver_moves_inside_the_district_and_is_refused_outside():
    """The scope's periods of all moved units are read at once (`access.write_periods`): the
    same writes inside the scope, the same refusal for a new parent in another province."""
    build(1)
    user = User.objects.create_user("duyet_pd", password="x", scope=_u("P-D"), role=Role.APPROVER)
    actor = Actor(user, Source.UI)

    def inside():
        return [orgs.Move(_u("C11"), _u("G2")), orgs.Move(_u("C12"), _u("G2"), DECISION)]

    slow = play(lambda: one_by_one(inside(), actor))
    fast = play(lambda: orgs.units_move_many(actor=actor, moves=inside(), date=DAY))
    moved = [r for r in fast[1]["labels"] if r[1] == "move"]
    assert len(moved) == 2 and all(r[3:5] == ("ui", "duyet_pd") for r in moved)
    assert_same(fast, slow)
    before = tree()
    outside = [*inside(), orgs.Move(_u("C13"), _u("G3"))]
    with pytest.raises(PermissionDenied) as slow_refusal:
        with transaction.atomic():
            one_by_one(outside, actor)
    with pytest.raises(PermissionDenied) as fast_refusal:
        orgs.units_move_many(actor=actor, moves=outside, date=DAY)
    assert str(fast_refusal.value) == str(slow_refusal.value)
    assert tree() == before
