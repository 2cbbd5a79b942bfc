"""The meeting figures against a slow, obviously-right reference on generated data: a year of
meetings with random absences in a small tree where a cell changes commune mid-year.

The reference walks the tree through `UnitVersion.parent` on each meeting's date
(tests/reference.subtree: no closure), replays every member's events with
`lifecycle.final_state` for the expected list, and counts meetings, months and marks in Python.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from collections import defaultdict

import pytest
from django.core.management import call_command

from grassroots.figures.models import MEETING_MONTH_FIELDS, MeetingMonth
from grassroots.meetings import quality, queries, rollup, rules
from grassroots.meetings.models import Attendance, Meeting, MeetingKind, QualityScore, Role
from grassroots.meetings.services import (
    TRACKS_ATTENDANCE,
    attendance_mark,
    meeting_record,
    meeting_update,
    meeting_void,
    minutes_approve,
    minutes_correct,
    quality_record,
)
from grassroots.members import lifecycle
from grassroots.members.models import EventKind, Member, MemberEvent, Status
from grassroots.members.services import as_ev
from grassroots.organizations import services as orgs
from grassroots.organizations.models import MEMBER_KINDS, Kind, UnitVersion

from . import test_meetings_ancestor_rollup as ancestor_rollup
from .factories import SYSTEM, admit, d, event, unit
from .reference import subtree

pytestmark = pytest.mark.django_db
T = dt.time


def _build(seed: int = 14):
    rng = random.Random(seed)
    P = unit("P", Kind.PROVINCE)
    D1 = unit("D1", Kind.DISTRICT, P)
    D2 = unit("D2", Kind.DISTRICT, P)
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1)
    G2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, D2)
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, g) for i, g in enumerate([G1, G1, G2], 1)]
    people = []
    for i in range(15):
        m = admit(cells[i % 3], f"20{10 + i % 9:02d}-03-01", full_name=f"Người {i:02d}")
        if i % 4:
            event(m, EventKind.OFFICIAL)
        people.append(m)
    event(people[3], EventKind.EXEMPTION, "2019-02-01")
    event(people[4], EventKind.TEMP_ATTACH, "2019-03-01", unit=cells[2])
    event(people[4], EventKind.TEMP_RETURN, "2019-09-01")
    event(people[5], EventKind.TRANSFER, "2019-05-10", unit=cells[0])
    # The restructured tree: cell C2 moves from commune G1 (district D1) to G2 (D2) on 1/7.
    orgs.unit_move(actor=SYSTEM, unit=cells[1], new_parent=G2, date=d("2019-07-01"))
    for cell in cells:
        for month in range(1, 13):
            if rng.random() < 0.15:
                continue  # a missed month
            day = dt.date(2019, month, rng.randint(1, 28))
            people_then = queries.expected_list(cell, day)
            marks = {}
            for p in people_then:
                roll = rng.random()
                if p.expected and roll < 0.25:
                    marks[p.member_id] = "unexcused" if roll < 0.15 else ("excused", "Ốm")
                elif not p.expected and roll < 0.3:
                    marks[p.member_id] = "present"
            thematic = rng.random() < 0.2
            meeting_record(
                actor=SYSTEM, unit=cell, kind=MeetingKind.REGULAR, date=day, start=T(8),
                end=T(9, rng.choice([0, 30, 45])), with_thematic=thematic, marks=marks,
                today=dt.date(2019, 12, 31),
            )  # fmt: skip
            if thematic and rng.random() < 0.5:
                meeting_record(
                    actor=SYSTEM, unit=cell, kind=MeetingKind.THEMATIC, date=day, start=T(14),
                    end=T(16), today=dt.date(2019, 12, 31),
                )  # fmt: skip
            if rng.random() < 0.6:  # an optional self-assessment sheet for the month
                points = {c.key: rng.randint(0, c.points) for c in quality.sheet_on(day).criteria}
                quality_record(
                    actor=SYSTEM, unit=cell, year=2019, month=month, scores=points,
                    today=dt.date(2019, 12, 31),
                )  # fmt: skip
    _change_recorded_meetings(rng)
    # A backdated restructure after the meetings were recorded, in the middle of a month: C3
    # moves from G2 (D2) to G1 (D1) on 15/10, so October's meetings of C3 count for D2 before
    # the 15th and for D1 from it (the rollup's month row must not be used whole for either).
    orgs.unit_move(actor=SYSTEM, unit=cells[2], new_parent=G1, date=d("2019-10-15"))
    for day, start in ((d("2019-10-08"), T(7)), (d("2019-10-22"), T(7))):
        meeting_record(
            actor=SYSTEM, unit=cells[2], kind=MeetingKind.EXTRAORDINARY, date=day, start=start,
            end=T(8), marks={}, today=dt.date(2019, 12, 31),
        )  # fmt: skip
    return {"P": P, "D1": D1, "D2": D2, "G1": G1, "G2": G2, "cells": cells}


def _change_recorded_meetings(rng) -> None:
    """What happens to meetings after they are recorded, each through its service: minutes
    approved then corrected (the duration, so the "short" flag, changes), drafts edited and
    re-marked, meetings voided. The rollup must follow every one of them."""
    meetings = list(Meeting.objects.order_by("pk"))
    for i, m in enumerate(meetings):
        if i % 7 == 0:
            meeting_void(actor=SYSTEM, meeting=m, reason="Nhập nhầm")
        elif i % 5 == 0:
            m = minutes_approve(actor=SYSTEM, meeting=m)
            minutes_correct(
                actor=SYSTEM, meeting=m, reason="Ghi sai giờ kết thúc",
                end=T(10, 30) if m.duration < 90 else T(8, 45),
            )  # fmt: skip
        elif i % 5 == 1:
            meeting_update(actor=SYSTEM, meeting=m, end=T(9, 50), documents_posted_on=None,
                           today=dt.date(2019, 12, 31))  # fmt: skip
        elif i % 5 == 2 and m.kind == MeetingKind.REGULAR:
            people = [p for p in queries.expected_list(m.unit, m.date) if p.expected]
            attendance_mark(
                actor=SYSTEM, meeting=m,
                marks={p.member_id: "unexcused" for p in people if rng.random() < 0.4},
            )  # fmt: skip


def _ref_expected(cell_id: int, day: dt.date) -> dict[int, str]:
    """Replay every member's events: who the cell lists on `day` and as what."""
    out = {}
    for member in Member.objects.all():
        events = [as_ev(e) for e in MemberEvent.objects.filter(member=member, voided_at=None)]
        state = lifecycle.final_state([e for e in events if e.date <= day])
        if state.phase != "member" or state.unit_id is None:
            continue
        if state.unit_id == cell_id:
            if state.exempt:
                out[member.pk] = Role.EXEMPT
            elif state.temp_host not in (None, cell_id):
                out[member.pk] = Role.AWAY
            else:
                out[member.pk] = (
                    Role.OFFICIAL if state.status == Status.OFFICIAL else Role.PROBATIONARY
                )
        elif state.temp_host == cell_id:
            out[member.pk] = Role.ATTACHED
    return out


