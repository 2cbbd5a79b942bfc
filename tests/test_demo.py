"""The demo province at a small scale: seeded, reproducible, realistic, and its figures agree with
the slow reference computation (tests/reference.py)."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from grassroots.accounts.models import Role, User
from grassroots.core.dates import add_months
from grassroots.demo.build import PASSWORD
from grassroots.demo.plan import make_plan
from grassroots.members.models import Member
from grassroots.organizations.models import Unit

from .reference import fast, reference

SCALE = 0.05
SEED = 11


def _fingerprint(plan):
    units = [
        (
            u.code,
            u.established,
            u.ended,
            [(v.start, v.end, v.name, v.kind, v.gtype, v.parent) for v in u.versions],
        )
        for u in plan.units.values()
    ]
    members = [
        (
            m.profile["profile_number"],
            m.profile["full_name"],
            m.profile["birth_date"],
            [(e.kind, e.date, e.unit, e.decision_date) for e in m.events],
        )
        for m in plan.members
    ]
    villages = [(v.code, v.name, v.states) for v in plan.villages]
    return units, members, villages, sorted(plan.populations.items())


def test_same_seed_gives_the_same_province_and_another_seed_another():
    first, again, other = make_plan(SEED, SCALE), make_plan(SEED, SCALE), make_plan(SEED + 1, SCALE)
    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)


def test_people_look_real():
    plan = make_plan(SEED, SCALE)
    profiles = [m.profile for m in plan.members]
    assert len({p["profile_number"] for p in profiles}) == len(profiles)
    assert all(re.fullmatch(r"\d{6}LS", p["profile_number"]) for p in profiles)
    assert len({p["citizen_id"] for p in profiles}) == len(profiles)
    assert all(re.fullmatch(r"020\d{9}", p["citizen_id"]) for p in profiles)
    cards = [p["card_number"] for p in profiles if p.get("card_number")]
    assert cards and len(set(cards)) == len(cards) and all(re.fullmatch(r"\d{8}", c) for c in cards)
    assert {p["ethnicity"] for p in profiles} >= {"Tày", "Nùng", "Kinh"}
    assert {p["full_name"].split()[0] for p in profiles} >= {"Hoàng", "Nông", "Vi", "Lộc"}
    for member in plan.members:
        admission = member.events[0]
        assert admission.kind == "admission"
        decided = admission.decision_date
        assert decided < admission.date  # decision and ceremony are kept apart
        age_at_decision = (decided - member.profile["birth_date"]).days / 365.25
        assert age_at_decision >= 18
        official = [e for e in member.events if e.kind == "official"]
        if official:  # official from the end of the 12-month probation
            assert official[0].date == add_months(admission.date, 12)
            assert member.profile.get("card_number")


def test_history_has_the_2025_reorganization():
    plan = make_plan(SEED, SCALE)
    # nothing the organization services would refuse (a unit before its parent, a cell under a cell...)
    assert plan.tree_problems() == []
    districts = [u for u in plan.units.values() if u.role == "district"]
    assert districts and all(u.ended == dt.date(2025, 7, 1) for u in districts)
    new_communes = [u for u in plan.units.values() if u.role == "commune_2025"]
    assert new_communes and all(
        u.versions[0].parent == "LS" and u.established == dt.date(2025, 7, 1) for u in new_communes
    )
    old_communes = [u for u in plan.units.values() if u.role == "commune"]
    assert all(u.ended == dt.date(2025, 7, 1) for u in old_communes)
    # the old communes' cells carry on under the new communes
    moved = [u for u in plan.units.values() if u.role == "c_village" and len(u.versions) > 1]
    assert moved and all(u.versions[-1].parent.startswith("LS-XM") for u in moved)
    kinds = {e.kind for m in plan.members for e in m.events}
    assert kinds >= {
        "admission",
        "official",
        "transfer",
        "temp_attach",
        "temp_return",
        "exemption",
        "discipline",
        "death",
        "transfer_in",
        "transfer_out",
        "restructure",
    }


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("demo", scale=SCALE, seed=SEED, verbosity=0, stdout=io.StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
def test_the_command_is_cached(demo_db):
    before = (Unit.objects.count(), Member.objects.count())
    out = io.StringIO()
    call_command("demo", scale=SCALE, seed=SEED, stdout=out)
    assert "đã có tỉnh mẫu LS" in out.getvalue()
    assert (Unit.objects.count(), Member.objects.count()) == before


@pytest.mark.django_db
def test_demo_personas(demo_db):
    admin_ls = User.objects.get(username="admin_ls")
    assert admin_ls.role == Role.ADMIN and admin_ls.scope.code == "LS" and admin_ls.is_staff
    assert admin_ls.check_password(PASSWORD)
    assert User.objects.get(username="canbo_dinhlap").scope.code == "LS-H189"
    assert User.objects.get(username="canbo_dinhlap").role == Role.CLERK
    viewer = User.objects.get(username="xem_xa")
    assert viewer.role == Role.VIEWER and viewer.scope.code.startswith("LS-X")
    assert User.objects.get(username="admin").is_superuser
    inspector = User.objects.get(username="kiemtra_ls")
    assert inspector.can_inspect and inspector.scope.code == "LS" and not inspector.is_superuser
    assert not admin_ls.can_inspect


@pytest.mark.django_db
def test_demo_figures_agree_with_the_reference(demo_db):
    d = dt.date.fromisoformat
    new_commune = (
        Unit.objects.filter(code__startswith="LS-XM")
        .exclude(code__contains="-C")
        .order_by("code")
        .first()
    )
    checks = [
        ("LS", d("2008-02-02"), None),
        ("LS", d("2019-02-23"), d("2008-02-02")),
        ("LS-H189", d("2025-06-30"), None),
        ("LS", d("2025-07-01"), d("2025-06-30")),
        (new_commune.code, d("2026-11-27"), None),
    ]
    for code, at, since in checks:
        unit = Unit.objects.get(code=code)
        assert fast(unit, at, since) == reference(unit, at, since), (code, at, since)


@pytest.mark.django_db
def test_recognized_on_the_day_the_cell_is_dissolved():
    """Found by the demo (2011-10-05): recognition and a move on the day the old cell ends."""
    from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec, UnitSpec, VersionSpec

    d = dt.date.fromisoformat
    loader = BulkLoader()
    loader.add_units(
        [
            UnitSpec(
                "P", d("2000-01-01"), None, [VersionSpec(d("2000-01-01"), None, "Tỉnh", "province")]
            ),
            UnitSpec(
                "D",
                d("2000-01-01"),
                None,
                [VersionSpec(d("2000-01-01"), None, "Huyện", "district", parent="P")],
            ),
            UnitSpec(
                "A",
                d("2000-01-01"),
                d("2001-06-01"),
                [
                    VersionSpec(
                        d("2000-01-01"),
                        d("2001-06-01"),
                        "Chi bộ A",
                        "grassroots_cell",
                        "agency",
                        "D",
                    )
                ],
            ),
            UnitSpec(
                "B",
                d("2000-01-01"),
                None,
                [VersionSpec(d("2000-01-01"), None, "Chi bộ B", "grassroots_cell", "agency", "D")],
            ),
        ]
    )
    loader.add_member(
        MemberSpec(
            {
                "full_name": "Vi Văn Ấn",
                "gender": "M",
                "birth_date": d("1980-01-01"),
                "profile_number": "000001LS",
            },
            [
                EventSpec("admission", d("2000-06-01"), "A", decision_date=d("2000-05-20")),
                EventSpec("official", d("2001-06-01")),
                EventSpec("restructure", d("2001-06-01"), "B"),
            ],
        )
    )
    loader.finish()
    province = Unit.objects.get(code="P")
    assert fast(province, d("2002-01-01"), d("2001-01-01")) == reference(
        province, d("2002-01-01"), d("2001-01-01")
    )


@pytest.mark.django_db
def test_demo_commune_of_today_writes_now_and_not_into_the_past(demo_db):
    """The accounts of a 2025 commune (issue 20 "Also"): they can write today, their view starts
    on 01/07/2025, and a backdated write into the old district's history is refused."""
    from django.core.exceptions import ValidationError

    from grassroots.accounts import access
    from grassroots.audit.models import Source
    from grassroots.audit.services import Actor
    from grassroots.members.models import EventKind
    from grassroots.members.services import member_record_event

    accounts = {u.username: u for u in User.objects.filter(username__startswith="xa_")}
    assert {name: u.role for name, u in accounts.items()} == {
        "xa_xem": Role.VIEWER,
        "xa_canbo": Role.CLERK,
        "xa_duyet": Role.APPROVER,
        "xa_quantri": Role.ADMIN,
    }
    scope = accounts["xa_canbo"].scope
    assert len({u.scope_id for u in accounts.values()}) == 1
    assert scope.code.startswith("LS-XM") and scope.ended is None
    clerk = accounts["xa_canbo"]
    member = next(
        m
        for m in access.members_visible(clerk).order_by("pk")[:200]
        if access.member_write_from(clerk, m) == dt.date(2025, 7, 1)
    )
    with pytest.raises(ValidationError):
        member_record_event(
            actor=Actor(clerk, Source.UI),
            member=member,
            kind=EventKind.DISCIPLINE,
            date=dt.date(2019, 5, 1),
            discipline_form="reprimand",
        )
    member_record_event(
        actor=Actor(clerk, Source.UI),
        member=member,
        kind=EventKind.DISCIPLINE,
        date=dt.date(2025, 9, 1),
        discipline_form="reprimand",
    )


