"""The bulk member move of a restructure (members.services.members_restructure) against the
one-by-one path it replaced (member_record_event per member): on seeded generated histories,
a merger, a split and a change of kind leave exactly the same registry (events, stints, ledger,
checkpoints, name keys, audit, every figure of every unit on every date that matters). And the
bulk move refuses, naming each member, what the one-by-one path refuses."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.audit.models import AuditRecord
from grassroots.core.rehearsal import rehearsal
from grassroots.figures.models import FigureCheckpoint, FigureDelta
from grassroots.figures.queries import figures
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member, MemberEvent, MemberNameKey, MemberStint
from grassroots.members.queries import revision
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, unit

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 7, 1)
BEFORE = ["P-A", "P-B", "P-C", "P-K", "P-Q1"]  # cells a member may be in before DAY


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def build(seed: int, n: int = 30, moved_cells: bool = False) -> None:
    """A district of commune cells and a đảng bộ with one chi bộ; members with random histories
    (the services refuse impossible events; those are skipped), some with events after DAY.
    `moved_cells`: then P-C moves to a second district in 2015 (its members' stints lie under
    the first district until then, under the second after) and P-K in 2026, after DAY."""
    rng = random.Random(seed)
    p = unit("P", Kind.PROVINCE)
    d = unit("P-D", Kind.DISTRICT, p)
    cells = {c: unit(c, Kind.GRASSROOTS_CELL, d) for c in ["P-A", "P-B", "P-C", "P-K"]}
    q = unit("P-Q", Kind.GRASSROOTS_COMMITTEE, d)
    cells["P-Q1"] = unit("P-Q1", Kind.SUBORDINATE_CELL, q)
    for i in range(n):
        member = admit(
            cells[rng.choice(BEFORE[:4])],
            _day(rng, dt.date(2000, 1, 1), dt.date(2020, 1, 1)).isoformat(),
            profile_number=f"{i:06d}BK",
        )
        day = member.events.get().date
        for _ in range(rng.randrange(6)):
            day = _day(rng, day + dt.timedelta(days=1), day + dt.timedelta(days=2000))
            if day >= DAY:
                break
            kind = rng.choice(
                [
                    EventKind.OFFICIAL,
                    EventKind.TRANSFER,
                    EventKind.TRANSFER,
                    EventKind.EXEMPTION,
                    EventKind.EXEMPTION_END,
                    EventKind.LEAVING,
                    EventKind.READMISSION,
                    EventKind.DEATH,
                ]
            )
            unit_ = (
                cells[rng.choice(BEFORE)]
                if kind in (EventKind.TRANSFER, EventKind.READMISSION)
                else None
            )
            record_or_skip(member, kind, None if kind == EventKind.OFFICIAL else day, unit_)
        if rng.random() < 0.4:  # something after the day the cells are reorganized
            # (No status change after the day: a new stint of a member of P-K after the day
            # would stop its change of kind, for both paths alike.)
            kind = rng.choice([EventKind.TRANSFER, EventKind.LEAVING, EventKind.DEATH])
            record_or_skip(
                member,
                kind,
                _day(rng, DAY + dt.timedelta(days=1), dt.date(2026, 6, 1)),
                cells["P-Q1"] if kind == EventKind.TRANSFER else None,
            )
    if moved_cells:
        e = unit("P-E", Kind.DISTRICT, p)
        for code, day in (("P-C", dt.date(2015, 1, 1)), ("P-K", dt.date(2026, 1, 1))):
            orgs.unit_move(actor=SYSTEM, unit=cells[code], new_parent=e, date=day)


def record_or_skip(member, kind, day, unit_) -> None:
    """Record an event of a generated history; one the services refuse is skipped."""
    try:
        with transaction.atomic():
            members.member_record_event(
                actor=SYSTEM,
                member=Member.objects.get(pk=member.pk),
                kind=kind,
                date=day,
                unit=unit_,
                confirm_future=True,
            )
    except ValidationError:
        pass


def one_by_one(*, actor, moves, date, note="", confirm_future=False, **decision):
    """The path the bulk move replaced: one member_record_event per member, in id order."""
    return [
        members.member_record_event(
            actor=actor,
            member=Member.objects.get(pk=pk),
            kind=EventKind.RESTRUCTURE,
            date=date,
            unit=target,
            note=note,
            confirm_future=confirm_future,
            **decision,
        )
        for pk, target in sorted(moves.items())
    ]


def scenario() -> None:
    """A merger, a split (members dealt out by profile number) and a change of kind, one day."""
    units = {u.code: u for u in Unit.objects.all()}
    restructure.unit_merge(actor=SYSTEM, sources=[units["P-A"]], target=units["P-B"], date=DAY)
    numbers = dict(Member.objects.values_list("pk", "profile_number"))
    restructure.unit_split(
        actor=SYSTEM,
        unit=units["P-C"],
        parts=[
            restructure.SplitPart("P-C1", "Chi bộ C1", Kind.GRASSROOTS_CELL),
            restructure.SplitPart("P-C2", "Chi bộ C2", Kind.GRASSROOTS_CELL),
        ],
        date=DAY,
        assign={pk: "P-C2" for pk, number in numbers.items() if int(number[:6]) % 3 == 0},
    )
    restructure.unit_change_kind(
        actor=SYSTEM,
        unit=units["P-K"],
        kind=Kind.GRASSROOTS_COMMITTEE,
        date=DAY,
        new_cell_code="P-K1",
        new_cell_name="Chi bộ K1",
    )


def state(audit_from: int) -> dict:
    """The registry by codes and profile numbers (ids differ between two runs on PostgreSQL)."""
    code = dict(Unit.objects.values_list("pk", "code"))
    code[None] = None
    number = dict(Member.objects.values_list("pk", "profile_number"))
    events = sorted(
        (number[e.member_id], e.kind, e.date, code[e.unit_id], e.note, e.voided_at is None)
        for e in MemberEvent.objects.all()
    )
    stints = sorted(
        (number[s.member_id], code[s.unit_id], s.start, s.end or dt.date.max, s.status, s.exempt)
        + (s.start_reason, s.end_reason, str(code[s.came_from_id]), str(code[s.went_to_id]))
        + (s.recognized,)
        for s in MemberStint.objects.all()
    )
    columns = [f.name for f in FigureDelta._meta.fields if f.name not in ("id", "ancestor")]
    ledger = sorted(
        (code[r["ancestor_id"]], *(r[c] for c in columns))
        for r in FigureDelta.objects.values("ancestor_id", *columns)
        if any(r[c] for c in columns if c != "date")
    )
    columns = [f.name for f in FigureCheckpoint._meta.fields if f.name not in ("id", "ancestor")]
    checkpoints = sorted(
        (code[r["ancestor_id"]], *(r[c] for c in columns))
        for r in FigureCheckpoint.objects.values("ancestor_id", *columns)
        if any(r[c] for c in columns if c != "year")
    )
    names = sorted(
        (code[k.place_id], k.key, number[k.member_id]) for k in MemberNameKey.objects.all()
    )
    audit = []
    for r in AuditRecord.objects.filter(pk__gt=audit_from):
        changes = dict(r.changes)
        if r.object_type == "memberevent" and "unit" in changes:
            changes["unit"] = [code.get(int(v)) if v else v for v in changes["unit"]]
        label = r.object_label if r.object_type == "memberevent" else r.object_type
        audit.append((r.object_type, r.action, label, sorted(changes.items()).__repr__()))
    days = {DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1), dt.date(2026, 12, 31)}
    days |= {d for s in MemberStint.objects.values_list("start", "end") for d in s if d}
    figs = {
        (u.code, day): figures(u, day).as_json()
        for u in Unit.objects.all()
        for day in sorted(days)
        if day >= dt.date(2019, 1, 1)
    }
    versions = sorted((m.profile_number, revision(m)) for m in Member.objects.all())
    return {
        "events": events,
        "stints": stints,
        "ledger": ledger,
        "checkpoints": checkpoints,
        "names": names,
        "audit": sorted(audit),
        "figures": figs,
        "versions": versions,
    }


class _Rollback(Exception):
    pass


def run(monkeypatch, writer) -> dict:
    audit_from = AuditRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with monkeypatch.context() as patch:
        patch.setattr(restructure, "members_restructure", writer)
        try:
            with transaction.atomic():
                scenario()
                out = state(audit_from)
                raise _Rollback
        except _Rollback:
            pass
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_move_leaves_the_registry_of_the_one_by_one_path(monkeypatch, seed):
    # Seed 3: moved cells, so that the ledger of the plain moves, counted per group
    # (members._ledger_moves), meets ancestors that end before the day and begin after it.
    build(seed, n=40, moved_cells=seed == 3)
    before = MemberEvent.objects.count()
    slow = run(monkeypatch, one_by_one)
    # Both ways of the bulk move are taken: members written without replaying their history
    # (members._plain_moves) and members replayed (an event after the day, nobody counted).
    taken = {"plain": 0, "replayed": 0}
    plain_moves = members._plain_moves

    def counting(ids, *args):
        plain, checker = plain_moves(ids, *args)
        taken["plain"] += len(plain)
        taken["replayed"] += len(ids) - len(plain)
        return plain, checker

    monkeypatch.setattr(members, "_plain_moves", counting)
    fast = run(monkeypatch, members.members_restructure)
    assert taken["plain"] >= 3 and taken["replayed"] >= 3, taken
    assert MemberEvent.objects.count() == before  # both runs rolled back
    moved = [e for e in fast["events"] if e[1] == EventKind.RESTRUCTURE]
    assert len(moved) >= 10  # the generated histories leave members in every moved cell
    assert any(e[2] > DAY for e in fast["events"])  # and events after the move
    for key in slow:
        assert fast[key] == slow[key], key


def test_refused_member_who_left_before_the_day_is_named_and_nothing_written():
    p = unit("P", Kind.PROVINCE)
    a = unit("P-A", Kind.GRASSROOTS_CELL, p)
    b = unit("P-B", Kind.GRASSROOTS_CELL, p)
    stays = admit(a, "2010-01-01", profile_number="000001BK")
    gone = admit(a, "2010-01-01", profile_number="000002BK", full_name="Trần Thị Lan")
    members.member_record_event(
        actor=SYSTEM, member=gone, kind=EventKind.LEAVING, date=dt.date(2020, 3, 1)
    )
    events = MemberEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        members.members_restructure(
            actor=SYSTEM, moves={stays.pk: b, gone.pk: b}, date=DAY, confirm_future=True
        )
    text = " ".join(refused.value.messages)
    assert "Trần Thị Lan (000002BK)" in text and "01/03/2020" in text
    assert "000001BK" not in text
    assert MemberEvent.objects.count() == events
    assert not MemberStint.objects.filter(unit=b).exists()
    # The same member alone is accepted.
    members.members_restructure(actor=SYSTEM, moves={stays.pk: b}, date=DAY, confirm_future=True)
    assert MemberStint.objects.filter(unit=b, member=stays, start=DAY).exists()


def test_refused_target_that_cannot_hold_members():
    p = unit("P", Kind.PROVINCE)
    a = unit("P-A", Kind.GRASSROOTS_CELL, p)
    committee = unit("P-Q", Kind.GRASSROOTS_COMMITTEE, p)
    m = admit(a, "2010-01-01", profile_number="000001BK")
    with pytest.raises(ValidationError) as refused:
        members.members_restructure(
            actor=SYSTEM, moves={m.pk: committee}, date=DAY, confirm_future=True
        )
    # The lifecycle's own rule, naming the member.
    assert refused.value.messages == [
        f"{m.full_name} (000001BK): Đảng viên chỉ sinh hoạt ở chi bộ (chi bộ cơ sở hoặc chi bộ "
        "trực thuộc)."
    ]
    assert not MemberEvent.objects.filter(kind=EventKind.RESTRUCTURE).exists()


def test_refused_later_event_that_conflicts_with_the_move():
    """A member recorded as transferred out of the old cell after the day: the move would make
    that later transfer impossible (it leaves a cell the member is no longer in)."""
    p = unit("P", Kind.PROVINCE)
    a = unit("P-A", Kind.GRASSROOTS_CELL, p)
    b = unit("P-B", Kind.GRASSROOTS_CELL, p)
    m = admit(a, "2010-01-01", profile_number="000001BK")
    members.member_record_event(
        actor=SYSTEM, member=m, kind=EventKind.TRANSFER, date=dt.date(2026, 1, 1), unit=b
    )
    with pytest.raises(ValidationError):
        one_by_one(actor=SYSTEM, moves={m.pk: b}, date=DAY, confirm_future=True)
    with pytest.raises(ValidationError) as refused:
        members.members_restructure(actor=SYSTEM, moves={m.pk: b}, date=DAY, confirm_future=True)
    assert "000001BK" in " ".join(refused.value.messages)


def test_refused_future_day_without_confirmation():
    p = unit("P", Kind.PROVINCE)
    a = unit("P-A", Kind.GRASSROOTS_CELL, p)
    b = unit("P-B", Kind.GRASSROOTS_CELL, p)
    m = admit(a, "2010-01-01", profile_number="000001BK")
    with pytest.raises(ValidationError):
        members.members_restructure(actor=SYSTEM, moves={m.pk: b}, date=dt.date(2035, 1, 1))


def test_a_move_writes_no_member_row_and_a_stale_copy_is_still_refused():
    """A plan's check and preview (core.rehearsal, rolled back) skip the audit records; no move
    writes the member's row at all (a province's restructure moves 170,000 members: the
    versions' UPDATE was its largest cost that grew with the country, docs/performance.md
    "Session 14"); the new event moves the member's revision (members.queries.revision), so a
    form opened before the move is refused after it."""
    p = unit("P", Kind.PROVINCE)
    a = unit("P-A", Kind.GRASSROOTS_CELL, p)
    b = unit("P-B", Kind.GRASSROOTS_CELL, p)
    m = admit(a, "2010-01-01", profile_number="000001BK")
    before, records = Member.objects.get(pk=m.pk), AuditRecord.objects.count()
    opened = revision(before)
    with rehearsal():
        members.members_restructure(actor=SYSTEM, moves={m.pk: b}, date=DAY, confirm_future=True)
    assert AuditRecord.objects.count() == records
    assert MemberStint.objects.filter(member=m, unit=b, start=DAY).exists()
    members.members_restructure(
        actor=SYSTEM, moves={m.pk: a}, date=DAY + dt.timedelta(days=1), confirm_future=True
    )
    after = Member.objects.get(pk=m.pk)
    assert after.version == before.version  # the row is not written
    assert revision(after) == opened + 2  # the two moves' events
    assert AuditRecord.objects.count() == records + 1
    with pytest.raises(ValidationError, match="người khác"):
        members.member_update_profile(
            actor=SYSTEM, member=after, expected_version=opened, residence="Thôn Nam"
        )
    members.member_update_profile(
        actor=SYSTEM, member=after, expected_version=opened + 2, residence="Thôn Nam"
    )


def _keys() -> set[tuple[int, str, int]]:
    return set(MemberNameKey.objects.values_list("place_id", "key", "member_id"))


@pytest.mark.parametrize("later_move", [False, True])
def test_the_keys_of_plain_moves_are_written_from_the_move_and_equal_a_rebuild(
    monkeypatch, later_move
):
    # Plain moves (members._plain_moves) get their name keys from the move itself
    # (derived.name_index.refresh_moves), without the full recompute (`refresh`), unless a place
    # of the old cell may go: here P-X moves to the second district in 2027, so its members
    # moved to P-Y on DAY lose that place (left to `refresh`). `later_move`: after the moves, in
    # the same transaction, the receiving cell P-C moves to the first district (TreeSnapshot
    # re-keys its members). Either way the keys equal a full rebuild's.
    from grassroots.derived import name_index

    p = unit("P", Kind.PROVINCE)
    d1, d2 = unit("P-D1", Kind.DISTRICT, p), unit("P-D2", Kind.DISTRICT, p)
    a, b = unit("P-A", Kind.GRASSROOTS_CELL, d1), unit("P-B", Kind.GRASSROOTS_CELL, d1)
    c = unit("P-C", Kind.GRASSROOTS_CELL, d2)
    x, y = unit("P-X", Kind.GRASSROOTS_CELL, d1), unit("P-Y", Kind.GRASSROOTS_CELL, d1)
    in_a = [admit(a, "2010-03-01", profile_number=f"{i:06d}NA").pk for i in range(3)]
    in_b = [admit(b, "2011-03-01", profile_number=f"{i:06d}NB").pk for i in range(3)]
    in_x = [admit(x, "2012-03-01", profile_number=f"{i:06d}NX").pk for i in range(2)]
    orgs.unit_move(actor=SYSTEM, unit=x, new_parent=d2, date=dt.date(2027, 1, 1))
    recomputed: set[int] = set()
    original = name_index.refresh

    def recording(member_ids):
        member_ids = list(member_ids)
        recomputed.update(member_ids)
        original(member_ids)

    monkeypatch.setattr(name_index, "refresh", recording)
    with transaction.atomic():
        early = DAY - dt.timedelta(days=90)  # (a second move on the same day is not plain)
        restructure.unit_merge(actor=SYSTEM, sources=[a], target=b, date=early)  # same place
        restructure.unit_merge(actor=SYSTEM, sources=[b], target=c, date=DAY)  # P-D1 → P-D2
        assert not recomputed  # neither move re-read a member's stints
        assert {pl for pl, _, m in _keys() if m in in_a + in_b} == {d1.pk, d2.pk}
        members.members_restructure(actor=SYSTEM, moves={pk: y for pk in in_x}, date=DAY)
        assert recomputed == set(in_x)  # P-D2 may go: the full recompute decides
        if later_move:
            orgs.unit_move(actor=SYSTEM, unit=Unit.objects.get(code="P-C"), new_parent=d1,
                           date=DAY + dt.timedelta(days=30))  # fmt: skip
            assert set(in_a + in_b) <= recomputed
    kept = _keys()
    assert len(kept) > 0
    monkeypatch.setattr(name_index, "refresh", original)
    name_index.rebuild()
    assert kept == _keys()
