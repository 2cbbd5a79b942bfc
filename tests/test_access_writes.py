"""Writes through time and roles, enforced by the services for every caller (issue 20 §2, §5).

The world: province P with district D2 and its commune G2 (cell C2). On 2025-07-01 the new
commune N is established under P and cell C2 moves to it (domain.md §1.3), so N's accounts see
C2's member Hoàng from 01/07/2025 only; the 20 years before belong to D2's history.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from grassroots.accounts import access
from grassroots.accounts.models import Role, User
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.dates import FAR_FUTURE
from grassroots.excel import schema
from grassroots.excel.importer import Importer
from grassroots.figures.queries import figures
from grassroots.members import services as members
from grassroots.members.models import EventKind, MemberEvent
from grassroots.members.queries import revision
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.queries import version_at
from grassroots.restructure import services as restructure

from .excel_helpers import headers, workbook
from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db
PASSWORD = "Grassroots@2026"


@pytest.fixture
def w():
    P = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Pê")
    D2 = unit("D2", Kind.DISTRICT, P, name="Đảng bộ huyện Hai")
    G2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, D2, name="Đảng bộ xã Hai")
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G2, name="Chi bộ thôn Hai")
    hoang = admit(C2, "2005-03-01", full_name="Hoàng Văn Cũ")
    event(hoang, EventKind.OFFICIAL)
    N = unit("N", Kind.GRASSROOTS_COMMITTEE, P, date="2025-07-01", name="Đảng bộ xã Mới")
    orgs.unit_move(actor=SYSTEM, unit=C2, new_parent=N, date=d("2025-07-01"))
    world = dict(locals())
    for name, scope, role in (
        ("viewer_n", N, Role.VIEWER),
        ("clerk_n", N, Role.CLERK),
        ("approver_n", N, Role.APPROVER),
        ("clerk_p", P, Role.CLERK),
        ("approver_p", P, Role.APPROVER),
    ):
        world[name] = User.objects.create_user(name, password=PASSWORD, scope=scope, role=role)
    return world


def as_(user, source=Source.UI) -> Actor:
    return Actor(user, source)


def members_2019(w) -> int:
    return figures(w["P"], d("2019-12-31")).members


# --- §5: a member write dated before the writer's view of the member began --------------------


def test_a_backdated_death_is_refused_and_nothing_is_written(w):
    before = members_2019(w)
    count = MemberEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        members.member_record_event(
            actor=as_(w["clerk_n"]), member=w["hoang"], kind=EventKind.DEATH, date=d("2010-01-01")
        )
    assert "nằm ngoài thời gian đảng viên thuộc phạm vi của tài khoản (từ ngày 01/07/2025)" in str(
        refused.value
    )
    assert MemberEvent.objects.count() == count
    assert members_2019(w) == before
    # Inside the clerk's view the same event is written.
    members.member_record_event(
        actor=as_(w["clerk_n"]), member=w["hoang"], kind=EventKind.DEATH, date=d("2026-01-05")
    )
    assert MemberEvent.objects.count() == count + 1


def test_the_form_refuses_a_backdated_event_with_a_vietnamese_message(w):
    client = Client()
    client.force_login(w["clerk_n"])
    w["hoang"].refresh_from_db()
    page = client.post(
        f"/members/{w['hoang'].pk}/events/death/",
        {"date": "01/01/2010", "expected_version": revision(w["hoang"])},
    )
    assert page.status_code == 200
    assert "nằm ngoài thời gian đảng viên thuộc phạm vi của tài khoản" in page.content.decode()
    assert not w["hoang"].events.filter(kind=EventKind.DEATH).exists()


def test_backdated_transfer_void_and_correction_are_refused(w):
    discipline = event(w["hoang"], EventKind.DISCIPLINE, "2010-05-01", discipline_form="reprimand")
    clerk = as_(w["clerk_n"])
    with pytest.raises(ValidationError):
        members.member_transfer(
            actor=clerk, member=w["hoang"], to_unit=w["C2"], date=d("2020-01-01")
        )
    with pytest.raises(ValidationError):
        members.member_void_event(actor=clerk, event=discipline, reason="nhầm")
    admission = w["hoang"].events.get(kind=EventKind.ADMISSION)
    with pytest.raises(ValidationError):
        members.member_correct_event(
            actor=clerk, event=admission, reason="nhầm", date=d("2005-04-01")
        )
    # An event inside the view can be corrected, but not moved to before the view began.
    recent = event(w["hoang"], EventKind.EXEMPTION, "2025-09-01")
    with pytest.raises(ValidationError):
        members.member_correct_event(actor=clerk, event=recent, reason="nhầm", date=d("2024-09-01"))
    members.member_correct_event(actor=clerk, event=recent, reason="nhầm", date=d("2025-10-01"))
    # The province saw the whole life: its clerk may void the 2010 discipline.
    members.member_void_event(actor=as_(w["clerk_p"]), event=discipline, reason="nhầm")


def test_admission_backdated_into_another_scope_is_refused(w):
    profile = {"full_name": "Vũ Thị Mới", "gender": "F", "birth_date": d("1990-01-01")}
    with pytest.raises(ValidationError):
        members.member_admit(
            actor=as_(w["clerk_n"]),
            unit=w["C2"],
            ceremony_date=d("2015-01-01"),
            decision_date=d("2014-12-20"),
            profile_number="900001LS",
            **profile,
        )
    member = members.member_admit(
        actor=as_(w["clerk_n"]),
        unit=w["C2"],
        ceremony_date=d("2025-08-01"),
        decision_date=d("2025-07-20"),
        profile_number="900002LS",
        **profile,
    )
    assert member.pk


def test_member_writes_need_the_clerk_role_in_the_service(w):
    with pytest.raises(PermissionDenied):
        members.member_update_profile(
            actor=as_(w["viewer_n"]), member=w["hoang"], occupation="Nông dân"
        )
    with pytest.raises(PermissionDenied):
        members.member_record_event(
            actor=as_(w["viewer_n"]),
            member=w["hoang"],
            kind=EventKind.EXEMPTION,
            date=d("2026-01-05"),
        )
    # An anonymous web request is never the system.
    with pytest.raises(PermissionDenied):
        members.member_update_profile(
            actor=Actor(None, Source.UI), member=w["hoang"], occupation="Nông dân"
        )
    members.member_update_profile(actor=as_(w["clerk_n"]), member=w["hoang"], occupation="Nông dân")


def test_an_import_of_backdated_events_changes_nothing(w, tmp_path):
    before = members_2019(w)
    path = workbook(
        tmp_path / "events.xlsx",
        {
            schema.EVENTS.name: [
                headers(schema.EVENTS),
                [w["hoang"].profile_number, "Từ trần", "01/01/2010"],
            ]
        },
    )
    report = Importer(path, user=w["clerk_n"]).run(actor=as_(w["clerk_n"], Source.IMPORT))
    assert not report.written
    assert any("nằm ngoài thời gian đảng viên" in m for m in report.messages()), report.messages()
    assert not w["hoang"].events.filter(kind=EventKind.DEATH).exists()
    assert members_2019(w) == before


# --- §2: organization changes are for approvers, in the service ---------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda w, a: orgs.unit_rename(actor=a, unit=w["C2"], name="Tên khác", date=d("2026-01-05")),
        lambda w, a: restructure.unit_dissolve(actor=a, unit=w["N"], date=d("2026-01-05")),
        lambda w, a: restructure.unit_split(
            actor=a,
            unit=w["C2"],
            parts=[
                restructure.SplitPart("Y1", "Chi bộ Y1", Kind.SUBORDINATE_CELL),
                restructure.SplitPart("Y2", "Chi bộ Y2", Kind.SUBORDINATE_CELL),
            ],
            date=d("2026-01-05"),
        ),
        lambda w, a: orgs.unit_move(
            actor=a, unit=w["C2"], new_parent=w["G2"], date=d("2026-01-05")
        ),
        lambda w, a: restructure.unit_change_kind(
            actor=a, unit=w["C2"], kind=Kind.GRASSROOTS_CELL, date=d("2026-01-05")
        ),
        lambda w, a: restructure.unit_merge(
            actor=a, sources=[w["G2"]], target=w["N"], date=d("2026-01-05")
        ),
        lambda w, a: orgs.unit_establish(
            actor=a,
            code="X1",
            name="Chi bộ X",
            kind=Kind.SUBORDINATE_CELL,
            parent=w["N"],
            date=d("2026-01-05"),
        ),
    ],
)
def test_organization_services_refuse_a_clerk_whatever_the_door(w, change):
    for source in (Source.UI, Source.IMPORT, Source.API, Source.CLI):
        with pytest.raises(PermissionDenied):
            change(w, as_(w["clerk_p"], source))


def test_an_approver_changes_organizations_only_inside_their_view(w):
    approver = as_(w["approver_n"])
    with pytest.raises(ValidationError) as refused:
        orgs.unit_rename(actor=approver, unit=w["C2"], name="Tên cũ khác", date=d("2010-01-01"))
    assert "nằm ngoài thời gian tổ chức C2" in str(refused.value)
    with pytest.raises(PermissionDenied):  # the target lies outside the commune's scope
        orgs.unit_move(actor=approver, unit=w["C2"], new_parent=w["G2"], date=d("2026-01-05"))
    orgs.unit_rename(actor=approver, unit=w["C2"], name="Chi bộ thôn Hai mới", date=d("2026-01-05"))
    orgs.unit_rename(
        actor=as_(w["approver_p"]), unit=w["C2"], name="Chi bộ thôn Hai cũ", date=d("2010-01-01")
    )
    assert version_at(w["C2"], d("2010-06-01")).name == "Chi bộ thôn Hai cũ"


def test_a_clerk_cannot_rename_or_dissolve_through_import(w, tmp_path):
    changes = [
        headers(schema.CHANGES),
        ["C2", "Đổi tên", "05/01/2026", "Chi bộ do cán bộ đổi tên"],
        ["G2", "Giải thể", "05/01/2026"],
    ]
    path = workbook(
        tmp_path / "changes.xlsx",
        {
            schema.CHANGES.name: changes,
            schema.ORGANIZATIONS.name: [
                headers(schema.ORGANIZATIONS),
                ["X9", "Chi bộ mới", "Chi bộ trực thuộc", "", "N", "05/01/2026"],
            ],
        },
    )
    report = Importer(path, user=w["clerk_p"]).run(actor=as_(w["clerk_p"], Source.IMPORT))
    assert not report.written
    assert sum("cần vai trò Người phê duyệt" in m for m in report.messages()) == 3
    assert version_at(w["C2"], d("2026-02-01")).name == "Chi bộ thôn Hai"
    assert Unit.objects.get(code="G2").ended is None
    assert not Unit.objects.filter(code="X9").exists()
    # The changes from an approver of the province are written.
    path = workbook(tmp_path / "approver.xlsx", {schema.CHANGES.name: changes})
    report = Importer(path, user=w["approver_p"]).run(actor=as_(w["approver_p"], Source.IMPORT))
    assert report.written, report.messages()
    assert Unit.objects.get(code="G2").ended == d("2026-01-05")


# --- §4: assessment rounds and results are read as of the round's year ---------------------


def test_rounds_and_results_need_the_unit_in_scope_at_the_year_end(w):
    from grassroots.assessments.services import round_open

    old = round_open(actor=SYSTEM, unit=w["P"], year=2019)
    new = round_open(actor=SYSTEM, unit=w["P"], year=2025)
    viewer = Client()
    viewer.force_login(w["viewer_n"])
    # Commune N (2025) does not see C2's 2019 round, in which Hoàng is rated in district D2.
    page = viewer.get(f"/assessments/rounds/{old.pk}/C2/")
    assert page.status_code == 404
    assert viewer.get(f"/assessments/rounds/{old.pk}/C2/export.xlsx").status_code in (403, 404)
    assert viewer.get("/assessments/results/C2/?year=2019").status_code == 404
    page = viewer.get(f"/assessments/rounds/{new.pk}/C2/")
    assert page.status_code == 200 and "Hoàng Văn Cũ" in page.content.decode()
    assert viewer.get("/assessments/results/C2/?year=2025").status_code == 200
    assert viewer.get("/assessments/results/C2/").status_code == 200
    # The province saw C2 in 2019.
    province = Client()
    province.force_login(w["approver_p"])
    assert province.get(f"/assessments/rounds/{old.pk}/C2/").status_code == 200


# --- §7: an account is never wider in time than its creator --------------------------------


def test_an_administrator_cannot_assign_a_scope_that_joined_later(w):
    from grassroots.accounts import access
    from grassroots.accounts import services as accounts

    admin_n = User.objects.create_user("admin_n", password=PASSWORD, scope=w["N"], role="admin")
    assert list(access.scopes_assignable(admin_n).values_list("code", flat=True)) == ["N"]
    with pytest.raises((PermissionDenied, ValidationError)):
        accounts.account_create(
            actor=as_(admin_n),
            username="clerk_c2",
            password="Grassroots@2026-x",
            scope=w["C2"],
            role=Role.CLERK,
        )
    assert not User.objects.filter(username="clerk_c2").exists()
    # An account of C2 made by the province is not the commune's to manage (it reads 2005–2025).
    c2 = User.objects.create_user("c2", password=PASSWORD, scope=w["C2"], role="clerk")
    assert c2 not in access.accounts_visible(admin_n)
    assert w["clerk_n"] in access.accounts_visible(admin_n)
    admin_p = User.objects.create_user("admin_p", password=PASSWORD, scope=w["P"], role="admin")
    assert "C2" in access.scopes_assignable(admin_p).values_list("code", flat=True)
    assert c2 in access.accounts_visible(admin_p)


# --- §18: profile views -----------------------------------------------------------------


def test_opening_the_edit_form_logs_a_profile_view(w):
    from grassroots.audit.models import ProfileView

    client = Client()
    client.force_login(w["clerk_n"])
    assert client.get(f"/members/{w['hoang'].pk}/edit/").status_code == 200
    assert ProfileView.objects.filter(viewer=w["clerk_n"], member=w["hoang"]).count() == 1


def test_profile_view_list_shows_only_accounts_the_administrator_manages(w):
    from grassroots.audit.models import ProfileView

    admin_n = User.objects.create_user("admin_n", password=PASSWORD, scope=w["N"], role="admin")
    root = User.objects.create_superuser("root_x", password=PASSWORD)
    ProfileView.objects.create(viewer=root, member=w["hoang"], address="10.9.9.9")
    ProfileView.objects.create(viewer=w["approver_p"], member=w["hoang"], address="10.8.8.8")
    ProfileView.objects.create(viewer=w["clerk_n"], member=w["hoang"], address="10.7.7.7")
    client = Client()
    client.force_login(admin_n)
    page = client.get("/accounts/profile-views/").content.decode()
    assert "10.7.7.7" in page and "clerk_n" in page
    for hidden in ("10.9.9.9", "root_x", "10.8.8.8", "approver_p"):
        assert hidden not in page


# --- §9: pages and exports stop where the viewer's view stopped --------------------------


@pytest.fixture
def past():
    """tests/test_access.py's world: district D1 (and its clerk's view) ended on 01/07/2025."""
    from .test_access import build_world

    w = build_world()
    members.member_update_profile(actor=SYSTEM, member=w["inside"], occupation="Nghề sau 2025")
    orgs.unit_rename(actor=SYSTEM, unit=w["G1"], name="Đảng bộ xã Một Mới", date=d("2026-01-01"))
    return w


def test_a_past_member_page_stops_at_the_end_of_the_view(past):
    clerk = Client()
    clerk.force_login(past["clerk_d1"])
    page = clerk.get(f"/members/{past['inside'].pk}/").content.decode()
    assert "Nghề sau 2025" not in page  # today's profile, and its audit line
    assert "Miễn" not in page  # the 2026 exemption: not the status the district saw
    province = Client()
    province.force_login(past["admin_p"])
    page = province.get(f"/members/{past['inside'].pk}/").content.decode()
    assert "Nghề sau 2025" in page and "Miễn" in page


def test_an_organization_page_stops_at_the_end_of_the_view(past):
    clerk = Client()
    clerk.force_login(past["clerk_d1"])
    page = clerk.get("/units/G1/").content.decode()
    assert "Đảng bộ xã Một" in page and "Một Mới" not in page
    province = Client()
    province.force_login(past["admin_p"])
    assert "Một Mới" in province.get("/units/G1/").content.decode()


def test_the_figures_export_is_of_the_last_day_seen(past):
    clerk = Client()
    clerk.force_login(past["clerk_d1"])
    text = clerk.get("/excel/export/figures/?unit=G1&format=csv").content.decode()
    assert "30/06/2025" in text and "Một Mới" not in text


def _cells(response) -> set:
    return _book_cells(response.content)


def _book_cells(content: bytes) -> set:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    }


def _members_listing(client, unit: str, at: str) -> set:
    """The member list as the pages make it: a job (run inline in tests), then its file."""
    job = client.post("/excel/exports/", {"unit": unit, "at": at})
    download = client.get(job["Location"] + "download/")
    assert download.status_code == 200
    return _book_cells(b"".join(download.streaming_content))


def test_the_workbook_export_holds_only_the_part_seen(w):
    client = Client()
    client.force_login(w["approver_n"])
    cells = _cells(client.get("/excel/export/workbook/?unit=N"))
    assert "C2" in cells and "Hoàng Văn Cũ" in cells
    # C2's 20 years in district D2 (its name then, its parent G2) are not the commune's.
    assert "G2" not in cells and "D2" not in cells
    province = Client()
    province.force_login(w["approver_p"])
    assert "G2" in _cells(province.get("/excel/export/workbook/?unit=P"))


def test_exports_give_the_profile_of_the_last_day_seen(past, settings, tmp_path):
    # the member list's job runs inside the request (django-tasks' immediate backend)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    members.member_update_profile(actor=SYSTEM, member=past["inside"], full_name="Trần Thị Đổi")
    clerk = Client()
    clerk.force_login(past["clerk_d1"])
    book = _cells(clerk.get("/excel/export/workbook/?unit=G1"))
    assert "Trần Thị Trong" in book
    assert "Trần Thị Đổi" not in book and "Nghề sau 2025" not in book
    listing = _members_listing(clerk, "G1", "01/01/2020")
    assert "Trần Thị Trong" in listing and "Trần Thị Đổi" not in listing
    province = Client()
    province.force_login(past["admin_p"])
    book = _cells(province.get("/excel/export/workbook/?unit=G1"))
    assert "Trần Thị Đổi" in book and "Nghề sau 2025" in book
    listing = _members_listing(province, "G1", "01/01/2020")
    assert "Trần Thị Đổi" in listing


# --- The write checks read the member's stints and periods once (docs/performance.md "Session 9")


def _slow_write_from(user, member):
    """`member_write_from` as it was: the periods and the stints read separately."""
    periods = access.member_periods_visible(user, member)
    latest = None
    for start, end in member.stints.order_by("start").values_list("start", "end"):
        end, cursor = end or FAR_FUTURE, start
        for p_start, p_end in periods:
            p_end = p_end or FAR_FUTURE
            if p_end <= cursor or p_start >= end:
                continue
            if p_start > cursor:
                latest = p_start if latest is None else max(latest, p_start)
            cursor = max(cursor, p_end)
        if cursor < end:
            latest = end if latest is None else max(latest, end)
    return latest


def _slow_writable(user, member) -> bool:
    """`require_writable_member` as it was: the latest stint's end read by itself."""
    last = member.stints.order_by("-start").values_list("end", flat=True).first()
    periods = access.member_periods_visible(user, member)
    return bool(access._scope_alive(user) and periods and periods[-1][1] == last)


