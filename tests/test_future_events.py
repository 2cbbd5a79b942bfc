"""Events dated far ahead need an explicit confirmation, and nothing shows a future state as
today's (issue 11 §4, issue 12 §7: an exemption typed as 15/01/2030 was accepted without a word
and the member header then said "được miễn sinh hoạt" today)."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.excel.importer import Importer
from grassroots.figures.queries import figures
from grassroots.members import services
from grassroots.members.models import EventKind, MemberEvent
from grassroots.members.queries import revision
from grassroots.members.sheets import EVENTS

from .excel_helpers import basic, member_row
from .factories import SYSTEM
from .web_world import make_world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
AHEAD = TODAY + dt.timedelta(days=200)  # inside the absolute limit (366), beyond the horizon (31)
SOON = TODAY + dt.timedelta(days=20)


@pytest.fixture
def world(db):
    return make_world()


def exempt(member, day, **kwargs):
    member.refresh_from_db()
    return services.member_record_event(
        actor=SYSTEM, member=member, kind=EventKind.EXEMPTION, date=day, **kwargs
    )


def test_the_service_asks_for_a_confirmation_beyond_the_horizon(world, settings):
    an = world["an"]
    with pytest.raises(ValidationError) as refused:
        exempt(an, AHEAD)
    text = " ".join(refused.value.message_dict["date"])
    assert f"{AHEAD:%d/%m/%Y} ở tương lai, sau hơn 31 ngày" in text
    assert "Xác nhận ngày trong tương lai" in text
    assert not MemberEvent.objects.filter(member=an, kind=EventKind.EXEMPTION).exists()
    exempt(an, SOON)  # a decision a few weeks ahead: no question asked
    services.member_record_event(
        actor=SYSTEM, member=an, kind=EventKind.EXEMPTION_END, date=SOON + dt.timedelta(days=5)
    )
    exempt(an, AHEAD, confirm_future=True)
    # The horizon is a setting (FUTURE_EVENT_CONFIRM_DAYS).
    settings.FUTURE_EVENT_CONFIRM_DAYS = 365
    binh = world["binh"]
    exempt(binh, AHEAD)


def test_a_future_exemption_is_not_todays_state(client, world):
    an = world["an"]
    exempt(an, AHEAD, confirm_future=True)
    client.force_login(world["admin"])
    body = client.get(f"/members/{an.pk}/").content.decode()
    header = body.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert "được miễn sinh hoạt" not in header and "chính thức" in header
    assert "Đã ghi trước, chưa có hiệu lực" in body and f"{AHEAD:%d/%m/%Y}" in body
    # Figures, lists and the search as of today: not exempt; on the day itself: exempt.
    assert figures(world["C1"], TODAY).exempt_members == 0
    assert figures(world["C1"], AHEAD).exempt_members == 1
    found = client.get("/members/", {"q": "Ấn", "status": "exempt"}).context["found"]
    assert found.count == 0
    rows = client.get("/members/", {"q": "Ấn"}).context["rows"]
    assert "Chính thức" in str(rows) and "miễn" not in str(rows)
    listed = client.get("/units/C1/").context["member_rows"]
    assert [r["exempt"] for r in listed if r["pk"] == an.pk] == [False]


def test_the_form_has_the_checkbox(client, world):
    an = world["an"]
    client.force_login(world["clerk"])
    url = f"/members/{an.pk}/events/exemption/"
    assert 'name="confirm_future"' in client.get(url).content.decode()
    data = {"date": f"{AHEAD:%d/%m/%Y}", "expected_version": revision(an)}
    refused = client.post(url, data)
    assert refused.status_code == 200 and "ở tương lai" in refused.content.decode()
    accepted = client.post(url, {**data, "confirm_future": "on"})
    assert accepted.status_code == 302
    assert MemberEvent.objects.filter(member=an, kind=EventKind.EXEMPTION, date=AHEAD).exists()


def test_the_import_has_a_column(tmp_path):
    assert EVENTS.columns[-1].header == "Xác nhận ngày trong tương lai"
    row = ["000001LS", "Miễn công tác và sinh hoạt đảng", f"{AHEAD:%d/%m/%Y}"] + [""] * 7
    report = Importer(basic(tmp_path / "a.xlsx", events=[row])).run(actor=SYSTEM)
    assert not report.ok
    assert report.messages()[0].startswith(
        f"Sheet Sự kiện đảng viên, dòng 2, cột Ngày hiệu lực: Ngày {AHEAD:%d/%m/%Y} ở tương lai"
    )
    report = Importer(basic(tmp_path / "b.xlsx", events=[row + ["Có"]])).run(actor=SYSTEM)
    assert report.ok, report.messages()
    assert MemberEvent.objects.filter(kind=EventKind.EXEMPTION, date=AHEAD).count() == 1
    assert member_row()[0] == "000001LS"


def test_the_api_has_a_field(client, world):
    from grassroots.api.services import token_create

    an = world["an"]
    _token, key = token_create(actor=Actor(world["clerk"], Source.UI), name="t")
    url = f"/api/v1/members/{an.pk}/events/"
    payload = {"kind": "exemption", "date": AHEAD.isoformat()}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "content_type": "application/json"}
    refused = client.post(url, json.dumps(payload), **auth)
    assert refused.status_code == 422 and "ở tương lai" in refused.content.decode()
    accepted = client.post(url, json.dumps({**payload, "confirm_future": True}), **auth)
    assert accepted.status_code == 201, accepted.content
