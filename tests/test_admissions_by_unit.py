"""The review report's development section counts the admissions of a unit and all its children
by one GROUP BY (`development.queries.admissions_by_unit`, issue 18 session 10). On a generated
country it equals the row-by-row count it replaced (`_admissions_by_row`: every admission a
Python row), unit by unit, for the unit and each child, in several windows — with Youth Union
candidates (and a re-admission's file, which does not count), typed ethnicities, religions,
occupations and education values, and ages on the edges of a full year (the birthday on the
admission day, the day before and after, born 29/02 and admitted on 28/02 of a common and a leap
year or on 29/02: domain.md §2.2 counts age by month, `rules.age_months`)."""

import datetime as dt
import random

import pytest

from grassroots.development import queries
from grassroots.development.models import Candidate, ProposalSource
from grassroots.figures.queries import flow_stints
from grassroots.members.models import Member, MemberStint, Reason
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import children_at

pytestmark = pytest.mark.django_db

TYPED = {
    "ethnicity": ["Kinh", "", "Tày", "Nùng", "kinh", "H'Mông"],
    "religion": ["", "Không", "không", "Phật giáo", "Công giáo", "Tin Lành"],
    "occupation": ["Nông dân", "Công nhân", "", "Thợ săn", "Học sinh, sinh viên", "Giáo viên"],
    "education": ["12/12", "9/12", "", "Đại học Y", "lớp 7", "10/10"],
}


def _years_before(day: dt.date, years: int) -> dt.date:
    """The day `years` earlier (28/02 for a 29/02 that does not exist that year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return dt.date(day.year - years, 2, 28)


def _shape(rng: random.Random) -> list[int]:
    """Give some admitted members the values and birthdays the GROUP BY must count exactly as the
    row-by-row count does; return the ids of the members with a birthday on an edge."""
    stints = list(
        MemberStint.objects.filter(start_reason=Reason.ADMITTED)
        .order_by("pk")
        .values_list("pk", "member_id", "start", "unit_id")
    )
    picked = rng.sample(stints, min(400, len(stints)))
    edged, candidates = [], []
    for i, (pk, member_id, start, unit_id) in enumerate(picked):
        years = rng.choice([17, 18, 25, 30, 31, 45])
        kind = i % 8
        if kind == 0:  # a birthday on the admission day: the year is full
            birth = _years_before(start, years)
        elif kind == 1:  # a birthday the day after: one year less
            birth = _years_before(start + dt.timedelta(days=1), years)
        elif kind == 2:  # the day before
            birth = _years_before(start - dt.timedelta(days=1), years)
        elif kind in (3, 4, 5):  # born 29/02, admitted 28/02 of a common / leap year, or 29/02
            day = [dt.date(2023, 2, 28), dt.date(2024, 2, 28), dt.date(2024, 2, 29)][kind - 3]
            MemberStint.objects.filter(pk=pk).update(start=day)
            birth = dt.date(2000 - 4 * (years // 4), 2, 29)
        else:
            birth = None
        values = {field: rng.choice(choices) for field, choices in TYPED.items()}
        values["gender"] = rng.choice("MF")
        if birth is not None:
            values["birth_date"] = birth
            edged.append(member_id)
        Member.objects.filter(pk=member_id).update(**values)
        if i % 3 == 0:  # a Youth Union member as a candidate (a re-admission's file does not count)
            candidates.append(
                Candidate(
                    full_name=f"Quần chúng {i}",
                    search_name=f"quan chung {i}",
                    gender="F",
                    birth_date=dt.date(2000, 1, 1),
                    cell_id=unit_id,
                    proposed_on=start,
                    source=ProposalSource.YOUTH_UNION,
                    youth_union=i % 9 != 6,
                    member_id=member_id,
                    former_member_id=member_id if i % 12 == 3 else None,
                )
            )
    Candidate.objects.bulk_create(candidates)
    return edged


def test_grouped_admissions_equal_the_row_by_row_count_on_a_generated_country():
    from grassroots.scale.runs import generate

    generate(1500, seed=7)
    rng = random.Random(18)
    edged = set(_shape(rng))
    windows = [
        (dt.date(2023, 1, 1), dt.date(2024, 12, 31)),  # the 28/02 and 29/02 admissions
        (dt.date(2025, 6, 30), dt.date(2026, 9, 30)),  # across the 2025 mergers
        (dt.date(1990, 1, 1), dt.date(2026, 9, 30)),
        (dt.date(2024, 2, 28), dt.date(2024, 2, 29)),
    ]
    windows += [
        (since, since + dt.timedelta(days=rng.randint(30, 4000)))
        for since in (dt.date(rng.randint(1970, 2024), rng.randint(1, 12), 1) for _ in range(3))
    ]
    root = Unit.objects.get(code="N")
    checked = edge_counted = youth = 0
    for since, at in windows:
        parents = [root, *[v.unit for v in children_at(root, at)][:4]]
        for parent in parents:
            units = [parent, *[v.unit for v in children_at(parent, at)]]
            grouped = queries.admissions_by_unit(units, since, at)
            for u in units:
                expected = queries._admissions_by_row(u, since, at)
                assert grouped[u.pk] == expected, (u.code, since, at)
                checked += expected.admitted > 0
            youth += grouped[parent.pk].by["youth_union"]
        edge_counted += flow_stints(root, since, at, "admitted").filter(member_id__in=edged).count()
    # the comparison covered real admissions, the edges of a year and the Youth Union files
    assert checked >= 20 and edge_counted >= 50 and youth >= 10
    assert queries.admissions(root, *windows[2]) == queries._admissions_by_row(root, *windows[2])
