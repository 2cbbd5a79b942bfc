"""Issue 16: the annual rating sheet shows each member's and organization's discipline of the
year (the fact that caps the level, assessments/checks.py), on the page and in its Excel, read
for a page of rows at once; a voided discipline or one of another year is not shown."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from grassroots.assessments import follow_up
from grassroots.members.models import DisciplineForm, EventKind
from grassroots.members.services import member_void_event

from .factories import SYSTEM, admit, d, event
from .meetings_world import build
from .test_assessment_helpers import open_round, user

pytestmark = pytest.mark.django_db


def test_the_rating_sheet_shows_the_discipline_of_the_year(client):
    w = build()
    official = w["official"]
    event(official, EventKind.DISCIPLINE, "2019-04-01", discipline_form=DisciplineForm.WARNING)
    other = admit(w["C1"], "2012-03-01", full_name="Lò Văn Khác")
    event(other, "official")
    voided = event(
        other, EventKind.DISCIPLINE, "2019-05-02", discipline_form=DisciplineForm.REPRIMAND
    )
    member_void_event(actor=SYSTEM, event=voided, reason="Nhập nhầm")
    event(other, EventKind.DISCIPLINE, "2018-05-02", discipline_form=DisciplineForm.REPRIMAND)
    follow_up.organization_discipline_record(
        actor=SYSTEM, unit=w["C1"], target="leadership", form="reprimand", date=d("2019-06-01")
    )
    rnd = open_round(w["P"], 2019)
    client.force_login(user(w["G1"], "clerk"))
    url = reverse("assessments:sheet", args=[rnd.pk, "G1"])
    page = client.get(url).content.decode()
    assert "Kỷ luật trong năm" in page
    assert "Cảnh cáo, 01/04/2019" in page
    assert "Khiển trách tập thể lãnh đạo (cấp ủy, ban thường vụ), 01/06/2019" in page
    assert "02/05/2019" not in page and "02/05/2018" not in page  # voided; another year

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(10):  # more disciplined members: the page costs the same number of queries
        m = admit(w["C1"], "2015-03-01", full_name=f"Thêm Văn {i:02d}")
        event(m, EventKind.DISCIPLINE, "2019-08-01", discipline_form=DisciplineForm.REPRIMAND)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)

    data = client.get(reverse("assessments:export", args=[rnd.pk, "G1"])).content
    ws = load_workbook(io.BytesIO(data))["Xếp loại"]
    header = [c.value for c in ws[4]]
    col = header.index("Kỷ luật trong năm")
    by_code = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert by_code[official.profile_number][col] == "Cảnh cáo, 01/04/2019"
    assert by_code["C1"][col] == "Khiển trách tập thể lãnh đạo (cấp ủy, ban thường vụ), 01/06/2019"
    assert by_code[other.profile_number][col] in (None, "")
