"""The member statistics by party seniority (tuổi đảng, domain.md §2.5) grouped in SQL from the
held seniority on the member row (`Member.seniority_held`, lifecycle.seniority_held) equal the
member-by-member reference (every member's events through lifecycle.seniority_days), on
generated data with expulsions, removals, re-admissions, corrected decision dates and voided
events written through the services."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from grassroots.derived import member_seniority
from grassroots.members import lifecycle
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member, MemberEvent, MemberStint
from grassroots.members.structure import _member_structure_by_row, member_structure
from grassroots.organizations.models import Kind, UnitVersion

from .factories import SYSTEM

GAPS = (EventKind.EXPULSION, EventKind.REMOVAL, EventKind.LEAVING)


def _random_history(rng: random.Random) -> list[lifecycle.Ev]:
    """Any order of the kinds seniority_days reads (and a transfer it ignores), valid or not:
    the identity below holds for every list of events, not only for valid histories."""
    kinds = [*lifecycle.SENIORITY_KINDS, EventKind.TRANSFER]
    day = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000))
    out = []
    for key in range(rng.randint(0, 6)):
        day += dt.timedelta(days=rng.choice([0, 1, rng.randint(1, 8000)]))
        decision = day - dt.timedelta(days=rng.randint(-40, 400)) if rng.random() < 0.8 else None
        out.append(lifecycle.Ev(rng.choice(kinds), day, None, decision, "", key))
    rng.shuffle(out)
    return out


def test_held_seniority_is_seniority_days_from_its_day_on():
    """From `since` on, seniority_days is max(at − base, 0) days (0 without a base); a history
    that ends out of the party or in death has no held value. 20,000 random histories, each on
    days up to 60 years after its last event, the day itself included."""
    rng = random.Random(3)
    linear = 0
    for _ in range(20_000):
        events = _random_history(rng)
        base, since = lifecycle.seniority_held(events)
        if since is None:
            assert any(e.kind in (*GAPS, EventKind.DEATH) for e in events)
            continue
        linear += 1
        start = max(since, dt.date(1900, 1, 1))
        for at in (start, start + dt.timedelta(days=rng.randint(0, 22000))):
            expected = lifecycle.seniority_days(events, at)
            assert expected == (max((at - base).days, 0) if base else 0), (events, at)
    assert linear > 10_000


def _recount(member_id: int) -> tuple:
    events = [
        lifecycle.Ev(e.kind, e.date, None, e.decision_date, "", e.pk)
        for e in MemberEvent.objects.filter(member_id=member_id, voided_at__isnull=True)
    ]
    return lifecycle.seniority_held(events)


def _stored() -> dict[int, tuple]:
    return {
        pk: (base, since)
        for pk, base, since in Member.objects.values_list(
            "id", "seniority_held", "seniority_held_since"
        )
    }


def _change_histories(rng: random.Random) -> int:
    """Through the services: expel / remove / let leave members still in the party, re-admit
    some of them and some of the generator's ended members, correct admission decision dates
    and void events — dated before, between and after the report dates below."""
    changed = 0
    current = list(
        MemberStint.objects.filter(end__isnull=True).values_list("member_id", "unit_id", "start")
    )
    for member_id, _cell, start in rng.sample(current, 60):
        member = Member.objects.get(pk=member_id)
        out_day = start + dt.timedelta(days=rng.randint(1, 6000))
        if out_day > dt.date(2026, 11, 30):
            continue
        kind = rng.choice(GAPS)
        try:
            gap = members.member_record_event(actor=SYSTEM, member=member, kind=kind, date=out_day)
        except ValidationError:
            continue
        changed += 1
        back = out_day + dt.timedelta(days=rng.randint(30, 3000))
        if rng.random() < 0.6 and back < dt.date(2026, 11, 30):
            try:
                members.member_record_event(
                    actor=SYSTEM,
                    member=Member.objects.get(pk=member_id),
                    kind=EventKind.READMISSION,
                    date=back,
                    unit=MemberStint.objects.get(member_id=member_id, start=start).unit,
                    decision_date=back - dt.timedelta(days=12),
                )
            except ValidationError:
                pass
        elif rng.random() < 0.3:  # the gap was wrongly recorded after all
            members.member_void_event(actor=SYSTEM, event=gap, reason="nhập nhầm")
    admissions = list(MemberEvent.objects.filter(kind=EventKind.ADMISSION, voided_at=None))
    for event in rng.sample(admissions, 40):
        decision = event.date - dt.timedelta(days=rng.randint(-20, 900))
        try:
            members.member_correct_event(
                actor=SYSTEM, event=event, reason="sửa ngày quyết định", decision_date=decision
            )
        except ValidationError:
            continue
        changed += 1
    return changed


@pytest.mark.django_db
def test_seniority_grouped_in_sql_equals_the_member_by_member_count():
    from grassroots.scale.runs import generate

    generate(1500, seed=11)
    # the bulk loader's held values are those the maintained path computes
    assert member_seniority.refresh(None) == 0
    assert Member.objects.filter(seniority_held_since__isnull=True).exists()  # ended histories
    rng = random.Random(8)
    assert _change_histories(rng) > 40
    assert MemberEvent.objects.filter(kind=EventKind.READMISSION, voided_at=None).count() >= 10
    stored = _stored()
    assert stored == {pk: _recount(pk) for pk in stored}  # kept by every writer
    tops = [
        v.unit
        for v in UnitVersion.objects.filter(kind__in=[Kind.CENTRAL, Kind.PROVINCE]).select_related(
            "unit"
        )
    ]
    compared = late = 0
    for top in rng.sample(tops, min(3, len(tops))):
        for at in (
            dt.date(1995, 3, 1),
            dt.date(2005, 6, 30),
            dt.date(2012, 1, 1),
            dt.date(2019, 2, 23),
            dt.date(2026, 9, 30),
            dt.date(2026, 12, 1),
        ):
            for by in (
                ["seniority"],
                ["seniority", "gender"],
                ["status", "seniority"],
                ["age", "seniority"],
                ["seniority", "education"],
            ):
                grouped = member_structure(top, at, by, children=True)
                reference = _member_structure_by_row(top, at, by, children=True)
                assert (grouped.total, grouped.cells, grouped.unmapped) == (
                    reference.total, reference.cells, reference.unmapped,
                ), (top.code, at, by)  # fmt: skip
                assert [(u.code, t, c) for u, _n, t, c in grouped.children] == [
                    (u.code, t, c) for u, _n, t, c in reference.children
                ]
                assert grouped.total == sum(grouped.cells.values())
                compared += grouped.total
            late += Member.objects.filter(seniority_held_since__gt=at).count()
    assert compared > 1000
    assert late > 100  # the events path was exercised too


@pytest.mark.django_db
def test_band_boundaries_on_the_held_date():
    """On the day the 10th year of seniority completes (3,650 days, years of 365 days as
    `_seniority` counts) the member moves from '< 10 năm' to '10–19 năm' in both paths."""
    from .factories import admit, unit

    province = unit("T", Kind.PROVINCE)
    cell = unit("T1", Kind.GRASSROOTS_CELL, province)
    member = admit(cell, "2005-03-10", "2005-03-01")
    base, since = Member.objects.values_list("seniority_held", "seniority_held_since").get(
        pk=member.pk
    )
    assert (base, since) == (dt.date(2005, 3, 1), dt.date(2005, 3, 10))
    turn = base + dt.timedelta(days=3650)
    for at, band in ((turn - dt.timedelta(days=1), "< 10 năm"), (turn, "10–19 năm")):
        for count in (member_structure, _member_structure_by_row):
            assert count(province, at, ["seniority"]).cells == {(band,): 1}, (count, at)
