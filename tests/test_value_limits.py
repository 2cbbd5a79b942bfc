"""Absurd values are refused by every writer, and bad numbers never become a 500 (issue 20 §13,
§14). The ranges and character sets live in grassroots/core/limits.py."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from grassroots.core import limits
from grassroots.excel.importer import Importer
from grassroots.members import services as members
from grassroots.members.models import EventKind, Member
from grassroots.members.queries import revision
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.territory import services as territory
from grassroots.territory.models import Population

from .excel_helpers import basic, member_row
from .factories import SYSTEM, ProfileFactory, d, event
from .test_web_forms import field_errors, login, top_errors
from .web_world import make_world

pytestmark = pytest.mark.django_db
ZWSP = "\u200b"


@pytest.fixture
def world(db):
    return make_world()


def _admit(world, **profile):
    return members.member_admit(
        actor=SYSTEM,
        unit=world["C1"],
        ceremony_date=d("2015-05-19"),
        decision_date=d("2015-05-10"),
        **ProfileFactory(**profile),
    )


def _messages(exc: ValidationError) -> dict:
    return exc.value.message_dict


# --- members -------------------------------------------------------------------------------


def test_absurd_birth_dates_and_invisible_names_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        _admit(world, birth_date=dt.date(1, 1, 1))
    assert "Ngày sinh phải từ 01/01/1900" in _messages(exc)["birth_date"][0]
    with pytest.raises(ValidationError) as exc:
        _admit(world, full_name=ZWSP * 3 + "\u2060\ufeff")
    assert _messages(exc)["full_name"] == ["Cần nhập họ và tên."]
    # Invisible characters inside a real name are dropped, so it looks and searches the same.
    member = _admit(world, full_name=f"Hoàng{ZWSP} Văn\u200d Nam")
    assert member.full_name == "Hoàng Văn Nam"


def test_digits_are_ascii_fullwidth_folded_others_refused(world):
    member = _admit(world, citizen_id="０２０１２３４５６７８９", card_number="１２３４５６７８")
    assert (member.citizen_id, member.card_number) == ("020123456789", "12345678")
    with pytest.raises(ValidationError) as exc:
        _admit(world, citizen_id="٠٢٠١٢٣٤٥٦٧٨٩")  # Arabic-Indic digits
    assert _messages(exc)["citizen_id"] == ["Số CCCD gồm 12 chữ số."]
    with pytest.raises(ValidationError) as exc:
        _admit(world, card_number="۱۲۳۴۵۶۷۸")  # Extended Arabic-Indic
    assert _messages(exc)["card_number"] == ["Số thẻ đảng viên gồm 8 chữ số."]


def test_profile_numbers_with_invisible_or_unsafe_characters_are_refused(world):
    taken = world["an"].profile_number
    for bad in (f"{taken[:3]}{ZWSP}{taken[3:]}", "12'3", "A;B", "A\\B", "A B/C"):
        with pytest.raises(ValidationError) as exc:
            members.member_update_profile(actor=SYSTEM, member=world["an"], profile_number=bad)
        assert "Số lý lịch chỉ gồm" in _messages(exc)["profile_number"][0], bad
    assert Member.objects.get(pk=world["an"].pk).profile_number == taken


def test_event_dates_outside_the_range_are_refused_everywhere(world):
    for day in ("9999-12-31", "1899-12-31"):
        with pytest.raises(ValidationError) as exc:
            event(world["binh"], EventKind.DEATH, day)
        assert "Ngày phải từ 01/01/1900" in _messages(exc)["date"][0]
    with pytest.raises(ValidationError) as exc:
        _admit(world, full_name="Nguyễn Thị Xa")  # fine
        members.member_admit(
            actor=SYSTEM,
            unit=world["C1"],
            ceremony_date=d("9999-12-31"),
            decision_date=d("9999-12-20"),
            **ProfileFactory(),
        )
    assert "Ngày" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        event(
            world["binh"],
            EventKind.DISCIPLINE,
            "2020-01-01",
            discipline_form="khien_trach",
            decision_date=d("9999-12-31"),
        )
    assert "Ngày quyết định phải từ" in _messages(exc)["decision_date"][0]
    # The configurable horizon: a decision a few months ahead is allowed (confirmed, as every
    # event beyond FUTURE_EVENT_CONFIRM_DAYS must be), beyond it is not.
    soon = limits.latest_day()
    assert event(world["binh"], EventKind.DEATH, soon.isoformat(), confirm_future=True).date == soon


def test_member_page_form_shows_the_date_error(client, world):
    login(client, world["clerk"])
    response = client.post(
        f"/members/{world['binh'].pk}/events/death/",
        {"date": "31/12/9999", "expected_version": revision(world["binh"])},
    )
    assert response.status_code == 200
    assert "phải từ 01/01/1900" in field_errors(response, "date") + top_errors(response)


# --- organizations, villages, population -----------------------------------------------------


@pytest.mark.parametrize("code", ["C'9", "C;9", "C\\9", f"C{ZWSP}9", "C 9", "C/9", "", "X" * 33])
def test_unit_codes_use_a_safe_character_set(world, code):
    with pytest.raises(ValidationError) as exc:
        orgs.unit_establish(
            actor=SYSTEM,
            code=code,
            name="Chi bộ",
            kind=Kind.SUBORDINATE_CELL,
            date=d("2020-01-01"),
            parent=world["G1"],
        )
    assert "code" in _messages(exc)
    assert not Unit.objects.filter(code__startswith="C9").exists()


def test_establishing_on_31_12_9999_with_a_decision_is_a_form_error(client, world):
    login(client, world["admin"])
    response = client.post(
        "/units/G1/establish/",
        {
            "code": "C9",
            "name": "Chi bộ thôn Chín",
            "kind": "subordinate_cell",
            "date": "31/12/9999",
            "decision_date": "31/12/9999",
            "decision_number": "1-QĐ",
        },
    )
    assert response.status_code == 200
    assert "phải từ 01/01/1900" in field_errors(response, "date")
    assert not Unit.objects.filter(code="C9").exists()
    with pytest.raises(ValidationError) as exc:
        orgs.unit_rename(
            actor=SYSTEM,
            unit=world["C1"],
            name="Chi bộ X",
            date=d("2020-01-01"),
            decision=orgs.Decision("1", d("9999-12-31")),
        )
    assert "Ngày quyết định phải từ" in _messages(exc)["decision_date"][0]
    with pytest.raises(ValidationError):
        orgs.unit_rename(actor=SYSTEM, unit=world["C1"], name=ZWSP, date=d("2020-01-01"))


def test_villages_refuse_absurd_dates_and_codes(world):
    def create(code="T1", date="2020-01-01"):
        return territory.village_create(
            actor=SYSTEM,
            code=code,
            name="Thôn Một",
            kind="thon",
            unit=world["G1"],
            arrangement="none",
            date=d(date),
        )

    with pytest.raises(ValidationError) as exc:
        create(date="9999-12-31")
    assert "date" in _messages(exc)
    with pytest.raises(ValidationError) as exc:
        create(code='T"1')
    assert "code" in _messages(exc)
    village = create()
    with pytest.raises(ValidationError):
        territory.village_end(actor=SYSTEM, village=village, date=d("9999-12-31"))


def test_population_and_year_out_of_range_are_form_errors(client, world):
    login(client, world["admin"])
    huge = client.post("/units/G1/population/", {"year": "2015", "population": "9" * 30})
    assert "không quá 200.000.000" in field_errors(huge, "population")
    year = client.post("/units/G1/population/", {"year": "9" * 30, "population": "1000"})
    assert "Năm phải từ 1900" in field_errors(year, "year")
    assert not Population.objects.exists()


def test_import_refuses_absurd_dates_and_populations(tmp_path, world):
    path = basic(
        tmp_path / "f.xlsx",
        members=[
            member_row(admitted="31/12/9999", decided="01/12/9999"),
            member_row("000002LS", birth="01/01/0001"),
        ],
        extra={
            "Dân số": [["Mã tổ chức", "Năm", "Dân số"], ["LS-C1", 2015, int("9" * 18)]],
        },
    )
    report = Importer(path).run(actor=SYSTEM)
    text = "\n".join(report.messages())
    assert not report.written
    assert "cột Ngày vào Đảng: Ngày phải từ 01/01/1900" in text
    assert "Ngày sinh" in text and "01/01/1900" in text
    assert "không quá 200.000.000" in text


# --- unhandled 500s (issue 20 §14) -----------------------------------------------------------


def test_figures_export_with_since_after_at_is_a_400(client, world):
    login(client, world["admin"])
    response = client.get("/excel/export/figures/?unit=P&at=2020-01-01&since=2021-01-01")
    assert response.status_code == 400


@pytest.mark.parametrize("year", ["0", "-5", "99999", "9" * 30])
def test_assessment_years_out_of_range_are_refused(client, world, year):
    login(client, world["admin"])
    assert client.get(f"/assessments/results/P/?year={year}").status_code == 400
    opened = client.post("/assessments/open/", {"unit": "P", "year": year}, follow=True)
    assert opened.status_code == 200
    assert "Năm phải từ 1900" in opened.content.decode() or "Năm không hợp lệ" in (
        opened.content.decode()
    )
    if year.isdigit():
        plan = client.post(f"/assessments/results/P/{year}/plan/", {"measures": "x"}, follow=True)
        assert plan.status_code in (200, 400)


def _cli(*args):
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    assert exc.value.returncode == 2
    return str(exc.value)


def test_cli_refuses_bad_ranges_with_one_line_and_exit_2(world, tmp_path):
    assert "--since" in _cli(
        "figures", "--unit", "P", "--at", "2020-01-01", "--since", "2021-01-01"
    )
    assert "--since" in _cli(
        "export",
        "figures",
        str(tmp_path / "f.xlsx"),
        "--unit",
        "P",
        "--at",
        "2020-01-01",
        "--since",
        "2021-01-01",
    )
    assert "Năm phải từ 1900" in _cli("assessment-summary", "--unit", "P", "--year", "0")
    assert "Ngày không hợp lệ" in _cli("figures", "--unit", "P", "--at", "31/31/2020")
