"""The member statistics of the fields kept as dated facts (education, professional level,
political theory: the cadres module's qualifications) counted by GROUP BY in SQL equal the
member-by-member reference (each member's timeline read in Python), on generated data whose
typed values became qualifications, with later, higher, same-rank and voided ones added."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from grassroots.cadres import services as cadres
from grassroots.cadres.models import Qualification
from grassroots.members.models import Member
from grassroots.members.structure import _member_structure_by_row, member_structure
from grassroots.organizations.models import Kind, UnitVersion

from .factories import SYSTEM

pytestmark = pytest.mark.django_db

LEVELS = {
    "education": ["primary", "lower_secondary", "upper_secondary"],
    "professional": ["elementary", "intermediate", "college", "university", "master"],
    "theory": ["elementary", "intermediate", "senior", "bachelor"],
}


def _more_qualifications(rng: random.Random) -> dict[str, int]:
    """Qualifications added and voided through the services: dated before, between and after
    the report dates, cử nhân after cao cấp (the same rank), some voided."""
    members = list(Member.objects.order_by("id"))
    added = []
    for member in rng.sample(members, 120):
        kind = rng.choice(list(LEVELS))
        day = dt.date(rng.randint(1995, 2026), rng.randint(1, 12), rng.randint(1, 28))
        try:
            added.append(
                cadres.qualification_add(
                    actor=SYSTEM,
                    member=member,
                    kind=kind,
                    level=rng.choice(LEVELS[kind]),
                    obtained_on=day,
                    evidence="Bằng",
                )  # fmt: skip
            )
        except ValidationError:
            continue  # dated before the member's birth
    for member in rng.sample(members, 15):
        for level, day in (("senior", dt.date(2010, 5, 1)), ("bachelor", dt.date(2009, 5, 1))):
            added.append(
                cadres.qualification_add(
                    actor=SYSTEM, member=member, kind="theory", level=level, obtained_on=day
                )
            )
    for q in rng.sample(added, 20):
        cadres.qualification_void(actor=SYSTEM, qualification=q, reason="nhập nhầm")
    return {"added": len(added), "voided": 20}


def _recount_held() -> dict[int, dict]:
    """Every member's held values recounted from the qualifications, the slow obvious way: walk
    each member's qualifications of a kind by (obtained_on, id); a level of a higher rank than
    every earlier one is a new step; the held value is the last step's label and day."""
    from grassroots.cadres import config
    from grassroots.cadres.profile_facts import PROFILE_KINDS

    out = {pk: {} for pk in Member.objects.values_list("id", flat=True)}
    for name, kind in PROFILE_KINDS.items():
        steps: dict[int, list] = {}
        rows = Qualification.objects.filter(kind=kind, voided_at=None).order_by(
            "member_id", "obtained_on", "id"
        )
        for q in rows:
            mine = steps.setdefault(q.member_id, [])
            if not mine or config.rank(kind, q.level) > config.rank(kind, mine[-1][2]):
                mine.append((q.obtained_on, config.level_label(kind, q.level), q.level))
        for pk in out:
            day, label, _level = steps[pk][-1] if pk in steps else (None, "", "")
            out[pk] |= {f"{name}_held": label, f"{name}_held_since": day}
    return out


def _stored_held() -> dict[int, dict]:
    columns = [
        f"{f}_held{s}" for f in ("education", "expertise", "theory_level") for s in ("", "_since")
    ]
    return {row.pop("id"): row for row in Member.objects.values("id", *columns)}


def test_dated_fields_grouped_in_sql_equal_the_member_by_member_count():
    from grassroots.scale.runs import generate

    generate(1500, seed=7)
    plan = cadres.qualifications_from_profile(actor=SYSTEM)
    assert len(plan.facts) > 1000
    assert _stored_held() == _recount_held()  # the bulk conversion keeps the held values
    rng = random.Random(5)
    _more_qualifications(rng)
    assert Qualification.objects.filter(voided_at__isnull=False).count() == 20
    # added and voided one by one: still equal to the recount; some last steps are later than
    # the report dates below, so the counts read both the held values and the lookup
    held = _stored_held()
    assert held == _recount_held()
    assert (
        sum(
            1
            for v in held.values()
            if (v["theory_level_held_since"] or dt.date.min) > dt.date(2019, 2, 23)
        )
        >= 5
    )
    tops = [
        v.unit
        for v in UnitVersion.objects.filter(kind__in=[Kind.CENTRAL, Kind.PROVINCE]).select_related(
            "unit"
        )
    ]
    compared = 0
    for top in rng.sample(tops, min(3, len(tops))):
        for at in (
            dt.date(2005, 6, 30),
            dt.date(2010, 1, 1),
            dt.date(2019, 2, 23),
            dt.date(2026, 9, 30),
        ):
            for by in (
                ["theory_level"],
                ["education"],
                ["expertise", "age"],
                ["occupation", "education"],
                ["theory_level", "status"],
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
    assert compared > 1000
