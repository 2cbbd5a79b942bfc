"""The demo builder: a decision for every registry discipline/expulsion event since 2008, linked
to it (no new event: figures unchanged), with its case and yearly programmes."""

from __future__ import annotations

import datetime as dt

import pytest

from grassroots.figures.queries import figures
from grassroots.inspection import queries
from grassroots.inspection.demo import seed_demo_inspection
from grassroots.inspection.models import Case, Decision, Programme
from grassroots.members.models import MemberEvent

from .factories import d, event
from .inspection_world import world

pytestmark = pytest.mark.django_db


def test_demo_links_every_event_and_keeps_the_figures():
    w = world()
    event(
        w.a, "discipline", "2012-05-10", discipline_form="reprimand", decision_date=d("2012-05-02")
    )
    event(w.b, "expulsion", "2015-03-01", decision_date=d("2015-03-01"))
    before = figures(w.p, d("2026-12-31"), d("2000-01-01")).since.expelled
    events = MemberEvent.objects.count()
    counts = seed_demo_inspection("P", seed=3, today=dt.date(2026, 6, 1))
    assert MemberEvent.objects.count() == events
    assert counts["decisions"] == 2 == Decision.objects.count()
    for decision in Decision.objects.select_related("member_event"):
        assert decision.member_event.date == decision.announced_on
        assert decision.case.subject_member_id == decision.subject_member_id
    summary = queries.summary(w.p, d("2000-01-01"), d("2026-12-31"))
    assert summary.expelled == before == 1
    assert summary.disciplined_members["reprimand"] == 1
    assert Programme.objects.filter(year=2010).count() == 2  # the province and the district
    assert Case.objects.filter(programme_item__isnull=False).exists()
    # The first expulsion was preceded by a suspension (a year without demo meetings): listed,
    # not expected at the cell's meetings while it ran, and counted in the summary.
    from grassroots.inspection.models import Suspension
    from grassroots.meetings.expected import expected_list

    suspension = Suspension.objects.get()
    assert suspension.subject_member == w.b and suspension.case.subject_member == w.b
    assert suspension.start < suspension.last_day < d("2015-03-01")
    roles = {p.member_id: p.role for p in expected_list(w.c2, suspension.start)}
    assert roles[w.b.pk] == "suspended" and counts["suspensions"] == 1
    assert queries.summary(w.p, d("2014-01-01"), d("2015-12-31")).suspended_members == 1
