"""`trend_by_unit` (the review report's per-child rating shares) equals `trend()` unit by unit,
on a generated tree with organizations and members rated in two schemes' years."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.assessments import queries as q
from grassroots.assessments import services as svc
from grassroots.assessments.models import Subject
from grassroots.organizations.models import GRASSROOTS_KINDS, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .factories import SYSTEM
from .test_assessment_helpers import SCORE_FOR, good_facts

pytestmark = pytest.mark.django_db

YEARS = (2010, 2019)  # HD 20 and QĐ 132


def _rate(root: Unit, year: int, rng: random.Random) -> int:
    """Decide a random level for a sample of the organizations and members due; returns how many
    decisions were written (a level refused by a rule, e.g. a discipline cap, is skipped)."""
    rnd = svc.round_open(actor=SYSTEM, unit=root, year=year)
    scheme = rnd.scheme
    due_orgs = q.organizations_due(root, year)
    due_members = q.members_due(root, year, q.Rules.of(scheme))
    org_levels = [lv.code for lv in q.levels_of(scheme, Subject.ORGANIZATION)]
    member_levels = [lv.code for lv in q.levels_of(scheme, Subject.MEMBER)]
    targets = [("unit", pk) for pk in rng.sample(sorted(due_orgs), len(due_orgs) * 2 // 3)]
    targets += [
        ("member", pk) for pk in rng.sample(sorted(due_members), min(150, len(due_members)))
    ]
    written = 0
    for subject, pk in targets:
        level = rng.choice(org_levels if subject == "unit" else member_levels)
        extra = (
            {"score": SCORE_FOR.get(level, 60), "facts": good_facts()} if scheme.has_score else {}
        )
        try:
            svc.assessment_decide(actor=SYSTEM, round=rnd, level=level, **{subject: pk}, **extra)
        except ValidationError:
            continue
        written += 1
    return written


def test_trend_by_unit_equals_trend_unit_by_unit():
    from grassroots.scale.runs import generate

    generate(1200, seed=5)
    rng = random.Random(2)
    root = Unit.objects.get(code="N")
    assert all(_rate(root, year, rng) > 50 for year in YEARS)
    every = list(Unit.objects.all())
    grassroots = list(Unit.objects.filter(versions__kind__in=GRASSROOTS_KINDS).distinct())
    groups = [
        [root],
        rng.sample(every, min(60, len(every))),
        rng.sample(grassroots, min(40, len(grassroots))),
    ]
    rated = 0
    for units in groups:
        for years in ([YEARS[0], YEARS[1]], [YEARS[1]], [2015, YEARS[0]]):
            batch = q.trend_by_unit(units, years)
            assert set(batch) == {u.pk for u in units}
            for u in units:
                alone = q.trend(u, years)
                assert batch[u.pk] == alone, (u.code, years)
                # the dashboard's chart: the same rows, those with rated organizations
                shares = [(r.year, r.grassroots) for r in alone if r.grassroots.rated]
                assert q.grassroots_trend(u, years) == shares, (u.code, years)
                rated += sum(r.grassroots.rated + r.members.rated for r in alone) > 0
    assert rated >= 20
    # grassroots_by_year (the trend's subtrees, intersected in Python) against the closure and
    # the versions read on each year's end by the database
    for u in [root, *groups[1][:25]]:
        for year, found in q.grassroots_by_year(u, range(2005, 2027)).items():
            day = q.year_end(year)
            under = UnitAncestry.objects.filter(on(day), ancestor=u).values("descendant_id")
            expected = UnitVersion.objects.filter(
                on(day), unit_id__in=under, kind__in=GRASSROOTS_KINDS
            ).values_list("unit_id", flat=True)
            assert found == set(expected), (u.code, year)
    # a fixed number of statements for any number of organizations
    with CaptureQueriesContext(connection) as one:
        q.trend_by_unit([root], YEARS)
    with CaptureQueriesContext(connection) as many:
        q.trend_by_unit(every, YEARS)
    assert len(many.captured_queries) == len(one.captured_queries) <= 8