def test_member_write_checks_equal_the_separate_reads(w):
    """`require_member_write` and `require_writable_member` read the stints and the closure once
    instead of three times; for members who stayed, moved in, moved out, came back and died, and
    accounts whose view began late, ended, or covers everything, they decide as before."""
    G2, N, C2 = w["G2"], w["N"], w["C2"]
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G2, name="Chi bộ thôn Ba")
    C4 = unit("C4", Kind.SUBORDINATE_CELL, N, date="2025-07-01", name="Chi bộ thôn Bốn")
    out = admit(C3, "2008-01-01", full_name="Lý Văn Đi")
    event(out, EventKind.TRANSFER, "2026-01-10", unit=C4)
    back = admit(C4, "2025-08-01", full_name="Vi Thị Về")
    event(back, EventKind.TRANSFER, "2025-10-01", unit=C2)
    event(back, EventKind.TEMP_ATTACH, "2025-11-01", unit=C4)
    event(back, EventKind.TEMP_RETURN, "2025-12-01")
    gone = admit(C2, "2010-05-05", full_name="Hà Văn Mất")
    event(gone, EventKind.DEATH, "2020-02-02")
    clerk_d2 = User.objects.create_user(
        "clerk_d2", password=PASSWORD, scope=w["D2"], role=Role.CLERK
    )
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    users = [w["clerk_n"], w["clerk_p"], w["viewer_n"], clerk_d2, boss]
    decided = []
    for member in (w["hoang"], out, back, gone):
        member.refresh_from_db()
        for user in users:
            assert access.member_write_from(user, member) == _slow_write_from(user, member)
            # the member page's one read of the stints (docs/performance.md "Session 10")
            periods, last = access.member_periods_and_last_end(user, member)
            assert periods == access.member_periods_visible(user, member)
            assert access.may_write_member(
                user, member, Role.CLERK, periods, last
            ) == access.may_write_member(user, member, Role.CLERK), (member, user)
            if not access.sees_everything(user):
                try:
                    access.require_writable_member(user, member)
                    writable = True
                except PermissionDenied:
                    writable = False
                assert writable == _slow_writable(user, member), (member, user)
                decided.append(writable)
            for day in ("2005-03-01", "2025-06-30", "2025-07-01", "2026-03-01"):
                try:
                    access.require_member_write(as_(user), member, d(day))
                    allowed = "yes"
                except PermissionDenied:
                    allowed = "role or past"
                except ValidationError:
                    allowed = "date"
                slow = (
                    "role or past"
                    if not user.has_role(Role.CLERK)
                    or (not access.sees_everything(user) and not _slow_writable(user, member))
                    else "date"
                    if (start := _slow_write_from(user, member)) is not None
                    and not access.sees_everything(user)
                    and d(day) < start
                    else "yes"
                )
                assert allowed == slow, (member, user, day)
    assert True in decided and False in decided  # both answers occur