@pytest.mark.django_db
def test_demo_resolution_22_cascade(demo_db):
    """Issue 17: the demo's Resolution 22 cascade in Lạng Sơn as of the 10-year review (the
    small build keeps Đình Lập, the city and the five province-level blocs and forces)."""
    import json

    from grassroots.directives.models import Document, StudySession

    c = json.loads(_cascade_json("23/02/2019"))
    print(json.dumps({k: v for k, v in c.items() if k != "children"}, ensure_ascii=False))
    assert (c["document"], c["unit"], c["at"]) == ("22-NQ/TW", "LS", "2019-02-23")
    districts = [ch for ch in c["children"] if ch["plan"]]
    # every district-level committee of 2008 issued its programme, at least one of them late
    assert len(districts) == 7 and all("CTr/" in ch["plan"]["number"] for ch in districts)
    assert c["plans_issued"] == 1 + 7 and 1 <= c["plans_late"] < 7
    # the province, its 7 committees and the grassroots organizations of 2008
    grassroots = StudySession.objects.filter(audience="members").count()
    assert c["organizations"] > 8 + grassroots * 0.9
    assert (
        c["study_sessions"]
        == StudySession.objects.filter(
            document__root__symbol="22-NQ/TW", date__lte=dt.date(2019, 2, 23)
        ).count()
    )
    assert 90 < c["study_coverage_pct"] < 100
    # sơ kết 2013 and tổng kết 2018–2019: the province's two and each committee's two
    assert c["reports_filed"] == 2 + 2 * 7
    assert Document.objects.filter(symbol__in=["11-NQ/ĐUK", "12-NQ/ĐUK"]).count() == 2
    assert Document.objects.filter(symbol__in=["132-QĐ/TW", "50-CT/TW"]).count() == 2
    before = json.loads(_cascade_json("2008-05-01"))
    assert before["plans_issued"] < c["plans_issued"] and before["reports_filed"] == 0


