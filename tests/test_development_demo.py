"""The demo's pipeline: cases at every stage on 23/02/2019 and today, a few overdue and refused,
consistent with the registry's admissions (the registry's figures do not move)."""

import datetime as dt

import pytest

from grassroots.demo.build import build_demo
from grassroots.development import queries
from grassroots.development.demo import seed_demo_pipeline
from grassroots.development.models import Candidate, CaseStep, StepKind
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind, MemberEvent
from grassroots.organizations.models import Unit

pytestmark = pytest.mark.django_db

RESOLUTION_DAY = dt.date(2019, 2, 23)
TODAY = dt.date(2026, 12, 1)


def test_demo_pipeline():
    build_demo(seed=11, scale=0.05)
    ls = Unit.objects.get(code="LS")
    before = figures(ls, TODAY, dt.date(2018, 12, 31))
    counts = seed_demo_pipeline("LS", seed=3, today=TODAY, per_shape=2)
    assert counts["admitted_cases"] > 20 and counts["open_cases"] == 22
    after = figures(ls, TODAY, dt.date(2018, 12, 31))
    assert after == before
    # Every linked case's ceremony is the registry's admission of that member.
    for case in Candidate.objects.filter(member__isnull=False)[:200]:
        ceremony = CaseStep.objects.get(candidate=case, kind=StepKind.CEREMONY)
        admission = MemberEvent.objects.get(member=case.member, kind=EventKind.ADMISSION)
        assert (ceremony.date, ceremony.unit_id or case.cell_id) == (
            admission.date,
            admission.unit_id,
        )
    on_2019 = queries.pipeline_counts(ls, RESOLUTION_DAY)
    assert sum(on_2019.values()) > 10
    for stage in ("certified", "applied", "introduced", "verified", "decided"):
        assert on_2019[stage] > 0, (stage, on_2019)
    today = queries.pipeline_counts(ls, TODAY)
    for stage in ("proposed", "certified", "applied", "introduced", "verified", "cell_passed",
                  "proposed_up", "decided", "probation"):  # fmt: skip
        assert today[stage] > 0, (stage, today)
    overdue = {d.rule for d in queries.deadlines(ls, TODAY) if d.overdue}
    assert {"ceremony", "stale_file"} <= overdue
    assert CaseStep.objects.filter(kind=StepKind.CELL_VOTE, passed=False).exists()
    assert Candidate.objects.filter(closed_on__isnull=False).count() == 2
    window = queries.admissions(ls, dt.date(2018, 12, 31), TODAY)
    assert window.admitted == after.since.admitted
    assert 0 < window.by["youth_union"] <= window.admitted
