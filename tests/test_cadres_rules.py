"""Committees, posts, qualifications and enrolments: each rule passes once and is refused once
(Vietnamese message, nothing written)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.cadres import queries
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Holding, Qualification, Result, Term
from grassroots.restructure.services import unit_merge

from .cadres_world import hold, term, world
from .factories import SYSTEM, d, event

pytestmark = pytest.mark.django_db


def _refused(fn, text: str):
    with pytest.raises(ValidationError) as info:
        fn()
    assert text in str(info.value), info.value


def test_terms_follow_each_other_and_never_overlap():
    w = world()
    first = term(w.g, "2010-06-01")
    second = term(w.g, "2015-06-01", name="2015–2020")
    first.refresh_from_db()
    assert first.end == d("2015-06-01")  # the new congress ends the previous term
    assert [t.pk for t in queries.terms_on(d("2015-05-31"), unit=w.g)] == [first.pk]
    count = Term.objects.count()
    _refused(lambda: term(w.g, "2013-01-01", name="Sai"), "trùng thời gian")
    assert Term.objects.count() == count
    assert second.end is None


def test_holder_must_belong_to_the_subtree_unless_appointed_from_outside():
    w = world()
    t = term(w.g)
    assert hold(t, w.a).member == w.a  # a sits in C1, under G
    before = Holding.objects.count()
    _refused(lambda: hold(t, w.outsider, "deputy"), "không sinh hoạt trong G")
    _refused(
        lambda: hold(t, w.outsider, "deputy", outsider=True, how="appointed"),
        "cần số quyết định",
    )
    assert Holding.objects.count() == before
    h = hold(t, w.outsider, "deputy", outsider=True, how="appointed", decision_number="12-QĐ/TU")
    assert h.outsider and h.decision_number == "12-QĐ/TU"
    assert AuditRecord.objects.filter(object_type="holding", object_id=str(h.pk)).exists()


def test_single_holder_post_cannot_have_two_holders():
    w = world()
    t = term(w.g)
    hold(t, w.a)
    _refused(lambda: hold(t, w.b, start="2012-01-01"), "một chức danh chỉ có một người")
    # Two deputies are allowed (domain-processes.md §2.5: commune committees have 2).
    hold(t, w.b, "deputy")
    hold(t, w.c, "deputy")
    assert len(queries.leaders_on(w.g, d("2012-01-01"))) == 3
    # After the first secretary leaves, the next one may start.
    first = Holding.objects.get(member=w.a, post="secretary")
    cadres.holding_end(actor=SYSTEM, holding=first, end=d("2013-01-01"), reason="moved")
    hold(t, w.e, start="2013-01-01")
    assert [s.full_name for s in queries.leaders_on(w.g, d("2013-01-01"))][0] == w.e.full_name


def test_cell_posts_and_dates_inside_the_term():
    w = world()
    t = term(w.c1, seats={"secretary": 1})
    _refused(lambda: hold(t, w.a, "standing"), "Chi bộ không có chức danh")
    _refused(lambda: hold(t, w.a, start="2009-01-01"), "nằm ngoài nhiệm kỳ")
    assert hold(t, w.a).post == "secretary"


def test_qualification_dated_before_birth_is_refused():
    w = world()
    _refused(
        lambda: cadres.qualification_add(
            actor=SYSTEM, member=w.a, kind="theory", level="elementary",
            obtained_on=dt.date(1960, 1, 1),
        ),
        "trước ngày sinh",
    )  # fmt: skip
    _refused(
        lambda: cadres.qualification_add(
            actor=SYSTEM, member=w.a, kind="theory", level="phd", obtained_on=d("2000-01-01")
        ),
        "không có trong danh mục",
    )
    assert not Qualification.objects.exists()
    cadres.qualification_add(
        actor=SYSTEM, member=w.a, kind="theory", level="elementary", obtained_on=d("2000-01-01")
    )
    assert queries.levels_on([w.a.pk], d("2000-01-01")) == {w.a.pk: {"theory": "elementary"}}
    assert queries.levels_on([w.a.pk], d("1999-12-31")) == {}


def _course(w, **kwargs):
    values = dict(
        code="TC-1", name="Trung cấp lý luận chính trị", kind="training", subject="theory",
        unit=w.p, start=d("2012-03-01"), end=d("2013-03-01"), grants_kind="theory",
        grants_level="intermediate",
    )  # fmt: skip
    values.update(kwargs)
    return cadres.course_create(actor=SYSTEM, **values)


def test_enrolment_outside_the_course_dates_is_refused_and_completion_adds_the_degree():
    w = world()
    course = _course(w)
    _refused(
        lambda: cadres.enrolment_add(actor=SYSTEM, course=course, member=w.a,
                                     enrolled_on=d("2013-03-02")),
        "nằm ngoài thời gian của lớp",
    )  # fmt: skip
    assert not course.enrolments.exists()
    enrolment = cadres.enrolment_add(actor=SYSTEM, course=course, member=w.a)
    _refused(
        lambda: cadres.enrolment_result(actor=SYSTEM, enrolment=enrolment, result="completed",
                                        result_on=d("2012-06-01")),
        "từ ngày bế giảng",
    )  # fmt: skip
    cadres.enrolment_result(actor=SYSTEM, enrolment=enrolment, result=Result.COMPLETED)
    q = Qualification.objects.get(member=w.a)
    assert (q.kind, q.level, q.obtained_on, q.enrolment_id) == (
        "theory",
        "intermediate",
        d("2013-03-01"),
        enrolment.pk,
    )
    assert queries.current_values(w.a, d("2013-03-01")) == [("Lý luận chính trị", "Trung cấp")]


def test_fostering_course_grants_no_level():
    w = world()
    _refused(lambda: _course(w, kind="fostering"), "không cấp văn bằng")
    _refused(lambda: _course(w, end=d("2012-01-01")), "không thể trước ngày khai giảng")


def test_a_holder_who_transferred_out_is_flagged_until_the_post_is_ended():
    w = world()
    t = term(w.g)
    h = hold(t, w.a)
    event(w.a, "transfer_out", "2012-05-01", place="Tỉnh khác")
    assert [x.pk for x in queries.holders_who_left(w.p, d("2012-05-01"))] == [h.pk]
    assert not queries.holders_who_left(w.p, d("2012-04-30")).exists()
    cadres.holding_end(actor=SYSTEM, holding=h, end=d("2012-05-01"), reason="moved")
    assert not queries.holders_who_left(w.p, d("2012-05-01")).exists()
    assert queries.vacancies_on(w.g, d("2012-05-01")) == {"secretary": 1, "deputy": 2,
                                                         "committee": 5}  # fmt: skip


def test_who_led_across_a_merger():
    w = world()
    t1 = term(w.c1, seats={"secretary": 1})
    t2 = term(w.c2, seats={"secretary": 1})
    hold(t1, w.a)
    hold(t2, w.c)
    merged = d("2020-01-01")
    unit_merge(actor=SYSTEM, sources=[w.c1], target=w.c2, date=merged)
    # The merged cell's committee ends with it; the successor's new term begins (appointed).
    new = term(w.c2, "2020-01-01", name="2020–2025", how="appointed",
               decision_number="5-QĐ/ĐU", seats={"secretary": 1, "deputy": 1})  # fmt: skip
    hold(new, w.a, how="appointed", decision_number="5-QĐ/ĐU")  # a came with the merger
    hold(new, w.c, "deputy", how="appointed", decision_number="5-QĐ/ĐU")
    day_before = merged - dt.timedelta(days=1)
    assert [s.full_name for s in queries.leaders_on(w.c1, day_before)] == [w.a.full_name]
    assert queries.leaders_on(w.c1, merged) == []
    assert [s.full_name for s in queries.leaders_on(w.c2, day_before)] == [w.c.full_name]
    assert [(s.post, s.full_name) for s in queries.leaders_on(w.c2, merged)] == [
        ("secretary", w.a.full_name), ("deputy", w.c.full_name)
    ]  # fmt: skip
    # Through the tree: G's subtree has one secretary post open on each side of the merger.
    assert queries.holdings_on(day_before, subtree=w.g).count() == 2
    assert queries.holdings_on(merged, subtree=w.g).count() == 2
    assert queries.vacancies_on(w.g, merged, subtree=True) == {}
    assert not queries.holders_who_left(w.g, merged).exists()
