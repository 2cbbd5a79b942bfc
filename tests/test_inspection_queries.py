"""Inspection figures: `expelled` equals the registry's flow, discipline counts and case counts
equal a slow reference walking the tree day by day (tests/reference.py), on generated data."""

from __future__ import annotations

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from grassroots.figures.queries import figures
from grassroots.inspection import queries
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


def test_expelled_and_disciplined_equal_the_registry_on_generated_data():
    from grassroots.scale.runs import generate

    generate(1200, seed=7)
    rng = random.Random(3)
    versions, events = _versions(), _slow_events()
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
    checked = disciplined = 0
    for unit_id, (since, at) in zip(roots + picked, windows, strict=True):
        u = units[unit_id]
        expected = figures(u, at, since).since.expelled
        got = queries.summary(u, since, at)
        assert got.expelled == expected, (u.code, since, at)
        slow = _slow_disciplined(u, since, at, events, versions)
        fast = {k: v for k, v in got.disciplined_members.items() if v and k != "expulsion"}
        assert fast == slow, (u.code, since, at)
        checked += expected > 0
        disciplined += bool(slow)
    assert checked >= 3 and disciplined >= 3


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
    # The window is (from, to]: nothing in 2025.
    assert queries.summary(w.g, d("2024-12-31"), d("2025-12-31")).inspections == 0
