"""Meetings for a generated dataset, and their benchmark (issue 14 "Scale").

`generate_meetings(root, year)`: every cell under `root` holds its regular meeting each month of
the year (the thematic part every third month, 90–150 minutes), written in bulk the way the
meeting book stores them — one row per meeting with the totals, and one `Attendance` row only
per exception (~5 % absent with a reason, ~1.5 % without, a few members who stop coming for
months), never one row per expected person. The list of a cell on the meeting day is its stints
on that day (the generator records no temporary attachments; exempt members are listed, not
expected), as `meetings.expected.expected_list` derives it.

`bench_meetings(...)`: recording a meeting through `services.meeting_record` (rolled back), the
summary of a province for the year and of the country, as p50/p95 in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from grassroots.audit.services import Actor
from grassroots.figures.models import (
    MeetingAbsenceMonth,
    MeetingAbsenceYear,
    MeetingAncestorMonth,
)
from grassroots.figures.queries import ledger_at
from grassroots.meetings import queries, rollup, rules
from grassroots.meetings.models import Attendance, Meeting, MeetingKind, MinutesState, Role
from grassroots.meetings.services import meeting_record
from grassroots.members.models import MemberStint, Status
from grassroots.organizations.models import Kind, Unit, UnitAncestry, UnitVersion

EXCUSED, UNEXCUSED = 0.05, 0.015
STOPPERS = 0.002  # members who stop coming for four months (the watch list)


def generate_meetings(root: Unit, year: int, seed: int = 14, progress=None) -> dict:
    """Write a year of monthly meetings for every cell under `root` that has none that month."""
    rng = random.Random(seed * 10_000 + year)
    started = time.perf_counter()
    written = marks_written = 0
    stoppers: dict[int, set[int]] = {}  # member → the months missed
    for month in range(1, 13):
        day = dt.date(year, month, 5)
        cells = queries.cells_on(root, day)
        done = set(
            Meeting.objects.filter(
                unit_id__in=cells, date__year=year, date__month=month, kind=MeetingKind.REGULAR
            ).values_list("unit_id", flat=True)
        )
        by_cell = defaultdict(list)
        stints = MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=day), unit_id__in=cells, start__lte=day
        ).values_list("unit_id", "member_id", "status", "exempt")
        for cell, member_id, status, exempt in stints.iterator(chunk_size=20_000):
            if cell not in done:
                by_cell[cell].append((member_id, status, exempt))
        meetings, exceptions = [], []
        for cell in sorted(by_cell):
            people = by_cell[cell]
            expected = [(m, s) for m, s, e in people if not e]
            absent = []
            for member_id, status in expected:
                if month == 1 and rng.random() < STOPPERS:
                    first = rng.randint(2, 8)
                    stoppers[member_id] = set(range(first, first + 4))
                roll = rng.random()
                if month in stoppers.get(member_id, ()) or roll < UNEXCUSED:
                    absent.append((member_id, status, "unexcused"))
                elif roll < UNEXCUSED + EXCUSED:
                    absent.append((member_id, status, "excused"))
            official = sum(s == Status.OFFICIAL for _m, s in expected)
            gone_official = sum(s == Status.OFFICIAL for _m, s, _k in absent)
            minutes = rng.choice((90, 105, 120, 120, 150))
            start = dt.time(19, 0)
            meetings.append(
                Meeting(
                    unit_id=cell, kind=MeetingKind.REGULAR, with_thematic=month % 3 == 0,
                    date=day, start=start, end=dt.time(19 + minutes // 60, minutes % 60),
                    duration=minutes, expected_official=official,
                    expected_probationary=len(expected) - official,
                    exempt=len(people) - len(expected),
                    present_official=official - gone_official,
                    present_probationary=len(expected) - official - (len(absent) - gone_official),
                    absent_excused=sum(k == "excused" for *_x, k in absent),
                    absent_unexcused=sum(k == "unexcused" for *_x, k in absent),
                    documents_posted_on=day - dt.timedelta(days=2), documents_lead_days=2,
                    minutes_state=MinutesState.APPROVED,
                )
            )  # fmt: skip
            exceptions.append(absent)
        with transaction.atomic():
            Meeting.objects.bulk_create(meetings, batch_size=5000)
            rows = [
                Attendance(
                    meeting_id=m.pk,
                    member_id=member_id,
                    unit_id=m.unit_id,
                    date=m.date,
                    role=Role.OFFICIAL if status == Status.OFFICIAL else Role.PROBATIONARY,
                    mark=kind,
                    reason="Bận công tác" if kind == "excused" else "",
                )  # fmt: skip
                for m, absent in zip(meetings, exceptions, strict=True)
                for member_id, status, kind in absent
            ]
            Attendance.objects.bulk_create(rows, batch_size=10_000)
        written += len(meetings)
        marks_written += len(rows)
        if progress:
            progress(month, len(meetings), len(rows))
    generated = time.perf_counter()
    # Written in bulk, past the services: the monthly rollup is recomputed once (derived data).
    months = rollup.rebuild()
    return {
        "meetings_year": year,
        "meetings_written": written,
        "attendance_rows_written": marks_written,
        "meetings_generate_s": round(generated - started, 1),
        "meeting_months_rebuilt": months,
        "meetings_rollup_s": round(time.perf_counter() - generated, 1),
    }


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


CPU: dict[str, list[float]] = defaultdict(list)  # the process's CPU ms of each measure


def _timed(f, *args, cpu: str = "", **kwargs) -> tuple[float, object]:
    """Wall ms (and, under `cpu`, the process's CPU ms: on a shared, loaded machine the wall clock
    mostly measures the wait for a core; with SQLite the whole query runs in this process)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    result = f(*args, **kwargs)
    if cpu:
        CPU[cpu].append((time.process_time() - cpu_started) * 1000)
    return (time.perf_counter() - started) * 1000, result


