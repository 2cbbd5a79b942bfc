"""Each rule of issue 6 point 3, once per scheme it applies to (domain.md §3)."""

import pytest
from django.core.exceptions import ValidationError

from grassroots.assessments import follow_up
from grassroots.assessments import queries as q
from grassroots.assessments import services as svc
from grassroots.assessments.models import Rating, Scheme, Step, Subject
from grassroots.members.models import DisciplineForm, EventKind
from grassroots.restructure import services as restructure

from .factories import SYSTEM, admit, d, event
from .test_assessment_helpers import (
    NEW_SCHEMES,
    OLD_SCHEMES,
    SCHEME_YEARS,
    build_tree,
    decide,
    levels,
    members,
    open_round,
)

pytestmark = pytest.mark.django_db
ALL = list(SCHEME_YEARS)


@pytest.fixture
def tree():
    return build_tree()


def test_schemes_cover_every_year_once():
    for year in range(2008, 2031):
        governing = [s.code for s in Scheme.objects.all() if s.governs(year)]
        assert len(governing) == 1, year
    assert q.scheme_for_year(2017).code == "hd27_2014"
    assert q.scheme_for_year(2018).code == "qd132_2018"
    assert q.scheme_for_year(2023).code == "qd124_2023"
    assert q.scheme_for_year(2025).code == "qd366_2025"
    old = Scheme.objects.get(code="hd20_2008").levels.get(subject=Subject.ORGANIZATION, is_top=True)
    assert old.label == "Trong sạch, vững mạnh"
    assert (
        Scheme.objects.get(code="qd366_2025").levels.get(subject=Subject.MEMBER, order=2).min_score
        == 70
    )


# Who must be rated -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ALL)
def test_transferred_member_is_rated_where_they_are_at_year_end(tree, scheme):
    year = SCHEME_YEARS[scheme]
    (m,) = members(tree["C11"], 1)
    event(m, EventKind.TRANSFER, f"{year}-06-01", tree["C31"])
    rnd = open_round(tree["P"], year)
    rating = decide(rnd, levels(rnd, Subject.MEMBER)[1], member=m)
    assert (rating.unit_id, rating.grassroots_id) == (tree["C31"].pk, tree["G3"].pk)
    # A round of the district the member left does not rate them.
    assert m.pk not in q.members_due(tree["D1"], year, q.Rules.of(rnd.scheme))


@pytest.mark.parametrize("scheme", ALL)
def test_exempt_member_is_not_rated(tree, scheme):
    year = SCHEME_YEARS[scheme]
    (m,) = members(tree["C11"], 1)
    event(m, EventKind.EXEMPTION, f"{year}-03-01")
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="miễn công tác"):
        decide(rnd, levels(rnd, Subject.MEMBER)[1], member=m)


@pytest.mark.parametrize("scheme", ALL)
def test_member_admitted_after_cutoff_is_not_rated_yet(tree, scheme):
    year = SCHEME_YEARS[scheme]
    early = admit(tree["C11"], f"{year}-03-01")
    late = admit(tree["C11"], f"{year}-09-01")
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="Mới kết nạp sau ngày 01/07") as exc:
        decide(rnd, levels(rnd, Subject.MEMBER)[2], member=late)
    assert "chưa được xác minh" in str(exc.value)  # the cutoff is [UNCONFIRMED] and says so
    decide(rnd, levels(rnd, Subject.MEMBER)[2], member=early)


@pytest.mark.parametrize("scheme", ALL)
def test_member_who_died_during_the_year_is_not_rated(tree, scheme):
    year = SCHEME_YEARS[scheme]
    (m,) = members(tree["C11"], 1)
    event(m, EventKind.DEATH, f"{year}-05-01")
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="không sinh hoạt trong P"):
        decide(rnd, levels(rnd, Subject.MEMBER)[2], member=m)


@pytest.mark.parametrize("scheme", ALL)
def test_dissolved_organization_is_not_rated(tree, scheme):
    year = SCHEME_YEARS[scheme]
    restructure.unit_dissolve(actor=SYSTEM, unit=tree["C12"], date=d(f"{year}-06-01"))
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="không phải tổ chức đảng thuộc diện xếp loại"):
        decide(rnd, levels(rnd, Subject.ORGANIZATION)[1], unit=tree["C12"])


# The 20% cap -------------------------------------------------------------------------------------


def _rate_group(rnd, people, plan):
    entries = [svc.Entry(level=lv, member=m) for m, lv in zip(people, plan, strict=True)]
    if rnd.scheme.has_score:
        from .test_assessment_helpers import SCORE_FOR, good_facts

        for e in entries:
            e.score, e.facts = SCORE_FOR[e.level], good_facts()
    return svc.assessment_record_many(actor=SYSTEM, round=rnd, step=Step.DECISION, entries=entries)


