"""The demo's committees and courses obey the module's own rules (small scale): terms of one
committee never overlap, single-holder posts have one holder at a time, every holder belonged to
the organization's subtree on the first day, completed courses are counted in full."""

import datetime as dt
import random
from collections import defaultdict

import pytest

from grassroots.cadres import queries, registry
from grassroots.cadres.config import SINGLE_HOLDER
from grassroots.cadres.demo import seed_demo_cadres
from grassroots.cadres.models import Enrolment, Holding, Qualification, Result, Term
from grassroots.demo.build import build_demo
from grassroots.organizations.models import Unit

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def _overlap(rows):
    rows = sorted(rows)
    return any(b[0] < (a[1] or dt.date.max) for a, b in zip(rows, rows[1:], strict=False))


def test_demo_committees_and_courses():
    build_demo(seed=11, scale=0.05)
    counts = seed_demo_cadres("LS", seed=3, today=TODAY)
    assert counts["terms"] > 50 and counts["holdings"] > 100 and counts["enrolments"] > 100
    terms = defaultdict(list)
    for unit_id, start, end in Term.objects.values_list("unit_id", "start", "end"):
        terms[unit_id].append((start, end))
    assert not any(_overlap(rows) for rows in terms.values())
    single = defaultdict(list)
    for unit_id, post, start, end in Holding.objects.filter(post__in=SINGLE_HOLDER).values_list(
        "unit_id", "post", "start", "end"
    ):
        single[(unit_id, post)].append((start, end))
    assert not any(_overlap(rows) for rows in single.values())
    rng = random.Random(1)
    holdings = list(Holding.objects.select_related("unit", "term"))
    for h in rng.sample(holdings, min(150, len(holdings))):
        assert h.outsider or registry.in_subtree_on(h.member_id, h.unit, h.start), h.pk
        assert h.term.start <= h.start and (h.term.end is None or h.start < h.term.end)
    # A merged organization's committee ends with it.
    for unit in Unit.objects.filter(ended__isnull=False, cadre_terms__isnull=False)[:20]:
        assert queries.committee_on(unit, unit.ended) == []
    ls = Unit.objects.get(code="LS")
    completed = Enrolment.objects.filter(result=Result.COMPLETED, course__end__year__lte=2017,
                                         course__end__year__gte=2010).count()  # fmt: skip
    summary = queries.training_summary(ls, dt.date(2010, 1, 1), dt.date(2017, 12, 31))
    assert summary["trained_turns"] + summary["fostered_turns"] == completed > 0
    assert Qualification.objects.filter(enrolment__isnull=False).count() > 0
