"""The admission rules as pure functions: each with a passing and a refused case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.development import rules
from grassroots.development.models import Stage, StepKind
from grassroots.development.rules import IntroducerFacts, Rules, St

R = Rules()
D = dt.date


def test_age_counted_by_month():
    birth = D(2006, 5, 20)
    assert rules.age_months(birth, D(2024, 5, 19)) == 215
    assert rules.age_months(birth, D(2024, 5, 20)) == 216
    assert rules.age_problem(birth, D(2024, 5, 20), R) is None
    assert "đủ 18 tuổi" in rules.age_problem(birth, D(2024, 5, 19), R)


def test_over_sixty_needs_the_exception():
    birth = D(1960, 1, 10)
    assert rules.age_problem(birth, D(2020, 2, 9), R) is None  # 60 years 0 months
    assert "quá 60 tuổi" in rules.age_problem(birth, D(2020, 2, 10), R)
    assert rules.age_problem(birth, D(2020, 2, 10), R, exception="QĐ 5-QĐ/TU") is None
    assert rules.age_limit_day(birth, R) == D(2020, 2, 10)


def test_two_thirds_of_official_members():
    assert rules.vote_passes(6, 9, R)
    assert not rules.vote_passes(5, 9, R)
    assert not rules.vote_passes(0, 0, R)
    assert rules.vote_passes(1, 2, Rules(vote_numerator=1, vote_denominator=2))


def test_working_days_skip_weekends_and_holidays():
    # Friday 26/04/2024 + 1 working day: 29/04 is Monday, 30/04 and 01/05 are holidays.
    assert rules.add_working_days(D(2024, 4, 26), 1, []) == D(2024, 4, 29)
    assert rules.add_working_days(D(2024, 4, 29), 1, [D(2024, 4, 30), D(2024, 5, 1)]) == D(
        2024, 5, 2
    )
    assert rules.ceremony_deadline(D(2024, 1, 2), R, []) == D(2024, 2, 13)


def test_ceremony_deadline_and_upper_approval():
    decision = D(2024, 1, 2)
    assert rules.ceremony_problem(decision, D(2024, 2, 13), R, [], "") is None
    assert "30 ngày làm việc" in rules.ceremony_problem(decision, D(2024, 2, 14), R, [], "")
    assert rules.ceremony_problem(decision, D(2024, 2, 14), R, [], "CV 7-CV/HU") is None


def test_introducer_rules():
    day = D(2024, 3, 1)
    ok = IntroducerFacts("A", official=True, in_grassroots_since=D(2023, 3, 1))
    assert rules.introducer_problem(ok, day, R) is None
    probationer = IntroducerFacts("B", official=False, in_grassroots_since=D(2020, 1, 1))
    assert "không phải đảng viên chính thức" in rules.introducer_problem(probationer, day, R)
    short = IntroducerFacts("C", official=True, in_grassroots_since=D(2023, 3, 2))
    assert "12 tháng" in rules.introducer_problem(short, day, R)
    elsewhere = IntroducerFacts("D", official=True, in_grassroots_since=None)
    assert "12 tháng" in rules.introducer_problem(elsewhere, day, R)


def test_certificate_validity_is_configurable():
    state, _ = rules.replay([St(StepKind.CERTIFICATE, D(2019, 3, 1))], R)
    assert rules.certificate_problem(state, D(2024, 2, 29), R) is None
    assert "hết hạn" in rules.certificate_problem(state, D(2024, 3, 1), R)
    assert (
        rules.certificate_problem(state, D(2024, 3, 1), Rules(certificate_validity_years=6)) is None
    )


def test_stale_file():
    state, _ = rules.replay([St(StepKind.INTRODUCTION, D(2023, 3, 1))], R)
    assert rules.stale_problem(state, D(2024, 2, 29), R) is None
    assert "quá 12 tháng" in rules.stale_problem(state, D(2024, 3, 1), R)


def _steps(*kinds_days):
    return [St(k, D(*day), unit_id=1, passed=p, key=i) for i, (k, day, p) in enumerate(kinds_days)]


def test_three_failed_votes_go_up():
    steps = _steps(
        (StepKind.PROPOSED, (2024, 1, 1), None),
        (StepKind.CELL_VOTE, (2024, 2, 1), False),
        (StepKind.CELL_VOTE, (2024, 3, 1), False),
    )
    state, _ = rules.replay(steps, R)
    assert state.stage != Stage.ESCALATED
    state, timeline = rules.replay(steps + _steps((StepKind.CELL_VOTE, (2024, 4, 1), False)), R)
    assert state.stage == Stage.ESCALATED
    with pytest.raises(ValidationError, match="3 lần không đạt"):
        rules.check_step(state, StepKind.CELL_VOTE, D(2024, 5, 1), R)
    rules.check_step(state, StepKind.UPPER_RULING, D(2024, 5, 1), R)


def test_decision_before_application_is_refused():
    steps = _steps(
        (StepKind.PROPOSED, (2024, 1, 1), None),
        (StepKind.APPLICATION, (2024, 3, 1), None),
        (StepKind.GRASSROOTS_PROPOSAL, (2024, 3, 5), None),
    )
    state, _ = rules.replay(steps, R)
    state.stage = Stage.PROPOSED_UP
    with pytest.raises(ValidationError, match="trước bước"):
        rules.check_step(state, StepKind.DECISION, D(2024, 2, 1), R)
    rules.check_step(state, StepKind.DECISION, D(2024, 3, 10), R)


def test_spans_follow_cell_and_stage_and_official_from_probation_end():
    steps = [
        St(StepKind.PROPOSED, D(2023, 1, 1), unit_id=1, key=1),
        St(StepKind.CERTIFICATE, D(2023, 2, 1), key=2),
        St(StepKind.MOVED, D(2023, 3, 1), unit_id=2, key=3),
        St(StepKind.CEREMONY, D(2023, 6, 1), key=4),
        St(StepKind.RECOGNITION, D(2024, 7, 1), key=5),
    ]
    _, timeline = rules.replay(steps, R)
    assert rules.spans(timeline) == [
        (1, Stage.PROPOSED, D(2023, 1, 1), D(2023, 2, 1)),
        (1, Stage.CERTIFIED, D(2023, 2, 1), D(2023, 3, 1)),
        (2, Stage.CERTIFIED, D(2023, 3, 1), D(2023, 6, 1)),
        (2, Stage.PROBATION, D(2023, 6, 1), D(2024, 6, 1)),
    ]
