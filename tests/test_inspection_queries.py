"""Inspection figures: `expelled` equals the registry's flow, discipline and suspension counts
and case counts equal a slow reference walking the tree day by day (tests/reference.py), on generated data."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from grassroots.figures.queries import figures
from grassroots.inspection import queries
from grassroots.inspection.models import Suspension
from grassroots.members.models import EventKind, MemberEvent, MemberStint
from grassroots.organizations.models import Unit, UnitVersion

from .factories import d
from .inspection_world import decide, open_case, world
from .reference import _versions, subtree

pytestmark = pytest.mark.django_db


def _slow_events():
    """(date, form, cell) of each live discipline event: the stint holding it that day."""
    stints: dict[int, list] = {}
    for s in MemberStint.objects.all():
        stints.setdefault(s.member_id, []).append(s)
    out = []
    for ev in MemberEvent.objects.filter(kind=EventKind.DISCIPLINE, voided_at__isnull=True):
        held = [s for s in stints.get(ev.member_id, [])
                if s.start <= ev.date and (s.end is None or ev.date < s.end)]  # fmt: skip
        if held:
            out.append((ev.date, ev.discipline_form, held[0].unit_id))
    return out


def _slow_disciplined(unit, since, at, events, versions) -> dict[str, int]:
    """Counted when the cell lay in the subtree of `unit` (rebuilt from the versions) that day."""
    out: dict[str, int] = {}
    for day, form, cell in events:
        if since < day <= at and cell in subtree(unit.pk, day, versions):
            out[form] = out.get(form, 0) + 1
    return out


def _suspend_some(rng, roots) -> list[tuple[int, int, dt.date]]:
    """Suspensions of random members from a day of one of their stints, placed like the service
    places them (the stint's cell on the first day); (member, cell, start) for the reference."""
    stints = list(MemberStint.objects.order_by("pk").values_list("member_id", "unit_id", "start",
                                                                 "end"))  # fmt: skip
    rows, out = [], []
    for member_id, cell, start, end in rng.sample(stints, min(300, len(stints))):
        last = min(end or dt.date(2026, 12, 31), dt.date(2026, 12, 31)) - dt.timedelta(days=1)
        if last <= start:
            continue
        day = start + dt.timedelta(days=rng.randint(0, (last - start).days))
        rows.append(Suspension(
            subject_member_id=member_id, unit_id=cell, placed_on=day, body_id=roots[0],
            organ="committee", ground="violation", signed_on=day, start=day,
            last_day=day + dt.timedelta(days=89),
        ))  # fmt: skip
        out.append((member_id, cell, day))
    Suspension.objects.bulk_create(rows)
    return out


def _slow_suspended(unit, since, at, suspensions, versions) -> int:
    return len({m for m, cell, day in suspensions
                if since < day <= at and cell in subtree(unit.pk, day, versions)})  # fmt: skip


def test_expelled_and_disciplined_equal_the_registry_on_generated_data():
    from grassroots.scale.runs import generate

    generate(1200, seed=7)
    rng = random.Random(3)
    versions, events = _versions(), _slow_events()
    roots_ = list(UnitVersion.objects.filter(parent__isnull=True).values_list("unit_id", flat=True))
    suspensions = _suspend_some(random.Random(4), roots_)
    upper = list(UnitVersion.objects.exclude(kind__in=("grassroots_cell", "subordinate_cell"))
                 .values_list("unit_id", flat=True).distinct())  # fmt: skip
    cells = list(UnitVersion.objects.values_list("unit_id", flat=True).distinct())
    picked = rng.sample(upper, min(15, len(upper))) + rng.sample(cells, min(15, len(cells)))
    roots = list(UnitVersion.objects.filter(parent__isnull=True).values_list("unit_id", flat=True))
    windows = [(dt.date(1950, 1, 1), dt.date(2026, 12, 31))] * len(roots)
    for _ in picked:
        since = dt.date(rng.randint(1985, 2022), rng.randint(1, 12), 1)
        windows.append((since, since + dt.timedelta(days=rng.randint(60, 9000))))
    units = Unit.objects.in_bulk(roots + picked)
    checked = disciplined = suspended = 0
    for unit_id, (since, at) in zip(roots + picked, windows, strict=True):
        u = units[unit_id]
        expected = figures(u, at, since).since.expelled
        assert expected == queries.expelled_stints(u, since, at).count(), (u.code, since, at)
        got = queries.summary(u, since, at)
        assert got.expelled == expected, (u.code, since, at)
        slow = _slow_disciplined(u, since, at, events, versions)
        fast = {k: v for k, v in got.disciplined_members.items() if v and k != "expulsion"}
        assert fast == slow, (u.code, since, at)
        slow_suspended = _slow_suspended(u, since, at, suspensions, versions)
        assert got.suspended_members == slow_suspended, (u.code, since, at)
        suspended += slow_suspended > 0
        checked += expected > 0
        disciplined += bool(slow)
    assert checked >= 3 and disciplined >= 3 and suspended >= 3


def test_summary_counts_cases_decisions_and_appeals_through_the_tree():
    from grassroots.inspection import services

    from .factories import SYSTEM

    w = world()
    open_case(w, subject_member=w.a, kind="regular_supervision")
    open_case(w, subject_member=w.a, kind="thematic_supervision")
    open_case(w, subject_unit=w.c2, kind="regular_supervision")
    case = open_case(w, subject_member=w.b)
    services.case_conclude(actor=SYSTEM, case=case, concluded_on=d("2024-02-01"),
                           conclusion="violation", severity="minor", findings="…")  # fmt: skip
    decision = decide(w, w.b, "expulsion", case=case, signed="2024-03-01", announced="2024-03-02")
    services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-03-10"),
                         complainant="Lê Thị Bình", body=w.p)  # fmt: skip
    services.decision_record(actor=SYSTEM, form="reprimand", body=w.g, organ="committee",
                             signed_on=d("2024-04-01"), announced_on=d("2024-04-01"),
                             subject_unit=w.c1)  # fmt: skip
    services.suspension_record(actor=SYSTEM, member=w.a, body=w.g, organ="committee",
                               ground="violation", signed_on=d("2024-05-01"),
                               start=d("2024-05-01"))  # fmt: skip
    out = StringIO()
    call_command("inspection-summary", "--unit", "G", "--from", "2023-12-31", "--to",
                 "2024-12-31", "--json", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert {"unit", "from", "to", "supervised_organizations", "supervised_members", "inspections",
            "violations", "disciplined_members", "disciplined_organizations", "appeals",
            "expelled"} <= set(data)  # fmt: skip
    assert data["supervised_members"] == 1 and data["supervised_organizations"] == 1
    assert data["inspections"] == 1 and data["violations"] == 1
    assert data["expelled"] == 1 == data["disciplined_members"]["expulsion"]
    assert data["disciplined_organizations"] == {"reprimand": 1, "warning": 0, "dissolution": 0}
    assert data["appeals"] == 1
    # C2 only: B's expulsion and case are there, A's are not.
    c2 = queries.summary(w.c2, d("2023-12-31"), d("2024-12-31"))
    assert (c2.expelled, c2.supervised_members, c2.supervised_organizations) == (1, 0, 1)
    assert data["suspended_members"] == 1 and c2.suspended_members == 0  # A sits in C1
    # The window is (from, to]: nothing in 2025.
    assert queries.summary(w.g, d("2024-12-31"), d("2025-12-31")).inspections == 0