def _ref_summary(unit, since, until) -> dict:
    versions = list(UnitVersion.objects.all())
    meetings = [
        m
        for m in Meeting.objects.filter(voided_at=None, date__gte=since, date__lte=until)
        if unit.pk in _ancestors(m.unit_id, m.date, versions)
    ]
    tracked = [m for m in meetings if m.kind in TRACKS_ATTENDANCE]
    expected = sum(m.expected for m in tracked)
    present = sum(m.present for m in tracked)
    due = 0
    held = {(m.unit_id, m.date.month) for m in meetings if m.kind == MeetingKind.REGULAR}
    missed = 0
    for month in range(since.month, until.month + 1):
        last = min(dt.date(2019, month, 28) + dt.timedelta(days=4), dt.date(2020, 1, 1))
        last = last.replace(day=1) - dt.timedelta(days=1) if last.month != month else last
        last = min(last, until)
        alive = {
            v.unit_id
            for v in versions
            if v.valid_from <= last and (v.valid_to is None or last < v.valid_to)
            and v.kind in MEMBER_KINDS
        }  # fmt: skip
        cells = alive & subtree(unit.pk, last, versions)
        due += len(cells)
        missed += sum((c, month) not in held for c in cells)
    months = defaultdict(set)
    ids = {m.pk for m in meetings}
    for a in Attendance.objects.filter(mark="unexcused"):
        if a.meeting_id in ids:
            months[a.member_id].add(a.date.month)
    # The month's sheet counts where its cell lay on the month's first day.
    totals = [
        q.total
        for q in QualityScore.objects.filter(month__gte=since, month__lte=until)
        if unit.pk in _ancestors(q.unit_id, q.month, versions)
    ]
    short = late = 0
    for m in meetings:
        rule = rules.rules_on(m.date)
        minimum = rules.minimum_minutes(rule, m.kind, m.with_thematic)
        short += bool(minimum) and m.duration < minimum
        if m.kind in (MeetingKind.REGULAR, MeetingKind.THEMATIC):
            lead = m.documents_lead_days
            late += lead is None or lead < rule.documents_days_before

    def pct(part: str, whole: str) -> float | None:
        num, den = (sum(getattr(m, f) for m in tracked) for f in (part, whole))
        return round(100 * num / den, 2) if den else None

    cells_then = {
        v.unit_id
        for v in versions
        if v.valid_from <= until and (v.valid_to is None or until < v.valid_to)
        and v.kind in MEMBER_KINDS
    }  # fmt: skip
    return {
        "cells": len(cells_then & subtree(unit.pk, until, versions)),
        "late_documents": late,
        "official_pct": pct("present_official", "expected_official"),
        "probationary_pct": pct("present_probationary", "expected_probationary"),
        "average_minutes": (
            round(sum(m.duration for m in tracked) / len(tracked), 1) if tracked else None
        ),
        "meetings_due": due,
        "missed_months": missed,
        "meetings_held": sum(m.kind == MeetingKind.REGULAR for m in meetings),
        "thematic_held": sum(
            m.kind == MeetingKind.THEMATIC or (m.kind == MeetingKind.REGULAR and m.with_thematic)
            for m in meetings
        ),
        "attendance_pct": round(100 * present / expected, 2) if expected else None,
        "absent_3_months": sum(len(s) >= 3 for s in months.values()),
        "short_meetings": short,
        "quality_average": round(sum(totals) / len(totals), 1) if totals else None,
    }


