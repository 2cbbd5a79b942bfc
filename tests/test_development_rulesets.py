"""The dated rule sets and the public holidays: seen and changed by province administrators only,
a new version from a date (history never rewritten), holidays added and removed (kept, marked) as
audited writes; each refusal writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor
from grassroots.development import config, rulesets
from grassroots.development.models import Holiday, RuleSet
from grassroots.development.rules import add_working_days

from .development_world import world

pytestmark = pytest.mark.django_db
PASSWORD = "x-Passw0rd!"


@pytest.fixture
def w():
    w = world()
    w.admin = User.objects.create_user("admin_p", password=PASSWORD, scope=w.p, role=Role.ADMIN)
    w.district_admin = User.objects.create_user(
        "admin_g", password=PASSWORD, scope=w.g, role=Role.ADMIN
    )
    w.clerk = User.objects.create_user("clerk_p", password=PASSWORD, scope=w.p, role=Role.CLERK)
    return w


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def values(**changes) -> dict:
    latest = config.rule_set_rows()[-1]["values"]
    out = {k: v["value"] for k, v in zip(config.LABELS, latest, strict=True)}
    return out | changes


def form_data(effective: str, **changes) -> dict:
    return {"effective": effective, "name": "Hướng dẫn mới", "source": "HD 07-HD/TW"} | values(
        **changes
    )


def test_the_page_shows_every_set_with_vietnamese_labels(w):
    r = client(w.admin).get("/development/rules/?year=2026")
    assert r.status_code == 200
    page = r.content.decode()
    for rule_set in RuleSet.objects.all():
        assert rule_set.name in page
    assert "Thời gian dự bị" in page and "chưa xác minh" in page
    assert "Tết Nguyên đán" in page
    for raw in ("probation_months", "stale_file_months", "domain.md", "UNCONFIRMED"):
        assert raw not in page


@pytest.mark.parametrize("who", ["clerk", "district_admin"])
def test_others_are_refused(w, who):
    user = getattr(w, who)
    c = client(user)
    assert c.get("/development/rules/").status_code == 403
    assert c.post("/development/rules/new/", form_data("01/01/2026")).status_code == 403
    assert (
        c.post("/development/rules/holidays/", {"date": "02/01/2026", "name": "X"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        rulesets.holiday_add(actor=Actor(user, "ui"), date=dt.date(2026, 1, 2), name="X")
    assert RuleSet.objects.count() == 3
    assert not Holiday.objects.filter(date=dt.date(2026, 1, 2)).exists()


def test_a_new_version_from_a_date_keeps_the_old_values(w):
    before = config.rules_on(dt.date(2025, 12, 31))
    r = client(w.admin).post(
        "/development/rules/new/",
        form_data("01/01/2026", stale_file_months=18, unconfirmed=["stale_file_months"]),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    assert config.rules_on(dt.date(2026, 1, 1)).stale_file_months == 18
    assert config.rules_on(dt.date(2025, 12, 31)) == before  # history unchanged
    created = RuleSet.objects.get(effective=dt.date(2026, 1, 1))
    assert "stale_file_months" in config.unconfirmed(dt.date(2026, 1, 1))
    assert AuditRecord.objects.filter(
        object_type="ruleset", object_id=str(created.pk), action="create", actor=w.admin
    ).exists()


@pytest.mark.parametrize(
    "effective, changes, message",
    [
        ("01/07/2025", {}, "phải sau ngày hiệu lực"),  # the day of the latest set: would rewrite it
        ("01/01/2020", {}, "phải sau ngày hiệu lực"),
        ("01/01/2026", {"vote_numerator": 4, "vote_denominator": 3}, "tử số ≤ mẫu số"),
        ("01/01/2026", {"min_age_months": 100}, "phải từ 192 đến 360 tháng"),
    ],
)
def test_a_version_that_would_rewrite_history_or_is_wrong_is_refused(
    w, effective, changes, message
):
    c = client(w.admin)
    records = AuditRecord.objects.count()
    r = c.post("/development/rules/new/", form_data(effective, **changes))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert RuleSet.objects.count() == 3 and AuditRecord.objects.count() == records


def test_a_value_out_of_range_is_refused_by_the_service(w):
    with pytest.raises(ValidationError) as error:
        rulesets.ruleset_create(
            actor=Actor(w.admin, "ui"), effective=dt.date(2026, 1, 1), name="Sai",
            values=values(probation_months=0),
        )  # fmt: skip
    assert "Thời gian dự bị" in str(error.value)
    assert RuleSet.objects.count() == 3


def test_holidays_added_and_removed_move_the_deadlines(w):
    day = dt.date(2026, 3, 2)  # a Monday
    before = add_working_days(day, 5, config.holidays())
    c = client(w.admin)
    r = c.post("/development/rules/holidays/", {"date": "04/03/2026", "name": "Nghỉ bù"})
    assert r.status_code == 302
    holiday = Holiday.objects.get(date=dt.date(2026, 3, 4))
    assert add_working_days(day, 5, config.holidays()) == before + dt.timedelta(days=1)
    # the same day twice is refused, nothing written
    records = AuditRecord.objects.count()
    r = c.post(
        "/development/rules/holidays/", {"date": "04/03/2026", "name": "Lần nữa"}, follow=True
    )
    assert "đã là ngày nghỉ lễ" in r.content.decode()
    assert AuditRecord.objects.count() == records
    # removing needs a reason; then the row stays, marked, and no longer counts
    r = c.post(f"/development/rules/holidays/{holiday.pk}/remove/", {}, follow=True)
    assert "Cần ghi lý do" in r.content.decode()
    assert Holiday.objects.get(pk=holiday.pk).removed_at is None
    r = c.post(f"/development/rules/holidays/{holiday.pk}/remove/", {"reason": "Nhập nhầm"})
    assert r.status_code == 302
    holiday.refresh_from_db()
    assert holiday.removed_at is not None
    assert add_working_days(day, 5, config.holidays()) == before
    assert AuditRecord.objects.filter(
        object_type="holiday", object_id=str(holiday.pk), action="remove", reason="Nhập nhầm"
    ).exists()
    page = c.get("/development/rules/?year=2026").content.decode()
    assert "Nghỉ bù" in page and "Đã bỏ" in page
    # added again: the same row comes back
    rulesets.holiday_add(actor=Actor(w.admin, "ui"), date=dt.date(2026, 3, 4), name="Nghỉ bù")
    assert Holiday.objects.filter(date=dt.date(2026, 3, 4), removed_at__isnull=True).count() == 1