def _cpu(name: str) -> dict:
    values = CPU.pop(name, [])
    return {f"{name}_cpu_p95_ms": _pct(values, 95)} if values else {}


def provinces(year: int) -> list[Unit]:
    """The provinces that existed through the whole year (legacy ones before 2025)."""
    day = dt.date(year, 12, 31)
    first = dt.date(year, 1, 1)
    ids = UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day), kind=Kind.PROVINCE, valid_from__lte=first
    ).values("unit_id")
    return list(Unit.objects.filter(pk__in=ids).order_by("code"))


def bench_meetings(
    root: Unit,
    year: int,
    *,
    records: int = 30,
    repeat: int = 3,
    seed: int = 14,
    province_sample: int | None = None,
) -> dict:
    """Recording p95 (rolled back; a day of the following January), province-year and
    country-year summary p95."""
    rng = random.Random(seed)
    day = dt.date(year + 1, 1, 9)
    cells = list(queries.cells_on(root, day))
    rng.shuffle(cells)
    timings = []
    for cell_id in cells[:records]:
        cell = Unit.objects.get(pk=cell_id)
        people = [p for p in queries.expected_list(cell, day) if p.expected]
        absent = rng.sample(people, min(2, len(people)))
        with transaction.atomic():
            ms, _ = _timed(
                meeting_record, cpu="record", actor=Actor.system(), unit=cell, kind=MeetingKind.REGULAR,
                date=day, start=dt.time(19), end=dt.time(21),
                marks={p.member_id: ("excused", "Ốm") for p in absent}, today=day,
            )  # fmt: skip
            timings.append(ms)
            transaction.set_rollback(True)
    out = {
        "record_n": len(timings),
        "record_p50_ms": _pct(timings, 50) if timings else None,
        "record_p95_ms": _pct(timings, 95) if timings else None,
        **_cpu("record"),
    }
    since, until = dt.date(year, 1, 1), dt.date(year, 12, 31)
    province_ms, sizes = [], []
    chosen = provinces(year)
    if province_sample is not None and len(chosen) > province_sample:
        chosen = sorted(rng.sample(chosen, province_sample), key=lambda u: u.code)
    points = []  # (cell-months due, CPU ms: the median of the repeats) per province
    for province in chosen:
        cpu = []
        for _ in range(repeat):
            started = time.process_time()
            ms, result = _timed(queries.summary, province, since, until, cpu="province_summary")
            cpu.append((time.process_time() - started) * 1000)
            province_ms.append(ms)
        sizes.append(result["meetings_held"])
        points.append((result["meetings_due"], _pct(cpu, 50)))
    out.update(
        {
            "province_points": sorted(points),
            "province_fit": _fit(points),
            "provinces": len(sizes),
            "province_meetings_max": max(sizes) if sizes else 0,
            "province_summary_p50_ms": _pct(province_ms, 50) if province_ms else None,
            "province_summary_p95_ms": _pct(province_ms, 95) if province_ms else None,
            **_cpu("province_summary"),
        }
    )
    country_ms = []
    for _ in range(repeat):
        ms, result = _timed(queries.summary, root, since, until, cpu="country_summary")
        country_ms.append(ms)
    out.update(
        {
            "country_meetings": result["meetings_held"],
            "country_summary_p50_ms": _pct(country_ms, 50),
            "country_summary_p95_ms": _pct(country_ms, 95),
            **_cpu("country_summary"),
            "country_summary": result,
            "country_parts_cpu_ms": _parts(root, since, until),
        }
    )
    return out