def _cascade_json(at: str) -> str:
    out = io.StringIO()
    call_command(
        "cascade", "--document", "22-NQ/TW", "--unit", "LS", "--at", at, "--json", stdout=out
    )
    return out.getvalue()


def test_the_2025_reorganization_is_read_as_applied_plans(demo_db, client):
    """Issue 12: the demo's 01/07/2025 changes are applied plans, one per new commune and one for
    the rest; each UnitChange of the day is in exactly one plan; a plan's page shows its changes
    and what they did (the new commune: nothing the day before, its members on the day)."""
    from grassroots.organizations.models import UnitChange
    from grassroots.plans.models import Plan, Source, Status

    day = dt.date(2025, 7, 1)
    plans = list(Plan.objects.filter(source=Source.DEMO).order_by("pk"))
    new_communes = Unit.objects.filter(established=day, code__startswith="LS-XM").exclude(
        code__contains="-C"
    )
    assert len(plans) == new_communes.count() + 1
    assert all(p.status == Status.APPLIED and p.effective_date == day for p in plans)
    linked = [pk for p in plans for pk in p.summary["unit_changes"]]
    assert sorted(linked) == sorted(
        UnitChange.objects.filter(date=day).values_list("pk", flat=True)
    )
    commune = new_communes.order_by("code").first()
    plan = next(
        p for p in plans if p.changes.filter(action="establish", code=commune.code).exists()
    )
    merged = list(plan.changes.filter(action="merge").values_list("target", flat=True))
    assert merged and all(t == commune.code or t.startswith(commune.code + "-") for t in merged)
    assert all(d["number"] for d in plan.decisions)
    client.force_login(User.objects.get(username="admin_ls"))
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Sáp nhập" in page and commune.code in page and 'id="outcome"' in page
    assert 'id="apply"' not in page
    affected = page[page.index('id="affected"') :]
    row = affected[affected.index(f"<td>{commune.code}</td>") :].split("</tr>")[0]
    # the commune did not exist the day before; on the day it has its members
    assert re.search(r"<td>– → [1-9][\d.]*</td>", row), row
    listing = client.get("/plans/").content.decode()
    assert plan.name in listing and "Đã thực hiện" in listing
    xlsx = client.get(f"/plans/{plan.pk}/preview.xlsx")
    assert xlsx.status_code == 200