def _ancestors(unit_id: int, day: dt.date, versions) -> set[int]:
    alive = {
        v.unit_id: v.parent_id
        for v in versions
        if v.valid_from <= day and (v.valid_to is None or day < v.valid_to)
    }
    out, current = set(), unit_id
    while current is not None and current in alive:
        out.add(current)
        current = alive[current]
    return out


@pytest.fixture
def world(settings):
    # Chỉ thị 50's minimum from 2019 on, so that the generated year has short meetings.
    settings.MEETING_RULES = [
        rules.with_values(rules.RULE_VERSIONS[1], effective=dt.date(1900, 1, 1))
    ]
    return _build()


def test_figures_agree_with_the_reference_on_generated_data(world):
    """One generated world (building it is the cost), three checks."""
    _expected_lists_agree_with_replaying_the_events(world)
    _summary_agrees_with_the_reference_through_the_restructured_tree(world)
    _the_rollup_kept_by_the_services_equals_its_rebuild(world)
    _the_command_prints_the_summary_as_json(world)
    _the_review_report_has_the_section_when_meetings_were_held(world)


def _the_review_report_has_the_section_when_meetings_were_held(world):
    from grassroots.reports.review import build_review

    held = build_review(world["P"], d("2018-12-31"), d("2019-12-31")).section("meetings")
    assert held is not None and held.as_json()["lines"]["meetings_held"]["change"] > 20
    assert build_review(world["P"], d("2010-01-01"), d("2010-12-31")).section("meetings") is None


def _expected_lists_agree_with_replaying_the_events(world):
    for cell in world["cells"]:
        for day in (d("2019-01-15"), d("2019-04-01"), d("2019-06-30"), d("2019-10-01")):
            fast = {p.member_id: p.role for p in queries.expected_list(cell, day)}
            assert fast == _ref_expected(cell.pk, day), (cell.code, day)


