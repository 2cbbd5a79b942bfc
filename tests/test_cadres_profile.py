"""Qualifications from the profile's typed fields (migration 0003, the command) and the member
statistics as of a date following the dated qualifications (issue 15)."""

import datetime as dt
import importlib
import json
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command

from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Qualification
from grassroots.members.models import Member
from grassroots.members.structure import (
    _member_structure_by_row,
    flow_structure,
    member_structure,
)

from .factories import SYSTEM, admit, d, unit
from .factories import event as record_event

pytestmark = pytest.mark.django_db
migration = importlib.import_module("grassroots.cadres.migrations.0003_qualifications_from_profile")


@pytest.fixture
def small():
    from grassroots.organizations.models import Kind

    p = unit("P", Kind.PROVINCE)
    cell = unit("C", Kind.GRASSROOTS_CELL, p)
    a = admit(cell, "2008-03-01", full_name="An", education="12/12",
              expertise="Đại học Luật", theory_level="Trung cấp")  # fmt: skip
    b = admit(cell, "2012-05-01", full_name="Bình", education="9/12", expertise="",
              theory_level="Cử nhân chính trị")  # fmt: skip
    c = admit(cell, "2012-05-01", full_name="Chi", education="lớp bổ túc", expertise="Kỹ thuật viên",
              theory_level="")  # fmt: skip
    for m in (a, b, c):
        record_event(m, "official")
    return p, a, b, c


def test_the_migration_dates_the_typed_values_and_reports_the_unmapped(small, capsys):
    p, a, b, c = small
    migration.forward(django_apps, None)
    facts = {(q.member_id, q.kind): q for q in Qualification.objects.all()}
    assert {(k, q.level, q.obtained_on) for (m, k), q in facts.items() if m == a.pk} == {
        ("education", "upper_secondary", d("2008-03-01")),
        ("professional", "university", d("2008-03-01")),
        ("theory", "intermediate", d("2008-03-01")),
    }
    assert facts[(a.pk, "professional")].field == "Đại học Luật"
    assert facts[(b.pk, "theory")].level == "bachelor"
    assert all(q.evidence == "chuyển từ hồ sơ" for q in facts.values())
    # Unmapped values are reported, not dropped: no qualification, the profile keeps them.
    assert not Qualification.objects.filter(member=c, kind__in=["education", "professional"])
    out = capsys.readouterr().out
    assert "“lớp bổ túc” (1)" in out and "“Kỹ thuật viên” (1)" in out
    assert Member.objects.get(pk=c.pk).expertise == "Kỹ thuật viên"
    assert AuditRecord.objects.filter(object_type="qualification").count() == len(facts)
    # Once only: a second run (the command) finds nothing more to create.
    buf = StringIO()
    call_command("qualifications-from-profile", "--json", stdout=buf)
    payload = json.loads(buf.getvalue())
    assert payload["created"] == 0 and Qualification.objects.count() == len(facts)
    assert {(r["field"], r["value"]) for r in payload["unmapped"]} == {
        ("education", "lớp bổ túc"), ("expertise", "Kỹ thuật viên")}  # fmt: skip


def test_the_command_dry_run_writes_nothing(small):
    buf = StringIO()
    call_command("qualifications-from-profile", "--dry-run", stdout=buf)
    assert "Sẽ tạo 5 trình độ" in buf.getvalue()
    assert not Qualification.objects.exists()


def test_only_the_system_converts(small, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x")
    with pytest.raises(ValidationError, match="quản trị hệ thống"):
        cadres.qualifications_from_profile(actor=Actor(clerk))
    assert not Qualification.objects.exists()


def test_statistics_as_of_a_date_follow_the_qualifications(small):
    p, a, b, c = small
    migration.forward(django_apps, None)
    # An obtains cao cấp in 2015: the profile's current value follows, and the statistics
    # before and after that day differ.
    cadres.qualification_add(actor=SYSTEM, member=a, kind="theory", level="senior",
                             obtained_on=d("2015-06-01"), evidence="Bằng số 1")  # fmt: skip
    assert Member.objects.get(pk=a.pk).theory_level == "Cao cấp"
    before = member_structure(p, d("2015-05-31"), ["theory_level"]).cells
    after = member_structure(p, d("2015-06-01"), ["theory_level"]).cells
    assert before[("Trung cấp",)] == 1 and before[("Cao cấp, cử nhân",)] == 1  # Bình
    assert after[("Trung cấp",)] == 0 and after[("Cao cấp, cử nhân",)] == 2
    # A qualification dated after the day does not count yet: "not trained" before it.
    cadres.qualification_add(actor=SYSTEM, member=c, kind="theory", level="elementary",
                             obtained_on=d("2020-01-01"))  # fmt: skip
    assert member_structure(p, d("2019-12-31"), ["theory_level"]).cells[
        ("Chưa qua đào tạo",)] == 1  # fmt: skip
    assert member_structure(p, d("2020-01-01"), ["theory_level"]).cells[("Sơ cấp",)] == 1
    # Unmapped typed values (no qualification) still count "Chưa phân loại" and are listed.
    s = member_structure(p, d("2020-01-01"), ["expertise"])
    assert s.unmapped["expertise"]["Kỹ thuật viên"] == 1
    # The grouped count corrects the members with dated facts one by one: the same cells and
    # unmapped values as the member-by-member reference.
    for day in ("2015-05-31", "2015-06-01", "2019-12-31", "2020-01-01"):
        for by in (["theory_level"], ["expertise", "age"], ["education", "gender"]):
            grouped = member_structure(p, d(day), by)
            reference = _member_structure_by_row(p, d(day), by)
            assert (grouped.cells, grouped.unmapped) == (reference.cells, reference.unmapped)
    # Admissions in a period are counted with the level held on the admission day.
    flows = flow_structure(p, d("2012-01-01"), d("2012-12-31"), "admissions", ["theory_level"])
    assert flows.cells[("Cao cấp, cử nhân",)] == 1 and flows.total == 2
    # Voiding the newer fact puts the profile back on the older one.
    newer = Qualification.objects.get(member=a, level="senior")
    cadres.qualification_void(actor=SYSTEM, qualification=newer, reason="nhập nhầm")
    assert Member.objects.get(pk=a.pk).theory_level == "Trung cấp"
    assert member_structure(p, d("2016-01-01"), ["theory_level"]).cells[("Trung cấp",)] == 1


def test_a_completed_degree_course_writes_the_profile(small):
    p, a, b, c = small
    course = cadres.course_create(
        actor=SYSTEM, code="TC1", name="Trung cấp LLCT", kind="training", subject="theory",
        unit=p, start=d("2016-01-01"), end=d("2016-12-31"), grants_kind="theory",
        grants_level="intermediate",
    )  # fmt: skip
    e = cadres.enrolment_add(actor=SYSTEM, course=course, member=c)
    cadres.enrolment_result(actor=SYSTEM, enrolment=e, result="completed")
    assert Member.objects.get(pk=c.pk).theory_level == "Trung cấp"
    assert member_structure(p, dt.date(2017, 1, 1), ["theory_level"]).cells[("Trung cấp",)] == 2
