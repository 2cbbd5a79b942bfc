"""The generator's meetings (grassroots/scale/meetings.py) are what the meeting book would have
recorded: each meeting's totals equal the list `expected_list` derives on its day, absences are
stored as exceptions only, and the benchmark runs over them."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.meetings import queries
from grassroots.meetings.expected import totals
from grassroots.meetings.models import Attendance, Meeting, Role
from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind
from grassroots.scale.meetings import bench_meetings, generate_meetings

from .factories import admit, event, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    N = unit("N", Kind.CENTRAL)
    P = unit("P", Kind.PROVINCE, N)
    D = unit("D", Kind.DISTRICT, P)
    G = unit("G", Kind.GRASSROOTS_COMMITTEE, D)
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, G) for i in (1, 2)]
    for i in range(24):
        m = admit(cells[i % 2], f"20{10 + i % 8:02d}-03-01", full_name=f"Người {i:02d}")
        if i % 3:
            event(m, EventKind.OFFICIAL)
        if i == 5:
            event(m, EventKind.EXEMPTION, "2019-06-01")
    admit(cells[0], "2019-07-20", full_name="Người Mới")
    return {"N": N, "P": P, "cells": cells}


def test_generated_meetings_match_the_derived_lists(world):
    out = generate_meetings(world["N"], 2019, seed=3)
    assert out["meetings_written"] == 24 and Meeting.objects.count() == 24
    for m in Meeting.objects.select_related("unit"):
        counts = totals(queries.expected_list(m.unit, m.date))
        assert (m.expected_official, m.expected_probationary, m.exempt) == (
            counts[Role.OFFICIAL], counts[Role.PROBATIONARY], counts[Role.EXEMPT],
        ), m.date  # fmt: skip
        marks = Attendance.objects.filter(meeting=m)
        assert m.expected - m.present == marks.count()  # only the exceptions are rows
        assert m.absent_unexcused == marks.filter(mark="unexcused").count()
    assert generate_meetings(world["N"], 2019)["meetings_written"] == 0  # not twice
    summary = queries.summary(world["P"], dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert summary["meetings_held"] == 24 and summary["missed_months"] == 0
    assert summary["thematic_held"] == 8 and summary["attendance_pct"] < 100


def test_the_benchmark_measures_recording_and_summaries(world):
    generate_meetings(world["N"], 2019)
    out = bench_meetings(world["N"], 2019, records=2, repeat=1)
    assert out["record_n"] == 2 and out["record_p95_ms"] > 0
    assert out["provinces"] == 1 and out["country_meetings"] == 24
    assert Meeting.objects.count() == 24  # the recorded meetings were rolled back


def test_generate_refuses_a_meetings_year_outside_the_data():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="Năm sinh hoạt phải từ 2000"):
        call_command("generate", "--meetings-year", "1990")
    assert not Meeting.objects.exists()