def _summary_agrees_with_the_reference_through_the_restructured_tree(world):
    windows = [
        (d("2019-01-01"), d("2019-12-31")),
        (d("2019-03-01"), d("2019-08-31")),
        (d("2019-03-10"), d("2019-10-20")),  # partial months at both ends, read one by one
        (d("2019-10-01"), d("2019-10-31")),  # the month C3 moved in
    ]
    for code in ("P", "D1", "D2", "G1", "G2"):
        for since, until in windows:
            fast = queries.summary(world[code], since, until)
            ref = _ref_summary(world[code], since, until)
            assert {k: fast[k] for k in ref} == ref, (code, since, until)
            # the review report's shortcut never hides a window with meetings held
            if fast["meetings_held"] or fast["thematic_held"]:
                assert queries.any_held(world[code], since, until), (code, since, until)
    assert not queries.any_held(world["P"], d("2010-01-01"), d("2010-12-31"))
    # 2019 whole (its watch list from the yearly rows) between months of 2018 and 2020 read from
    # the monthly rows, and a partial month read mark by mark: every figure but the cell-months
    # due (the reference counts the months of one calendar year).
    for code in ("P", "D1", "D2", "G1", "G2"):
        fast = queries.summary(world[code], d("2018-07-01"), d("2020-02-15"))
        ref = _ref_summary(world[code], d("2018-07-01"), d("2020-02-15"))
        for key in ("meetings_due", "missed_months"):
            del ref[key]
        assert {k: fast[k] for k in ref} == ref, code
    # The moved (cell, month) pairs are read in chunks (SQLite's expression depth limit, met by
    # the demo's decade): one pair a statement gives the same figures.
    chunk, queries.MIXED_CHUNK = queries.MIXED_CHUNK, 1
    try:
        for code in ("P", "D1", "D2"):
            fast = queries.summary(world[code], d("2019-01-01"), d("2019-12-31"))
            ref = _ref_summary(world[code], d("2019-01-01"), d("2019-12-31"))
            assert {k: fast[k] for k in ref} == ref, code
    finally:
        queries.MIXED_CHUNK = chunk
    year = queries.summary(world["P"], d("2019-01-01"), d("2019-12-31"))
    assert year["short_meetings"] > 0 and year["meetings_held"] > 20
    assert year["quality_average"] is not None
    # The cell that moved counts for D1 before July and for D2 after.
    c2 = world["cells"][1]
    before = queries.meetings_under(world["D1"], d("2019-01-01"), d("2019-12-31"))
    after = queries.meetings_under(world["D2"], d("2019-01-01"), d("2019-12-31"))
    assert all(m.date < d("2019-07-01") for m in before.filter(unit=c2))
    assert all(m.date >= d("2019-07-01") for m in after.filter(unit=c2))


def _the_rollup_kept_by_the_services_equals_its_rebuild(world):
    def table():  # a month whose meetings were all voided keeps a row of zeros
        rows = MeetingMonth.objects.values_list("unit_id", "month", *MEETING_MONTH_FIELDS)
        return sorted(row for row in rows if any(row[2:]))

    kept = table()
    assert len(kept) > 20 and any(row[-1] for row in kept)  # approved minutes are counted
    # The per-ancestor rollups, kept through the meeting services and the backdated mid-month
    # move of C3, equal their slow recounts (tests/test_meetings_ancestor_rollup).
    ancestors, absences = ancestor_rollup.exact(), ancestor_rollup.kept_absences()
    assert len(ancestors) > len(kept) and absences
    rollup.rebuild()
    assert table() == kept
    assert ancestor_rollup.exact() == ancestors and ancestor_rollup.kept_absences() == absences
    assert Meeting.objects.exclude(voided_at=None).count() > 3


def _the_command_prints_the_summary_as_json(world):
    out = io.StringIO()
    call_command(
        "meetings-summary", "--unit", "P", "--from", "2019-01-01", "--to", "2019-12-31",
        "--json", stdout=out,
    )  # fmt: skip
    payload = json.loads(out.getvalue())
    for key in ("unit", "from", "to", "cells", "meetings_due", "meetings_held", "thematic_held",
                "attendance_pct", "absent_3_months", "short_meetings"):  # fmt: skip
        assert key in payload
    assert payload == queries.summary(world["P"], d("2019-01-01"), d("2019-12-31"))
    assert payload["cells"] == 3
