"""The monthly meeting-quality self-assessment (meetings/quality.py, services.quality_record):
the default sheet, dated versions, refusals that write nothing, the page and the book."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.meetings import quality, queries
from grassroots.meetings.models import QualityScore
from grassroots.meetings.services import quality_record

from .factories import SYSTEM, d
from .meetings_world import build

pytestmark = pytest.mark.django_db
PASSWORD = "Mật-khẩu-dài-2026"
TODAY = dt.date(2019, 12, 31)


@pytest.fixture
def w():
    return build()


def _full(sheet=None, less: int = 0) -> dict[str, int]:
    sheet = sheet or quality.sheet_on(d("2019-03-01"))
    return {c.key: c.points - (less if i == 0 else 0) for i, c in enumerate(sheet.criteria)}


def test_default_sheet_is_100_points_with_grades():
    sheet = quality.sheet_on(d("2019-03-01"))
    assert sheet.total_points == 100
    assert (sheet.grade(95), sheet.grade(75), sheet.grade(50), sheet.grade(10)) == (
        "Tốt", "Khá", "Trung bình", "Chưa đạt",
    )  # fmt: skip


def test_a_cell_scores_its_month_and_may_score_it_again(w):
    row = quality_record(
        actor=SYSTEM,
        unit=w["C1"],
        year=2019,
        month=3,
        scores=_full(less=5),
        note="Tốt",
        today=TODAY,
    )
    assert (row.total, row.month, row.sheet) == (95, d("2019-03-01"), "MAU-2022")
    assert AuditRecord.objects.filter(object_type="meeting_quality", action="create").count() == 1
    again = quality_record(
        actor=SYSTEM, unit=w["C1"], year=2019, month=3, scores=_full(less=15), today=TODAY
    )
    assert again.pk == row.pk and again.total == 85 and again.version == 2
    update = AuditRecord.objects.get(object_type="meeting_quality", action="update")
    assert update.changes["total"] == [95, 85]
    assert QualityScore.objects.count() == 1
    quality_record(actor=SYSTEM, unit=w["C2"], year=2019, month=3, scores=_full(), today=TODAY)
    assert queries.quality_average(w["G1"], d("2019-01-01"), d("2019-12-31")) == 92.5
    summary = queries.summary(w["G1"], d("2019-01-01"), d("2019-12-31"))
    assert summary["quality_average"] == 92.5
    assert queries.quality_average(w["G1"], d("2019-04-01"), d("2019-12-31")) is None


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s | {"preparation": 16}, "phải từ 0 đến 15"),
        (lambda s: s | {"preparation": -1}, "phải từ 0 đến 15"),
        (lambda s: {k: v for k, v in s.items() if k != "content"}, "Cần chấm điểm tiêu chí"),
        (lambda s: s | {"beauty": 5}, "không có trong biểu"),
        (lambda s: s | {"schedule": "mười"}, "phải là số"),
    ],
)
def test_bad_points_are_refused_and_nothing_is_written(w, change, message):
    with pytest.raises(ValidationError, match=message):
        quality_record(
            actor=SYSTEM, unit=w["C1"], year=2019, month=3, scores=change(_full()), today=TODAY
        )
    assert (
        not QualityScore.objects.exists()
        and not AuditRecord.objects.filter(object_type="meeting_quality").exists()
    )


def test_a_future_month_or_an_organization_that_is_not_a_cell_is_refused(w):
    with pytest.raises(ValidationError, match="tháng chưa bắt đầu"):
        quality_record(actor=SYSTEM, unit=w["C1"], year=2020, month=1, scores=_full(), today=TODAY)
    with pytest.raises(ValidationError, match="chỉ chi bộ tự đánh giá"):
        quality_record(actor=SYSTEM, unit=w["G1"], year=2019, month=3, scores=_full(), today=TODAY)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        quality_record(actor=SYSTEM, unit=w["C1"], year=2019, month=13, scores=_full(), today=TODAY)
    assert not QualityScore.objects.exists()


def test_the_sheet_is_dated_configuration(w, settings):
    """A committee adopts a shorter sheet from 2019-06: May is scored on the default sheet and
    keeps its grade, June on the new one."""
    base = quality.SHEETS[0]
    local = dataclasses.replace(
        base, code="LS-2019", effective=d("2019-06-01"), criteria=base.criteria[:2],
        grades=((20, "Tốt"), (0, "Chưa đạt")),
    )  # fmt: skip
    settings.MEETING_QUALITY_SHEETS = [base, local]
    may = quality_record(
        actor=SYSTEM, unit=w["C1"], year=2019, month=5, scores=_full(base), today=TODAY
    )
    with pytest.raises(ValidationError, match="không có trong biểu LS-2019"):
        quality_record(
            actor=SYSTEM, unit=w["C1"], year=2019, month=6, scores=_full(base), today=TODAY
        )
    june = quality_record(
        actor=SYSTEM, unit=w["C1"], year=2019, month=6, scores=_full(local), today=TODAY
    )
    assert (may.sheet, june.sheet, june.total) == ("MAU-2022", "LS-2019", 25)
    rows = {
        r.month.month: r for r in queries.quality_book(w["C1"], d("2019-01-01"), d("2019-12-31"))
    }
    assert (rows[5].of, rows[5].grade, rows[6].of, rows[6].grade) == (100, "Tốt", 25, "Tốt")


def test_the_page_records_the_month_and_the_book_shows_it(w):
    clerk = User.objects.create_user("canbo_g1", password=PASSWORD, scope=w["G1"], role=Role.CLERK)
    viewer = User.objects.create_user("xem_g1", password=PASSWORD, scope=w["G1"], role=Role.VIEWER)
    client = Client()
    client.force_login(clerk)
    year = dt.date.today().year
    url = f"/meetings/units/C1/quality/{year}/1/"
    page = client.get(url).content.decode()
    assert "Chuẩn bị: chi ủy họp trước" in page and "(0–15)" in page
    bad = client.post(url, _full() | {"preparation": 40})
    assert bad.status_code == 200 and not QualityScore.objects.exists()
    done = client.post(url, _full(less=3) | {"note": "Nội dung còn dàn trải"})
    assert done.status_code == 302
    assert QualityScore.objects.get().total == 97
    book = client.get(f"/meetings/units/C1/?year={year}").content.decode()
    assert 'id="quality"' in book and "97 / 100" in book and "97,0" in book
    assert f"/meetings/units/C1/quality/{year}/1/" in book  # the clerk may score the months
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert 'id="quality"' in client.get(f"/meetings/units/G1/?year={year}").content.decode()
