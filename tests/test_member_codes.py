"""Free-text category fields stored as coded lists (issue 18): every member writer stores the
code of its typed text, the migration / re-coding derives them for existing data and reports
the unmapped values (never dropped), and the statistics group by the stored codes only while
they follow today's lists — each way equal to the member-by-member reference."""

import json

import pytest
from django.core.management import call_command

from grassroots.bulkload.loader import BulkLoader, EventSpec, MemberSpec, UnitSpec, VersionSpec
from grassroots.derived import maintain
from grassroots.derived.member_codes import recode
from grassroots.members import categories
from grassroots.members import services as members
from grassroots.members.models import CategoryCoding, EventKind, Member
from grassroots.members.structure import DIMENSIONS, _member_structure_by_row, member_structure
from grassroots.organizations.models import Kind

from .factories import SYSTEM, admit, d
from .web_world import make_world

pytestmark = pytest.mark.django_db
AT = d("2013-01-01")
CODED = ["education", "expertise", "theory_level", "occupation"]


def _codes(member: Member) -> dict[str, str]:
    member.refresh_from_db()
    return {f: getattr(member, f"{f}_code") for f in CODED}


def _classified(member: Member) -> dict[str, str]:
    return {f: categories.classify(f, getattr(member, f)) for f in CODED}


@pytest.fixture
def world():
    w = make_world()
    admit(w["C3"], "2011-02-01", occupation="Thợ săn", expertise="Đại học Y", ethnicity="Tày")
    admit(w["C1"], "2010-02-01", occupation="Nông dân", education="9/12", religion="Phật giáo")
    admit(w["C3"], "2000-06-01", birth_date=d("1940-05-05"), theory_level="Cao cấp")
    maintain.members_recode()  # a transactional test's flush may have emptied CategoryCoding
    return w


def test_the_writers_store_the_code_of_the_typed_text(world):
    hunter = Member.objects.get(occupation="Thợ săn")
    assert _codes(hunter) == _classified(hunter)
    assert _codes(hunter)["occupation"] == categories.UNMAPPED
    assert _codes(hunter)["expertise"] == "university"
    members.member_update_profile(actor=SYSTEM, member=hunter, occupation="Giáo viên")
    assert _codes(hunter)["occupation"] == "official"
    members.member_profile_derived(
        actor=SYSTEM, member=hunter, reason="test", theory_level="Trung cấp"
    )
    assert _codes(hunter)["theory_level"] == "intermediate"
    assert _codes(hunter) == _classified(hunter)


def test_the_bulk_loader_stores_the_codes():
    loader = BulkLoader()
    province = VersionSpec(d("2000-01-01"), None, "Tỉnh", Kind.PROVINCE)
    cell = VersionSpec(d("2000-01-01"), None, "Xã", Kind.GRASSROOTS_CELL, "commune", "P")
    loader.add_units(
        [
            UnitSpec("P", d("2000-01-01"), None, [province]),
            UnitSpec("G", d("2000-01-01"), None, [cell]),
        ]
    )
    for i, occupation in enumerate(["Nông dân", "Thợ săn", ""]):
        loader.add_member(
            MemberSpec(
                {
                    "full_name": f"Lê Thị {i}",
                    "gender": "F",
                    "birth_date": d("1980-01-01"),
                    "profile_number": f"{i:06d}LS",
                    "occupation": occupation,
                    "education": "12/12",
                },
                [
                    EventSpec(
                        EventKind.ADMISSION, d("2005-05-01"), "G", decision_date=d("2005-04-20")
                    )
                ],
            )
        )
    loader.finish()
    stored = dict(Member.objects.values_list("occupation", "occupation_code"))
    assert stored == {"Nông dân": "farmer", "Thợ săn": categories.UNMAPPED, "": "none"}
    assert set(Member.objects.values_list("education_code", flat=True)) == {"upper_secondary"}


def test_existing_data_is_coded_and_unmapped_values_are_reported_not_dropped(world):
    """The migration's step (derived.member_codes.recode) on members stored before the codes:
    every code derived from the text, the unmapped listed with their members."""
    Member.objects.update(education_code="", expertise_code="", occupation_code="")
    CategoryCoding.objects.all().delete()
    unmapped = recode()
    assert unmapped["occupation"] == {"Thợ săn": 1}
    assert not unmapped["education"]
    for member in Member.objects.all():
        assert _codes(member) == _classified(member)
    assert Member.objects.filter(occupation="Thợ săn").exists()  # kept as typed
    assert categories.codes_current(CODED)
    assert categories.stored_unmapped("occupation") == [("Thợ săn", 1)]


def test_statistics_by_stored_codes_equal_the_reference(world):
    assert categories.codes_current(CODED)
    for dimension in DIMENSIONS:
        if dimension == "seniority":
            continue
        for by in ([dimension], [dimension, "age"] if dimension != "age" else ["gender", "age"]):
            fast = member_structure(world["P"], AT, by, children=True)
            slow = _member_structure_by_row(world["P"], AT, by, children=True)
            assert (fast.total, fast.cells, fast.unmapped) == (
                slow.total,
                slow.cells,
                slow.unmapped,
            )
            assert [(u.code, t, c) for u, _n, t, c in fast.children] == [
                (u.code, t, c) for u, _n, t, c in slow.children
            ]
            assert fast.total == sum(fast.cells.values()) == 6


def test_changed_lists_are_counted_from_the_text_until_recoded(world, tmp_path, settings):
    """Stale stored codes are never counted: with a commission's new list the statistics
    classify the typed text (refused: the stored codes), and `grassroots categories --recode`
    stores the new codes (passing: grouped by them again), with the same counts."""
    path = tmp_path / "cats.json"
    path.write_text(
        json.dumps({"occupation": [["hunter", "Săn bắn", ["tho san"]], ["rest", "Khác", [""]]]}),
        encoding="utf-8",
    )
    settings.MEMBER_CATEGORIES_FILE = str(path)
    categories.reload()
    try:
        assert not categories.codes_current(["occupation"])
        assert categories.codes_current(["education"])
        stale = member_structure(world["P"], AT, ["occupation"], children=True)
        assert stale.cells[("Săn bắn",)] == 1
        assert stale.unmapped["occupation"] == {"Nông dân": 1}  # no key of the new list
        assert stale.cells == _member_structure_by_row(world["P"], AT, ["occupation"]).cells
        call_command("categories", "--recode")
        assert categories.codes_current(["occupation"])
        assert Member.objects.get(occupation="Thợ săn").occupation_code == "hunter"
        recoded = member_structure(world["P"], AT, ["occupation"], children=True)
        assert (recoded.cells, recoded.unmapped) == (stale.cells, stale.unmapped)
    finally:
        settings.MEMBER_CATEGORIES_FILE = ""
        categories.reload()
        maintain.members_recode()


def test_categories_command_lists_the_unmapped(world, capsys):
    call_command("categories", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["occupation"] == {"current": True, "unmapped": {"Thợ săn": 1}}
    call_command("categories")
    assert "Thợ săn: 1" in capsys.readouterr().out