def _fit(points: list[tuple[int, float]]) -> dict | None:
    """Least squares CPU ms = a + b × cell-months: the fixed cost and the cost per cell-month."""
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if not sxx:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    return {"fixed_ms": round(my - b * mx, 1), "us_per_cell_month": round(1000 * b, 2)}


def _parts(unit: Unit, since: dt.date, until: dt.date, repeat: int = 5) -> dict:
    """The summary's parts, each timed `repeat` times (process CPU ms, the median): where the
    time goes, and the rows each part reads."""
    full = queries._full_months(since, until)
    parts = {
        "rollup_and_raw": lambda: queries.month_totals(unit, since, until),
        "mixed_months": lambda: queries._mixed_months(unit, *full) if full else set(),
        "meetings_due": lambda: queries.meetings_due(unit, since, until),
        "cells": lambda: sum(ledger_at(unit.pk, until)[column] for column in queries.CELL_STOCKS),
        "watch_list_count": lambda: queries.absent_months_count(unit, since, until),
        "quality_average": lambda: queries.quality_average(unit, since, until),
    }
    out = {}
    for name, f in parts.items():
        cpu, wall = [], []
        for _ in range(repeat):
            started, clock = time.process_time(), time.perf_counter()
            f()
            cpu.append((time.process_time() - started) * 1000)
            wall.append((time.perf_counter() - clock) * 1000)
        out[name] = round(_pct(cpu, 50), 1)
        # PostgreSQL's own work is not in this process's CPU: the wall time shows it.
        out[f"{name}_wall"] = round(_pct(wall, 50), 1)
    # The rows each part reads for the unit (the arithmetic of docs/performance.md): its
    # per-ancestor months; the closure rows of its subtree (what `_mixed_months` scanned until
    # session 8) against the mid-month changes it reads now; its members' months absent
    # without reason (what the watch-list count read until session 8) against the yearly rows
    # it reads now (members with enough months).
    first, last = since.replace(day=1), until
    out["rows_ancestor_months"] = MeetingAncestorMonth.objects.filter(
        ancestor_id=unit.pk, month__gte=first, month__lte=last
    ).count()
    out["rows_closure_subtree"] = UnitAncestry.objects.filter(ancestor_id=unit.pk).count()
    out["rows_closure_changes"] = len(queries._closure_changes([unit.pk], *full)) if full else 0
    out["rows_absence_months"] = MeetingAbsenceMonth.objects.filter(
        ancestor_id=unit.pk, month__gte=first, month__lte=last
    ).count()
    years = range(since.year, until.year + 1)
    out["rows_absence_years"] = MeetingAbsenceYear.objects.filter(
        ancestor_id=unit.pk, year__in=years
    ).count()
    out["rows_absence_years_read"] = sum(
        MeetingAbsenceYear.objects.filter(
            ancestor_id=unit.pk,
            year=year,
            months__gte=rules.rules_on(dt.date(year, 12, 31)).unexcused_months_for_removal,
        ).count()
        for year in years
    )
    return out
