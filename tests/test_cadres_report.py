"""Issue 18 with issue 15: the review report's written summary says how many were trained and
fostered in the period — the cadres section's turns, the same count as `training-summary`."""

from __future__ import annotations

import pytest

from grassroots.cadres import queries
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Result
from grassroots.reports.review import build_review
from grassroots.reports.summary import written_summary

from .cadres_world import world
from .factories import SYSTEM, d

pytestmark = pytest.mark.django_db


def _completed(w, code, kind, start, end, people):
    course = cadres.course_create(
        actor=SYSTEM, code=code, name=f"Lớp {code}", kind=kind, subject="theory", unit=w.p,
        start=d(start), end=d(end),
    )  # fmt: skip
    for member in people:
        enrolment = cadres.enrolment_add(actor=SYSTEM, course=course, member=member)
        cadres.enrolment_result(actor=SYSTEM, enrolment=enrolment, result=Result.COMPLETED)


def test_the_written_summary_counts_trained_and_fostered_turns():
    w = world()
    _completed(w, "DT-1", "training", "2012-03-01", "2013-03-01", [w.a, w.b])
    _completed(w, "BD-1", "fostering", "2014-05-01", "2014-05-10", [w.a, w.b, w.c])
    _completed(w, "BD-2", "fostering", "2020-05-01", "2020-05-10", [w.e])  # after the period
    since, at = d("2010-01-01"), d("2019-12-31")
    review = build_review(w.p, since, at)
    turns = queries.training_summary(w.p, d("2010-01-02"), at)
    assert (turns["trained_turns"], turns["fostered_turns"]) == (2, 3)
    assert "Đã đào tạo 2 lượt và bồi dưỡng 3 lượt cán bộ, đảng viên." in written_summary(review)


def test_no_training_no_sentence():
    w = world()
    review = build_review(w.p, d("2010-01-01"), d("2019-12-31"))
    assert "Đã đào tạo" not in written_summary(review)
