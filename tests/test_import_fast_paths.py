"""The fast paths of big imports (issue 5 §3) write exactly what the plain paths write."""

import gc

import pytest
from django.db import connection

from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec, StintSpec
from grassroots.derived.ledger import rebuild
from grassroots.excel.importer import _gc_paused
from grassroots.figures.models import LEDGER_FIELDS, FigureDelta
from grassroots.members import lifecycle
from grassroots.members.models import EventKind, MemberStint
from grassroots.organizations.models import Unit

from .factories import d
from .reference import fast, reference
from .test_bulkload import _tree

pytestmark = pytest.mark.django_db

MEMBER_TABLES = ("members_member", "members_memberevent", "members_memberstint")


def _events(i: int) -> list[EventSpec]:
    events = [
        EventSpec(EventKind.ADMISSION, d(f"200{i}-05-01"), "G", decision_date=d(f"200{i}-04-20")),
        EventSpec(EventKind.OFFICIAL, d(f"200{i + 1}-05-01")),
    ]
    if i % 2:
        events.append(EventSpec(EventKind.TRANSFER, d("2010-01-01"), "H"))
    if i == 2:
        events.append(EventSpec(EventKind.DEATH, d("2026-01-01")))
    return events


def _profile(i: int) -> dict:
    return {
        "full_name": f"Lê Thị {i}",
        "gender": "F",
        "birth_date": d("1980-01-01"),
        "profile_number": f"{i:06d}LS",
    }


def _stint_specs(events: list[EventSpec]) -> list[StintSpec]:
    """What the Excel import hands the loader: stints derived with units as codes."""
    evs = [
        lifecycle.Ev(e.kind, e.date, e.unit, e.decision_date, e.discipline_form, i)
        for i, e in enumerate(events)
    ]
    return [StintSpec.of(stint) for stint in lifecycle.derive_stints(evs)]


def _stints(profile_number: str) -> list[tuple]:
    return list(
        MemberStint.objects.filter(member__profile_number=profile_number)
        .order_by("start")
        .values_list(
            "unit__code",
            "start",
            "end",
            "status",
            "exempt",
            "start_reason",
            "end_reason",
            "came_from__code",
            "went_to__code",
            "recognized",
        )
    )


def _ledger() -> list[tuple]:
    return list(
        FigureDelta.objects.order_by("ancestor_id", "date").values_list(
            "ancestor_id", "date", *LEDGER_FIELDS
        )
    )


def _indexes() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN (%s, %s, %s)",
            MEMBER_TABLES,
        )
        return set(cursor.fetchall())


def test_precomputed_stints_are_written_like_derived_ones():
    loader = BulkLoader(batch_size=3)
    _tree(loader)
    for i in range(4):
        loader.add_member(MemberSpec(_profile(i), _events(i)))  # the loader derives
        twin = {**_profile(i), "profile_number": f"{i:06d}HN"}
        loader.add_member(MemberSpec(twin, _events(i), _stint_specs(_events(i))))
    loader.finish()
    for i in range(4):
        assert _stints(f"{i:06d}LS") == _stints(f"{i:06d}HN") != []


def test_member_ids_follow_the_order_members_were_added():
    loader = BulkLoader(batch_size=2)
    _tree(loader)
    for i in (3, 0, 2, 1):
        loader.add_member(MemberSpec(_profile(i), _events(i)))
    loader.finish()
    from grassroots.members.models import Member

    numbers = dict(Member.objects.values_list("pk", "profile_number"))
    assert [numbers[pk] for pk in loader.member_ids] == [f"{i:06d}LS" for i in (3, 0, 2, 1)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_load_defers_indexes_and_builds_them_again():
    before = _indexes()
    assert before
    loader = BulkLoader(batch_size=2, expected_members=5)
    _tree(loader)
    for i in range(5):
        loader.add_member(MemberSpec(_profile(i), _events(i)))
    loader.flush()
    assert _indexes() == set()  # dropped for the load...
    loader.finish()
    assert _indexes() == before  # ...and the same ones built again
    for code in "PDGH":
        unit = Unit.objects.get(code=code)
        for at in (d("2005-01-01"), d("2025-07-01"), d("2026-06-01")):
            assert fast(unit, at) == reference(unit, at)


def test_sqlite_keeps_indexes_when_the_tables_are_bigger_than_the_load():
    loader = BulkLoader(batch_size=2)
    _tree(loader)
    for i in range(4):
        loader.add_member(MemberSpec(_profile(i), _events(i)))
    loader.finish()
    if connection.vendor != "sqlite":
        return
    before = _indexes()
    loader = BulkLoader(batch_size=2, expected_members=1)
    loader.add_member(MemberSpec(_profile(7), _events(7)))
    loader.flush()
    assert _indexes() == before
    loader.finish()


def test_full_rebuild_direct_and_staged_give_the_same_ledger():
    loader = BulkLoader(batch_size=2)
    _tree(loader)
    for i in range(5):
        loader.add_member(MemberSpec(_profile(i), _events(i)))
    loader.finish()
    direct = _ledger()  # 4 units: one batch, written straight into the ledger
    rebuild(None, batch_units=1)  # one unit per batch, through the staging table
    assert _ledger() == direct
    top = Unit.objects.get(code="P").pk
    rebuild([top])
    assert _ledger() == direct


def test_gc_pause_is_counted_and_restored():
    assert gc.isenabled()
    with _gc_paused():
        assert not gc.isenabled()
        with _gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