@pytest.mark.parametrize("scheme", NEW_SCHEMES)
def test_excellent_members_capped_at_20_percent_of_good(tree, scheme):
    year = SCHEME_YEARS[scheme]
    people = members(tree["C11"], 4) + members(tree["C12"], 3)  # one grassroots organization: G1
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="vượt quá 20%") as exc:
        _rate_group(rnd, people, ["xuat_sac", "xuat_sac", "tot", "tot", "tot", "tot", "tot"])
    assert ("chưa được xác minh" in str(exc.value)) == (scheme != "qd132_2018")
    _rate_group(rnd, people, ["xuat_sac", "tot", "tot", "tot", "tot", "tot", "hoan_thanh"])
    # Raising one more to excellent, cell by cell, is refused too.
    with pytest.raises(ValidationError, match="vượt quá 20%"):
        decide(rnd, "xuat_sac", member=people[1])


@pytest.mark.parametrize("scheme", NEW_SCHEMES)
def test_cap_waits_while_decisions_are_still_coming(tree, scheme):
    year = SCHEME_YEARS[scheme]
    people = members(tree["C11"], 6)
    rnd = open_round(tree["P"], year)
    decide(rnd, "xuat_sac", member=people[0])  # five undecided could still be "good"
    with pytest.raises(ValidationError, match="còn 4 chưa xếp loại"):
        decide(rnd, "hoan_thanh", member=people[1])


@pytest.mark.parametrize("scheme", OLD_SCHEMES)
def test_old_schemes_have_no_cap(tree, scheme):
    year = SCHEME_YEARS[scheme]
    people = members(tree["C11"], 3)
    rnd = open_round(tree["P"], year)
    _rate_group(rnd, people, ["xuat_sac", "xuat_sac", "tot"])


# Score thresholds and QĐ 366 conditions ----------------------------------------------------------


@pytest.fixture
def r366(tree):
    return open_round(tree["P"], 2025)


@pytest.mark.parametrize(
    "level,score,facts,message",
    [
        ("xuat_sac", 85, None, "85 điểm chỉ đạt mức Hoàn thành tốt nhiệm vụ"),
        ("tot", 69.5, None, "69,5 điểm chỉ đạt mức Hoàn thành nhiệm vụ"),
        ("hoan_thanh", 49, None, "49 điểm chỉ đạt mức Không hoàn thành"),
        ("xuat_sac", 95, {"tasks_on_time_pct": 100, "tasks_exceeding_pct": 20}, "ít nhất 30%"),
        ("xuat_sac", 95, {"tasks_on_time_pct": 90, "tasks_exceeding_pct": 40}, "đúng hạn"),
        ("xuat_sac", 95, {}, "cần nhập tỷ lệ nhiệm vụ vượt yêu cầu"),
        ("tot", 80, {"tasks_on_time_pct": 95}, "100% nhiệm vụ phải hoàn thành đúng hạn"),
        ("hoan_thanh", 60, {"tasks_done_pct": 90}, "100% nhiệm vụ phải được hoàn thành"),
        ("tot", 95, None, "xếp loại thấp hơn cần ghi rõ lý do"),
    ],
)
def test_qd366_member_thresholds_and_conditions(tree, r366, level, score, facts, message):
    (m,) = members(tree["C11"], 1)
    with pytest.raises(ValidationError, match=message):
        decide(r366, level, member=m, score=score, facts=facts)


def test_qd366_score_is_required_and_boundaries_hold(tree, r366):
    a, b, c = members(tree["C11"], 3)
    with pytest.raises(ValidationError, match="cần nhập điểm"):
        svc.assessment_decide(actor=SYSTEM, round=r366, level="hoan_thanh", member=a)
    decide(r366, "tot", member=a, score=70)
    decide(r366, "hoan_thanh", member=b, score=50)
    decide(r366, "tot", member=c, score=95, note="Có nhiệm vụ chưa đạt chất lượng")


def test_qd366_collective_conditions(tree, r366):
    late = {"tasks_done_pct": 100, "tasks_on_time_pct": 70, "tasks_late_pct": 30}
    with pytest.raises(ValidationError, match="không quá 20% nhiệm vụ chậm tiến độ"):
        decide(r366, "hoan_thanh", unit=tree["C11"], facts=late)
    from grassroots.organizations.models import Kind

    from .factories import unit

    for i in range(
        4
    ):  # 1 of 6 subordinate cells disciplined: under the 20% rule, still no "excellent"
        unit(f"C1{i + 3}", Kind.SUBORDINATE_CELL, tree["G1"])
    follow_up.organization_discipline_record(
        actor=SYSTEM,
        unit=tree["C12"],
        target="organization",
        form="reprimand",
        date=d("2025-04-01"),
    )
    with pytest.raises(ValidationError, match="không được xếp loại Hoàn thành xuất sắc"):
        decide(r366, "xuat_sac", unit=tree["G1"])
    decide(r366, "tot", unit=tree["G1"])