def test_unit_decisions_from_the_periods_equal_the_probes(w):
    """The organization page reads the scope's closure rows of the unit once
    (`visible_period`) and decides from them whether the unit is in the scope on the day asked,
    the day compared, today (its development deadlines) and whether the clerk may write it: the
    same answers as one closure probe per question (docs/performance.md "Session 10"), for
    units moved into a new commune, created late, ended, and accounts above, below and beside."""
    G2, N = w["G2"], w["N"]
    late = unit("C5", Kind.SUBORDINATE_CELL, N, date="2026-01-01", name="Chi bộ thôn Năm")
    ended = unit("C6", Kind.SUBORDINATE_CELL, G2, name="Chi bộ thôn Sáu")
    restructure.unit_dissolve(actor=SYSTEM, unit=ended, date=d("2020-01-01"))
    ended.refresh_from_db()
    clerk_d2 = User.objects.create_user(
        "clerk_d2", password=PASSWORD, scope=w["D2"], role=Role.CLERK
    )
    boss = User.objects.create_superuser("boss", password=PASSWORD)
    users = [w["clerk_n"], w["clerk_p"], w["viewer_n"], w["approver_n"], clerk_d2, boss]
    days = ("2005-03-01", "2019-12-31", "2020-01-01", "2025-06-30", "2025-07-01", "2026-06-30")
    seen = []
    for u in (w["P"], w["D2"], G2, w["C2"], N, late, ended):
        for user in users:
            periods = access.unit_periods_readable(user, u)
            for day in map(d, days):
                fast = access.can_see_unit_on(user, u, day, periods)
                assert fast == access.can_see_unit_on(user, u, day), (u, user, day)
                seen.append(fast)
            for role in (Role.CLERK, Role.APPROVER):
                assert access.may_write_unit(user, u, role, periods) == access.may_write_unit(
                    user, u, role
                ), (u, user, role)
    assert True in seen and False in seen
