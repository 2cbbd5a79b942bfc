"""Suspension of party activity (đình chỉ sinh hoạt đảng, domain-processes.md §3.7) and the
15-day announcement limit (Điều lệ Điều 39.6, domain.md §2.9): each rule passes once and is
refused once with a Vietnamese message, nothing written; a suspended member is listed but not
expected at the cell's meetings while the suspension runs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.audit.models import AuditRecord
from grassroots.inspection import queries, rules, services
from grassroots.inspection.models import Decision, Suspension
from grassroots.meetings.expected import expected_list
from grassroots.meetings.models import Role

from .factories import SYSTEM, d
from .inspection_world import decide, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _counts():
    return (AuditRecord.objects.count(), Decision.objects.count(), Suspension.objects.count())


def refused(call, words: str):
    before = _counts()
    with pytest.raises(ValidationError) as info:
        call()
    assert words in " ".join(info.value.messages), info.value.messages
    assert _counts() == before


def suspend(w, member=None, start="2024-03-01", last=None, ground="violation", body=None,
            organ="inspection_commission", signed=None):  # fmt: skip
    return services.suspension_record(
        actor=SYSTEM, member=member or w.a, body=body or w.d, organ=organ, ground=ground,
        signed_on=d(signed or start), start=d(start), last_day=d(last) if last else None,
        number="05-QĐ/UBKT",
    )  # fmt: skip


def test_decision_announced_within_15_days_of_signing(w):
    assert rules.rules_on(d("2024-03-01")).announce_days == 15
    decide(w, w.a, signed="2024-03-01", announced="2024-03-16")  # the 15th day
    refused(lambda: decide(w, w.b, signed="2024-03-01", announced="2024-03-17"),
            "phải được công bố trong 15 ngày")  # fmt: skip
    # A cell's reprimand takes effect with its vote result: the limit does not apply to it.
    decide(
        w, w.b, "reprimand", body=w.c2, organ="cell", signed="2024-05-01", announced="2024-06-01"
    )


def test_suspension_lasts_90_days_unless_prosecuted(w):
    s = suspend(w)
    assert s.last_day == d("2024-05-29") and s.unit == w.c1  # 90 days, inclusive
    refused(lambda: suspend(w, w.b, start="2024-03-01", last="2024-05-30"), "quá 90 ngày")
    # A prosecuted or detained member: the legal term.
    long = suspend(w, w.b, start="2024-03-01", last="2024-12-31", ground="prosecution")
    assert long.runs_on(d("2024-12-31"))


def test_suspension_extended_to_180_days_at_most(w):
    s = suspend(w)
    refused(lambda: services.suspension_extend(actor=SYSTEM, suspension=s, last_day=d("2024-08-28"),
                                               extended_on=d("2024-05-20")),
            "quá 180 ngày")  # fmt: skip
    s = services.suspension_extend(actor=SYSTEM, suspension=s, last_day=d("2024-08-27"),
                                   extended_on=d("2024-05-20"), number="09-QĐ/UBKT")  # fmt: skip
    assert s.last_day == d("2024-08-27")
    assert AuditRecord.objects.filter(object_type="suspension", action="update").exists()


def test_suspension_by_a_body_competent_to_expel(w):
    # A cell may only reprimand or warn (QĐ 22 Điều 11): it cannot suspend.
    refused(lambda: suspend(w, body=w.c1, organ="cell"), "không có thẩm quyền đình chỉ")
    refused(lambda: suspend(w, w.pr, start="2024-03-01"), "không là đảng viên")
    suspend(w, w.pr, start="2024-07-01")  # a probationer may be suspended by the same body
    suspend(w)
    refused(lambda: suspend(w, start="2024-04-01"), "đang bị đình chỉ")


def test_suspended_member_is_listed_but_not_expected(w):
    def role(day):
        return {p.full_name: p.role for p in expected_list(w.c1, d(day))}["Trần Văn An"]

    assert role("2024-03-05") == Role.OFFICIAL
    s = suspend(w)
    assert role("2024-03-01") == Role.SUSPENDED and role("2024-05-29") == Role.SUSPENDED
    assert role("2024-05-30") == Role.OFFICIAL
    assert queries.suspended_ids([w.a.pk, w.b.pk], d("2024-04-01")) == {w.a.pk}
    refused(lambda: services.suspension_lift(actor=SYSTEM, suspension=s, lifted_on=d("2024-06-01")),
            "không sau ngày kết thúc")  # fmt: skip
    services.suspension_lift(actor=SYSTEM, suspension=s, lifted_on=d("2024-04-15"))
    assert role("2024-04-14") == Role.SUSPENDED and role("2024-04-15") == Role.OFFICIAL
