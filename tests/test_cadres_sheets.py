"""The cadres sheets: terms, posts, qualifications, courses and enrolments imported all or
nothing through the services, each refusal on its sheet, row and column."""

import pytest

from grassroots.accounts.models import Role, User
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.cadres import sheets
from grassroots.cadres.models import Course, Enrolment, Holding, Qualification, Term
from grassroots.excel.importer import import_file

from .cadres_world import world
from .excel_helpers import headers, workbook

pytestmark = pytest.mark.django_db


def run(user, path):
    return import_file(str(path), actor=Actor(user, Source.IMPORT), name="cb.xlsx", user=user)


@pytest.fixture
def w():
    w = world()
    w.admin = User.objects.create_user("admin_p", password="x-Passw0rd!", scope=w.p,
                                       role=Role.ADMIN)  # fmt: skip
    return w


def _book(tmp_path, w, qual_date="30/06/2005", enrol_date="05/09/2011"):
    return workbook(tmp_path / "cb.xlsx", {
        sheets.TERMS.name: [headers(sheets.TERMS),
                            ["G", "2010–2015", "01/06/2010", "Bầu tại đại hội / hội nghị",
                             "30/05/2010", 90, "", ""]],
        sheets.POSTS_SHEET.name: [headers(sheets.POSTS_SHEET),
                                  ["G", "2010–2015", w.a.profile_number, "Bí thư", "01/06/2010",
                                   "Bầu tại đại hội / hội nghị", "", "Không"]],
        sheets.QUALS.name: [headers(sheets.QUALS),
                            [w.a.profile_number, "Lý luận chính trị", "Sơ cấp", qual_date, "",
                             "GCN 12"]],
        sheets.COURSES.name: [headers(sheets.COURSES),
                              ["TC-11", "Trung cấp LLCT", "Đào tạo", "Lý luận chính trị", "P", "",
                               "05/09/2011", "30/06/2012", "Lý luận chính trị", "Trung cấp"]],
        sheets.ENROLMENTS.name: [headers(sheets.ENROLMENTS),
                                 ["TC-11", w.a.profile_number, enrol_date, "Hoàn thành",
                                  "30/06/2012", "77"]],
    })  # fmt: skip


def test_import_every_sheet(w, tmp_path):
    result = run(w.admin, _book(tmp_path, w))
    assert result.ok, result.messages()
    assert Term.objects.get().name == "2010–2015"
    assert Holding.objects.get().member == w.a
    assert Course.objects.get().code == "TC-11"
    assert Enrolment.objects.get().result == "completed"
    # the imported sơ cấp and the trung cấp the completed course added
    assert sorted(Qualification.objects.values_list("level", flat=True)) == [
        "elementary", "intermediate"
    ]  # fmt: skip


def test_a_refused_row_writes_nothing(w, tmp_path):
    result = run(w.admin, _book(tmp_path, w, qual_date="30/06/1960", enrol_date="01/07/2012"))
    assert not result.ok
    text = "\n".join(result.messages())
    assert f"Sheet {sheets.QUALS.name}, dòng 2" in text and "trước ngày sinh" in text
    assert f"Sheet {sheets.ENROLMENTS.name}, dòng 2" in text and "ngoài thời gian" in text
    assert not (Term.objects.exists() or Holding.objects.exists() or Course.objects.exists()
                or Qualification.objects.exists())  # fmt: skip
