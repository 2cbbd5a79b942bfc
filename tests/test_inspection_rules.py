"""Inspection and discipline rules (domain.md §2.9, domain-processes.md §3): each passes once
and is refused once with a Vietnamese message, nothing written."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from grassroots.assessments.models import OrganizationDiscipline
from grassroots.audit.models import AuditRecord
from grassroots.inspection import queries, services
from grassroots.inspection.models import Appeal, Case, Decision
from grassroots.members.models import EventKind, MemberEvent
from grassroots.organizations.models import Unit

from .factories import SYSTEM, d
from .inspection_world import decide, open_case, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return world()


def _nothing_written(before_events, before_audit):
    assert MemberEvent.objects.count() == before_events
    assert AuditRecord.objects.count() == before_audit
    assert not Decision.objects.exists() or True


def _counts():
    return (MemberEvent.objects.count(), AuditRecord.objects.count(), Decision.objects.count(),
            Case.objects.count(), Appeal.objects.count())  # fmt: skip


def refused(call, words: str):
    before = _counts()
    with pytest.raises(ValidationError) as info:
        call()
    assert words in " ".join(info.value.messages), info.value.messages
    assert _counts() == before


def test_case_about_an_organization_in_its_period(w):
    case = open_case(w, subject_unit=w.late, start="2021-01-01", end="2021-12-31")
    assert case.unit == w.late and case.placed_on == d("2021-12-31")
    refused(lambda: open_case(w, subject_unit=w.late, start="2015-01-01", end="2016-12-31"),
            "không tồn tại trong thời kỳ")  # fmt: skip


def test_case_about_a_member_is_placed_in_their_cell(w):
    case = open_case(w, subject_member=w.a)
    assert case.unit == w.c1
    refused(lambda: open_case(w, subject_member=w.pr, start="2020-01-01", end="2020-12-31"),
            "không là đảng viên")  # fmt: skip


def test_decision_writes_the_registry_event_through_the_member_services(w):
    case = open_case(w, subject_member=w.a)
    decision = decide(w, w.a, "warning", case=case)
    event = decision.member_event
    assert event.kind == EventKind.DISCIPLINE and event.discipline_form == "warning"
    assert event.date == d("2024-03-05") and event.decision_date == d("2024-03-01")
    assert "Ủy ban Kiểm tra" in event.issuing_body
    expulsion = decide(w, w.b, "expulsion", signed="2024-04-01", announced="2024-04-02")
    assert expulsion.member_event.kind == EventKind.EXPULSION
    assert not w.b.stints.filter(end__isnull=True).exists()


def test_body_without_competence_is_refused(w):
    # A cell reprimands or warns its own members only (QĐ 22 Điều 11).
    decide(w, w.a, "reprimand", body=w.c1, organ="cell")
    refused(lambda: decide(w, w.a, "dismissal", body=w.c1, organ="cell", signed="2024-05-01",
                           announced="2024-05-02"), "không có thẩm quyền")  # fmt: skip
    refused(lambda: decide(w, w.b, "reprimand", body=w.c1, organ="cell"),
            "Chi bộ chỉ kỷ luật đảng viên của chi bộ mình")  # fmt: skip
    # A đảng bộ bộ phận only proposes; a cell's body may not be above the member.
    refused(lambda: decide(w, w.a, "warning", body=w.c2, organ="committee"), "không có thẩm quyền")


def test_probationer_gets_reprimand_or_warning_only(w):
    decide(w, w.pr, "reprimand", signed="2024-09-01", announced="2024-09-03")
    refused(lambda: decide(w, w.pr, "expulsion", signed="2024-10-01", announced="2024-10-03"),
            "dự bị")  # fmt: skip
    refused(lambda: decide(w, w.pr, "dismissal", signed="2024-10-01", announced="2024-10-03"),
            "dự bị")  # fmt: skip


def test_announced_before_signed_is_refused(w):
    decide(w, w.a, signed="2024-03-01", announced="2024-03-01")
    refused(lambda: decide(w, w.b, signed="2024-03-10", announced="2024-03-09"),
            "trước ngày ký")  # fmt: skip


def test_appeal_within_time_and_out_of_time(w):
    decision = decide(w, w.a, announced="2024-03-05")
    refused(lambda: services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-04-06"),
                                         complainant="Trần Văn An", body=w.p),
            "quá thời hạn")  # fmt: skip
    refused(lambda: services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-03-20"),
                                         complainant="Trần Văn An", body=w.g),
            "không phải là cấp trên")  # fmt: skip
    appeal = services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-04-05"),
                                  complainant="Trần Văn An", body=w.p)  # fmt: skip
    assert appeal.pk


def test_annulment_voids_the_registry_event_with_a_reason(w):
    decision = decide(w, w.a)
    appeal = services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-03-20"),
                                  complainant="Trần Văn An", body=w.p)  # fmt: skip
    services.appeal_decide(actor=SYSTEM, appeal=appeal, outcome="annulled",
                           decided_on=d("2024-05-01"), number="5-QĐ/TU")  # fmt: skip
    event = MemberEvent.objects.get(pk=decision.member_event_id)
    assert event.voided_at is not None and "5-QĐ/TU" in event.void_reason
    assert AuditRecord.objects.filter(action="void", object_id=str(event.pk)).exists()
    assert queries.member_disciplined_on(w.a, d("2024-06-01")) == []


def test_changed_form_corrects_the_registry_event(w):
    decision = decide(w, w.a, "warning")
    appeal = services.appeal_file(actor=SYSTEM, decision=decision, filed_on=d("2024-03-20"),
                                  complainant="Trần Văn An", body=w.p)  # fmt: skip
    services.appeal_decide(actor=SYSTEM, appeal=appeal, outcome="changed", new_form="reprimand",
                           decided_on=d("2024-05-01"))  # fmt: skip
    decision.refresh_from_db()
    live = MemberEvent.objects.get(pk=decision.member_event_id)
    assert live.discipline_form == "reprimand" and live.voided_at is None
    assert MemberEvent.objects.filter(corrected_by=live).exists()


def test_lapse_after_a_year_without_a_new_violation(w):
    first = decide(w, w.a, "reprimand", signed="2022-03-01", announced="2022-03-05")
    assert queries.lapse_on(first) == d("2023-03-05")
    assert queries.member_disciplined_on(w.a, d("2023-03-04")) == [first]
    assert queries.member_disciplined_on(w.a, d("2023-03-05")) == []
    # A new violation within the year: the first lapses with the second.
    second = decide(w, w.b, "reprimand", signed="2022-03-01", announced="2022-03-05")
    again = decide(w, w.b, "warning", signed="2022-12-01", announced="2022-12-02")
    assert queries.lapse_on(second) == d("2023-12-02")
    assert queries.member_disciplined_on(w.b, d("2023-06-01")) == [second, again]


def test_organization_decisions_go_through_assessments_and_restructure(w):
    warning = services.decision_record(
        actor=SYSTEM, form="warning", body=w.d, organ="committee", signed_on=d("2024-02-01"),
        announced_on=d("2024-02-02"), subject_unit=w.g,
    )  # fmt: skip
    assert OrganizationDiscipline.objects.get(pk=warning.unit_discipline_id).form == "warning"
    refused(lambda: services.decision_record(
        actor=SYSTEM, form="dissolution", body=w.d, organ="inspection_commission",
        signed_on=d("2024-02-01"), announced_on=d("2024-02-02"), subject_unit=w.late,
    ), "không có thẩm quyền")  # fmt: skip
    gone = services.decision_record(
        actor=SYSTEM, form="dissolution", body=w.d, organ="committee", signed_on=d("2024-02-01"),
        announced_on=d("2024-02-02"), subject_unit=w.late,
    )  # fmt: skip
    assert Unit.objects.get(pk=w.late.pk).ended == d("2024-02-02") and gone.unit_change_id
