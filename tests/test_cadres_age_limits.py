"""Age and term limits (domain-processes.md §2.4, CT 45) as dated rule versions in the standards
check: a committee member elected at a congress under CT 45 needs one full term of working time
left (first election) or 48 months (re-election), counted to the retirement day."""

import datetime as dt

import pytest

from grassroots.cadres import config, standards
from grassroots.cadres.models import AgeRule, StandardVersion

from .cadres_world import hold, term, world
from .factories import admit, d, event

pytestmark = pytest.mark.django_db


def test_retirement_day_follows_the_yearly_steps():
    assert config.retirement_day(dt.date(1966, 3, 1), "M") == dt.date(2027, 12, 1)  # 61y9m
    assert config.retirement_day(dt.date(1968, 1, 1), "M") == dt.date(2030, 1, 1)  # 62y
    assert config.retirement_day(dt.date(1970, 5, 10), "F") == dt.date(2027, 9, 10)  # 57y4m
    assert config.retirement_day(dt.date(1950, 1, 1), "M") == dt.date(2010, 1, 1)  # 60y before 2021
    assert config.months_between(dt.date(2025, 7, 15), dt.date(2030, 1, 1)) == 53


def test_seeded_as_a_dated_version():
    version = StandardVersion.objects.get(code="CT45-2025")
    assert version.effective == dt.date(2025, 4, 14)
    rule = AgeRule.objects.get(version=version)
    assert (rule.first_months, rule.reelected_months, rule.confirmed) == (60, 48, True)
    assert config.age_rules_on(dt.date(2025, 1, 1)) == ()


@pytest.fixture
def w():
    w = world()
    born_1968 = {"birth_date": dt.date(1968, 1, 1)}
    w.again = admit(w.c1, "2008-03-01", full_name="Hoàng Tái Cử", **born_1968)
    w.first = admit(w.c1, "2008-03-01", full_name="Vũ Lần Đầu", **born_1968)
    w.old = admit(w.c2, "2008-03-01", full_name="Đỗ Cao Tuổi", birth_date=dt.date(1966, 3, 1))
    for m in (w.again, w.first, w.old):
        event(m, "official")
    t2020 = term(w.g, "2020-08-01", name="2020–2025", congress_date=d("2020-07-20"))
    hold(t2020, w.again, "committee")
    hold(t2020, w.old, "committee")  # before CT 45: no age limit
    w.t2020 = t2020
    return w


def _flags(unit, day):
    return {
        c.full_name: [g.label for g in c.gaps if g.kind == "age"]
        for c in standards.check(unit, day)
    }


def test_a_holder_over_the_age_limit_is_flagged_with_the_rule(w):
    assert _flags(w.p, d("2021-01-01")) == {"Hoàng Tái Cử": [], "Đỗ Cao Tuổi": []}
    t2025 = term(w.g, "2025-08-01", name="2025–2030", congress_date=d("2025-07-15"))
    hold(t2025, w.again, "committee")  # re-elected, 53 months left: ≥ 48, allowed
    hold(t2025, w.first, "committee")  # first election, 53 months left: < 60, flagged
    hold(t2025, w.old, "deputy")  # re-elected, 28 months left: < 48, flagged
    hold(t2025, w.a, "secretary")  # born 1970, 77 months left
    flags = _flags(w.p, d("2025-09-01"))
    assert flags["Hoàng Tái Cử"] == [] and flags[w.a.full_name] == []
    assert flags["Vũ Lần Đầu"] == [
        "Tuổi: tham gia lần đầu cần còn ít nhất 60 tháng công tác tại ngày đại hội 15/07/2025, "
        "còn 53 tháng (Chỉ thị 45-CT/TW)"
    ]
    assert "tái cử cần còn ít nhất 48 tháng" in flags["Đỗ Cao Tuổi"][0]
    assert "còn 28 tháng" in flags["Đỗ Cao Tuổi"][0]
    summary = standards.summary(w.p, d("2025-09-01"))
    assert summary["by_post"]["committee"]["below_standard"] == 1
    assert summary["by_post"]["deputy"]["below_standard"] == 1


def test_appointed_holders_and_later_starts_are_not_age_checked(w):
    t2025 = term(w.g, "2025-08-01", name="2025–2030", congress_date=d("2025-07-15"))
    hold(t2025, w.first, "committee", how="appointed", decision_number="5-QĐ/HU")
    hold(t2025, w.old, "committee", start="2025-10-01")  # added later, not by the congress
    assert _flags(w.p, d("2025-12-01")) == {"Vũ Lần Đầu": [], "Đỗ Cao Tuổi": []}


def test_the_limit_is_configurable_per_version(w):
    AgeRule.objects.filter(version__code="CT45-2025").update(first_months=48)
    t2025 = term(w.g, "2025-08-01", name="2025–2030", congress_date=d("2025-07-15"))
    hold(t2025, w.first, "committee")
    assert _flags(w.p, d("2025-09-01"))["Vũ Lần Đầu"] == []
