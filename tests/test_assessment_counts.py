"""The yearly ledger of decided member ratings (assessments/counts.py) against a recount of the
ratings themselves, through every write path: one decision, a re-decision that supersedes, the
batch path of the demo and imports, and the steps that are not decisions."""

from __future__ import annotations

from collections import Counter

import pytest

from grassroots.assessments import counts
from grassroots.assessments import queries as q
from grassroots.assessments import services as svc
from grassroots.assessments.checks import Entry
from grassroots.assessments.models import MemberRatingCount, Rating, Step, Subject

from .factories import SYSTEM
from .test_assessment_helpers import build_tree, decide, members, open_round

pytestmark = pytest.mark.django_db


def ledger() -> Counter:
    out: Counter = Counter()
    for row in MemberRatingCount.objects.all():
        out[(row.year, row.grassroots_id, row.level_id)] += row.delta
    return +out  # drops the keys that sum to zero


def recount() -> Counter:
    """The obviously right answer: every current decided member rating, one by one."""
    return Counter(
        (r.year, r.grassroots_id, r.level_id)
        for r in Rating.objects.all()
        if r.step == Step.DECISION and r.subject == Subject.MEMBER and r.superseded_at is None
    )


def test_ledger_follows_every_write_and_the_trend_reads_it():
    t = build_tree()
    people = members(t["C11"], 4) + members(t["G2"], 2) + members(t["C31"], 3)
    rnd = open_round(t["P"], 2019)
    for m in people[:6]:
        decide(rnd, "tot", member=m)
    decide(rnd, "hoan_thanh", member=people[0])  # supersedes: -1 tot, +1 hoan_thanh
    svc.assessment_propose(actor=SYSTEM, round=rnd, level="tot", member=people[6])  # not counted
    svc.assessment_record_many(
        actor=SYSTEM,
        round=rnd,
        step=Step.DECISION,
        entries=[Entry("tot", member=m) for m in people[6:]] + [Entry("tot", member=people[1])],
        audit="batch",
    )
    for code in ("G1", "G2", "G3"):
        decide(rnd, "tot", unit=t[code])
    expected = recount()
    assert ledger() == expected and sum(expected.values()) == len(people)
    assert MemberRatingCount.objects.filter(delta__lt=0).exists()  # the supersede was a delta

    (row,) = q.trend(t["P"], [2019])
    assert row.members.rated == len(people)
    assert row.members.counts["hoan_thanh"] == 1 and row.members.counts["tot"] == len(people) - 1
    assert row.grassroots.rated == 3 and row.grassroots.due == 3
    (d2,) = q.trend(t["D2"], [2019])
    assert d2.members.rated == 3  # G3's members only: the subtree is applied when reading

    before = ledger()
    assert counts.rebuild() == MemberRatingCount.objects.count()
    assert ledger() == before and not MemberRatingCount.objects.filter(delta__lte=0).exists()


def test_trend_is_not_fooled_by_a_ledger_that_was_not_kept():
    """The test above could pass with a trend that ignored the ledger; this one cannot."""
    t = build_tree()
    people = members(t["C11"], 2)
    rnd = open_round(t["P"], 2019)
    for m in people:
        decide(rnd, "tot", member=m)
    MemberRatingCount.objects.all().delete()
    assert q.trend(t["P"], [2019]) == []
    counts.rebuild()
    assert q.trend(t["P"], [2019])[0].members.rated == 2