@pytest.mark.parametrize("scheme", [s for s in SCHEME_YEARS if s != "qd366_2025"])
def test_unscored_schemes_refuse_scores(tree, scheme):
    (m,) = members(tree["C11"], 1)
    rnd = open_round(tree["P"], SCHEME_YEARS[scheme])
    with pytest.raises(ValidationError, match="không chấm điểm"):
        decide(rnd, levels(rnd, Subject.MEMBER)[1], member=m, score=95)
    rating = decide(rnd, levels(rnd, Subject.MEMBER)[1], member=m)
    assert rating.score is None and rating.scheme.code == scheme


# Disqualifications -------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", NEW_SCHEMES)
def test_member_disciplined_in_the_year_is_not_completed(tree, scheme):
    year = SCHEME_YEARS[scheme]
    a, b = members(tree["C11"], 2)
    event(a, EventKind.DISCIPLINE, f"{year}-04-01", discipline_form=DisciplineForm.REPRIMAND)
    # A voided discipline, or one in another year, does not count.
    e = event(b, EventKind.DISCIPLINE, f"{year}-04-01", discipline_form=DisciplineForm.REPRIMAND)
    from grassroots.members.services import member_void_event

    member_void_event(actor=SYSTEM, event=e, reason="Nhập nhầm")
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="bị kỷ luật trong năm") as exc:
        decide(rnd, "hoan_thanh", member=a)
    assert ("chưa được xác minh" in str(exc.value)) == (scheme == "qd366_2025")
    decide(rnd, "khong_hoan_thanh", member=a)
    decide(rnd, "tot", member=b)


@pytest.mark.parametrize("scheme", OLD_SCHEMES)
def test_old_schemes_do_not_encode_discipline(tree, scheme):
    year = SCHEME_YEARS[scheme]
    (a,) = members(tree["C11"], 1)
    event(a, EventKind.DISCIPLINE, f"{year}-04-01", discipline_form=DisciplineForm.REPRIMAND)
    rnd = open_round(tree["P"], year)
    decide(rnd, "hoan_thanh", member=a)  # HD 20 / HD 27 criteria are [UNCONFIRMED] (§7.11)


@pytest.mark.parametrize("scheme", NEW_SCHEMES)
def test_organization_whose_leadership_was_disciplined(tree, scheme):
    year = SCHEME_YEARS[scheme]
    follow_up.organization_discipline_record(
        actor=SYSTEM, unit=tree["G3"], target="leadership", form="warning", date=d(f"{year}-05-01")
    )
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="Tập thể lãnh đạo bị kỷ luật"):
        decide(rnd, "hoan_thanh", unit=tree["G3"])
    decide(rnd, "khong_hoan_thanh", unit=tree["G3"])


@pytest.mark.parametrize("scheme", ["qd124_2023", "qd366_2025"])
def test_more_than_20_percent_of_subordinate_units_disciplined(tree, scheme):
    year = SCHEME_YEARS[scheme]
    follow_up.organization_discipline_record(
        actor=SYSTEM,
        unit=tree["C11"],
        target="organization",
        form="reprimand",
        date=d(f"{year}-05-01"),
    )
    rnd = open_round(tree["P"], year)
    with pytest.raises(ValidationError, match="1/2 tổ chức trực thuộc bị kỷ luật"):
        decide(rnd, "hoan_thanh", unit=tree["G1"])
    decide(rnd, "khong_hoan_thanh", unit=tree["G1"])


def test_qd132_has_no_subordinate_share_rule(tree):
    follow_up.organization_discipline_record(
        actor=SYSTEM,
        unit=tree["C11"],
        target="organization",
        form="reprimand",
        date=d("2019-05-01"),
    )
    rnd = open_round(tree["P"], 2019)
    decide(rnd, "tot", unit=tree["G1"])


# Two years running -------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [2009, 2015, 2017, 2020, 2023, 2024, 2025])
def test_lowest_level_two_years_running_flags_removal(tree, first):
    a, b = members(tree["C11"], 2)
    flags = {}
    for year in (first, first + 1):
        rnd = open_round(tree["P"], year)
        lowest = levels(rnd, Subject.MEMBER)[-1]
        decide(rnd, lowest, member=a)
        decide(rnd, lowest if year == first else levels(rnd, Subject.MEMBER)[2], member=b)
        flags[year] = {
            r.member_id: r.flags for r in Rating.objects.filter(year=year, step="decision")
        }
    assert flags[first][a.pk] == []
    assert flags[first + 1][a.pk] == ["removal_procedure"]
    assert flags[first + 1][b.pk] == []
    assert [m.pk for m in q.removal_candidates(tree["P"], first + 1)] == [a.pk]
