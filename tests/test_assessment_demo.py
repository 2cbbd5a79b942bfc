"""The demo rating history: exact published shares from the number of organizations at year end."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from grassroots.assessments import demo
from grassroots.assessments import queries as q
from grassroots.assessments.models import ConsolidationPlan, Rating, RoundAction
from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec, UnitSpec, VersionSpec
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import find_unit

pytestmark = pytest.mark.django_db
START = dt.date(2000, 1, 1)


def province(n_grassroots: int, *, members_each: int = 2, closing: dict | None = None):
    """LS with two districts and `n_grassroots` chi bộ cơ sở; `closing` = {code: end date}."""
    closing = closing or {}
    loader = BulkLoader()
    specs = [UnitSpec("LS", START, None, [VersionSpec(START, None, "Tỉnh", Kind.PROVINCE)])]
    for d in ("D1", "D2"):
        specs.append(
            UnitSpec(d, START, None, [VersionSpec(START, None, d, Kind.DISTRICT, parent="LS")])
        )
    for i in range(n_grassroots):
        code, end = f"G{i:03d}", closing.get(f"G{i:03d}")
        specs.append(
            UnitSpec(
                code,
                START,
                end,
                [
                    VersionSpec(
                        START,
                        end,
                        code,
                        Kind.GRASSROOTS_CELL,
                        "commune",
                        parent=("D1", "D2")[i % 2],
                    )
                ],
            )
        )
    loader.add_units(specs)
    n = 0
    for i in range(n_grassroots):
        if f"G{i:03d}" in closing:
            continue
        for _ in range(members_each):
            n += 1
            loader.add_member(
                MemberSpec(
                    {
                        "full_name": f"Đảng viên {n}",
                        "gender": "M",
                        "birth_date": dt.date(1970, 1, 1),
                        "profile_number": f"{n:06d}LS",
                    },
                    [
                        EventSpec(
                            "admission",
                            dt.date(2005, 3, 1),
                            f"G{i:03d}",
                            decision_date=dt.date(2005, 2, 1),
                        )
                    ],
                )
            )
    loader.finish()
    return find_unit("LS")


def test_top_count():
    assert demo.top_count(731, Decimal("45.55")) == 333
    assert demo.top_count(790, Decimal("56.05")) is None
    assert 785 in demo.workable_counts(Decimal("56.05"), 790)


def test_published_shares_reproduced_through_the_workflow():
    # 191 organizations at the end of 2008; 157 at the end of 2017 (34 closed in 2010).
    LS = province(191, closing={f"G{i:03d}": dt.date(2010, 7, 1) for i in range(157, 191)})
    demo.seed_demo_ratings("LS", seed=1, years=[2008, 2009, 2017, 2018, 2025])
    for year, pct in ((2008, 45.55), (2017, 56.05)):
        out = io.StringIO()
        call_command("assessment-summary", unit="LS", year=year, json=True, stdout=out)
        data = json.loads(out.getvalue())
        assert data["organizations_top_pct"] == pct
        assert data["not_rated_organizations"] == 0 and data["not_rated_members"] == 0
        assert data["members_rated"] == 2 * 157  # the 34 closing organizations have no members
        assert set(data["organizations"]) == {
            "trong_sach_vung_manh",
            "hoan_thanh_tot",
            "hoan_thanh",
            "yeu_kem",
        }
    s2025 = q.summary(LS, 2025)
    assert s2025.scheme.code == "qd366_2025" and s2025.grassroots.rated == 157
    assert Rating.objects.filter(year=2025, step="decision", score__isnull=True).count() == 0
    # Each year approved (locked) at the province, weak organizations have a plan.
    assert RoundAction.objects.filter(action="approve").count() == 5
    weak = q.weak_organizations(LS, 2008)
    assert weak and all(w.plan for w in weak)
    assert ConsolidationPlan.objects.filter(year=2008).count() == len(weak)
    # Running again does not rate a year twice.
    assert demo.seed_demo_ratings("LS", seed=1, years=[2008]) == []


def test_unreachable_share_names_the_workable_counts():
    province(20, members_each=0)
    with pytest.raises(demo.DemoTargetError, match="20 tổ chức cơ sở đảng"):
        demo.seed_demo_ratings("LS", seed=1, years=[2008])


def test_summary_text_output():
    province(157, members_each=1)
    demo.seed_demo_ratings("LS", seed=3, years=[2017])
    out = io.StringIO()
    call_command("assessment-summary", unit="LS", year=2017, stdout=out)
    text = out.getvalue()
    assert (
        "Hướng dẫn 27-HD/BTCTW (2014)" in text
        and "Trong sạch, vững mạnh" in text
        and "56,05%" in text
    )
