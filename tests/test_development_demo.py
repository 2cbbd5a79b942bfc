"""The demo's pipeline: cases at every stage on 23/02/2019 and today, overdue ones of each kind,
some waiting for the upper committee, some refused at the vote, introductions by two official
members checked through the registry; consistent with the registry's admissions (the registry's
figures do not move)."""

import datetime as dt

import pytest

from grassroots.demo.build import build_demo
from grassroots.development import config, queries, registry, rules
from grassroots.development.demo import seed_demo_pipeline
from grassroots.development.models import Candidate, CaseStep, IntroducedBy, StepKind
from grassroots.figures.queries import figures
from grassroots.members.models import EventKind, MemberEvent, MemberStint
from grassroots.organizations.models import Unit

pytestmark = pytest.mark.django_db

RESOLUTION_DAY = dt.date(2019, 2, 23)
TODAY = dt.date(2026, 12, 1)
EVERY_STAGE = ("proposed", "certified", "applied", "introduced", "verified", "escalated",
               "cell_passed", "proposed_up", "decided", "probation")  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_demo(seed=11, scale=0.05)
        ls = Unit.objects.get(code="LS")
        windows = [(TODAY, dt.date(2018, 12, 31)), (RESOLUTION_DAY, dt.date(2017, 12, 31))]
        before = [figures(ls, at, since) for at, since in windows]
        counts = seed_demo_pipeline("LS", seed=3, today=TODAY, per_shape=2)
        after = [figures(ls, at, since) for at, since in windows]
        yield {"ls": ls, "counts": counts, "before": before, "after": after}
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)
        config.ensure_seeded()


def test_registry_figures_do_not_move(demo):
    assert demo["counts"]["admitted_cases"] > 20
    assert demo["counts"]["open_cases"] == 24 and demo["counts"]["anchor_cases"] == 11
    assert demo["after"] == demo["before"]
    ls = demo["ls"]
    window = queries.admissions(ls, dt.date(2018, 12, 31), TODAY)
    assert window.admitted == demo["after"][0].since.admitted
    assert 0 < window.by["youth_union"] <= window.admitted


def test_every_ceremony_is_the_registrys_admission(demo):
    for case in Candidate.objects.filter(member__isnull=False)[:200]:
        ceremony = CaseStep.objects.get(candidate=case, kind=StepKind.CEREMONY)
        admission = MemberEvent.objects.get(member=case.member, kind=EventKind.ADMISSION)
        assert (ceremony.date, ceremony.unit_id or case.cell_id) == (
            admission.date,
            admission.unit_id,
        )
    # Nobody reaches a ceremony outside the registry.
    assert not CaseStep.objects.filter(
        kind=StepKind.CEREMONY, candidate__member__isnull=True
    ).exists()


@pytest.mark.parametrize("day", [RESOLUTION_DAY, TODAY])
def test_every_stage_on_both_days(demo, day):
    counts = queries.pipeline_counts(demo["ls"], day)
    for stage in EVERY_STAGE:
        assert counts[stage] > 0, (stage, day, counts)


def test_overdue_of_every_kind_on_the_resolution_day(demo):
    overdue = {d.rule for d in queries.deadlines(demo["ls"], RESOLUTION_DAY) if d.overdue}
    assert {"ceremony", "stale_file", "recognition"} <= overdue
    # The late recognitions are the registry's: decided after the day, effective at the end of
    # probation.
    late = [d for d in queries.deadlines(demo["ls"], RESOLUTION_DAY) if d.rule == "recognition"]
    case = Candidate.objects.get(pk=[d for d in late if d.overdue][0].candidate_id)
    official = MemberEvent.objects.get(member=case.member, kind=EventKind.OFFICIAL)
    assert official.decision_date > RESOLUTION_DAY
    step = CaseStep.objects.get(candidate=case, kind=StepKind.RECOGNITION)
    assert step.date == official.decision_date
    # A day after the recognition, nothing is due for that case.
    after = queries.deadlines(demo["ls"], official.decision_date)
    assert case.pk not in {d.candidate_id for d in after if d.rule == "recognition"}


def test_overdue_today(demo):
    overdue = {d.rule for d in queries.deadlines(demo["ls"], TODAY) if d.overdue}
    assert {"ceremony", "stale_file", "recognition"} <= overdue
    assert queries.summary(demo["ls"], TODAY).overdue > 0
    # The late recognitions of today are the registry's: probationers still in the Party, not yet
    # recognized, their probation over for more than 30 working days.
    late = [
        d for d in queries.deadlines(demo["ls"], TODAY) if d.rule == "recognition" and d.overdue
    ]
    for due in late:
        member = Candidate.objects.get(pk=due.candidate_id).member
        assert not MemberEvent.objects.filter(member=member, kind=EventKind.OFFICIAL).exists()
        assert MemberStint.objects.get(member=member, end__isnull=True).status == ("probationary")


def test_refused_at_the_vote_on_both_days(demo):
    for day in (RESOLUTION_DAY, TODAY):
        refused = Candidate.objects.filter(
            closed_on__lte=day, closed_on__gt=day - dt.timedelta(days=400),
            steps__kind=StepKind.CELL_VOTE, steps__passed=False,
        ).distinct()  # fmt: skip
        assert refused.count() >= 1, day
    # The cases open on 23/02/2019 that were never admitted left the list afterwards.
    later = Candidate.objects.filter(
        proposed_on__lt=RESOLUTION_DAY, closed_on__gt=RESOLUTION_DAY, closed_on__lt=TODAY
    )
    assert later.count() == 10
    assert not later.filter(member__isnull=False).exists()


def test_introductions_by_two_members_pass_the_registrys_check(demo):
    by_members = list(
        CaseStep.objects.filter(
            kind=StepKind.INTRODUCTION, introduced_by=IntroducedBy.MEMBERS
        ).select_related("candidate", "introducer_1", "introducer_2")
    )
    assert len(by_members) >= 5
    assert CaseStep.objects.filter(
        kind=StepKind.INTRODUCTION, introduced_by=IntroducedBy.YOUTH_UNION
    ).exists()
    for step in by_members:
        assert step.introducer_1_id != step.introducer_2_id
        rule_values = config.rules_on(step.date)
        for member in (step.introducer_1, step.introducer_2):
            facts = registry.introducer_facts(member, step.candidate.cell, step.date)
            assert rules.introducer_problem(facts, step.date, rule_values) is None, (step, facts)


@pytest.mark.parametrize("seed", range(40))
def test_a_failed_vote_in_a_young_cell_never_precedes_the_file(seed):
    """Found by the full demo (scale 1.0): a cell opened weeks before the ceremony pulls every
    step up to its first day, and the failed vote written a month before the passing one came
    before the proposal — a case span without a cell, refused by the database."""
    import random

    from grassroots.development import demo

    ceremony, floor = dt.date(2019, 2, 15), dt.date(2018, 11, 7)
    steps = demo._file_steps(
        random.Random(seed), 4792, ceremony, dt.date(2019, 1, 10), "1-QĐ/ĐU", "Đảng ủy",
        floor, True, lambda day: {"introduced_by": IntroducedBy.YOUTH_UNION},
    )  # fmt: skip
    assert steps[0].kind == StepKind.PROPOSED and min(s.date for s in steps) >= floor
    replayable = [rules.St(s.kind, s.date, s.unit_id, s.passed, i) for i, s in enumerate(steps)]
    _, timeline = rules.replay(replayable, config.rules_on(ceremony))
    assert all(unit is not None for unit, *_ in rules.spans(timeline))
