"""Committee sizes as dated rules (CT 45 for communes 2025–2030, QĐ 294 for cells from 1/7/2025,
domain-processes.md §2.5) and voiding a term or a post entered by mistake: each rule passes once
and is refused once (Vietnamese message, nothing written); nothing is deleted, all is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.audit.models import AuditRecord
from grassroots.cadres import config, queries
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Holding, Term
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import display_version

from .cadres_world import hold, term, world
from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db


def _counts():
    return Term.objects.count(), Holding.objects.count(), AuditRecord.objects.count()


def _refused(fn, text: str):
    before = _counts()
    with pytest.raises(ValidationError) as info:
        fn()
    assert text in " ".join(info.value.messages), info.value.messages
    assert _counts() == before


def test_size_rules_are_dated_and_sourced():
    assert config.size_rule_on(d("2025-04-13"), "grassroots_committee", "commune") is None
    ct45 = config.size_rule_on(d("2025-04-14"), "grassroots_committee", "commune")
    assert (ct45.max_committee, ct45.max_standing, ct45.max_deputies) == (33, 11, 2)
    assert config.size_rule_on(d("2025-06-30"), "subordinate_cell", "") is None
    assert config.size_rule_on(d("2025-07-01"), "subordinate_cell", "").max_committee == 7
    # Other grassroots organizations: no source read gives a size ([UNCONFIRMED], not checked).
    assert config.size_rule_on(d("2026-01-01"), "grassroots_committee", "enterprise_state") is None


def test_commune_committee_of_2025_2030_at_most_33_and_11_standing():
    w = world()
    ok = {"secretary": 1, "deputy": 2, "standing": 8, "committee": 22}  # 33, standing 11
    # Before CT 45 the same post sizes pass (no size rule read for that term).
    term(w.g, "2020-09-01", name="2020–2025", seats={**ok, "committee": 40})
    t = term(w.g, "2025-09-01", name="2025–2030", seats=ok)
    assert t.seats == ok
    _refused(lambda: term(w.g, "2025-10-01", name="Sai", seats={**ok, "committee": 23}),
             "quá số lượng tối đa 33 (Chỉ thị 45-CT/TW)")  # fmt: skip
    _refused(lambda: term(w.g, "2025-10-01", name="Sai", seats={**ok, "standing": 9,
                                                                "committee": 21}),
             "Ban thường vụ G có 12 người")  # fmt: skip
    _refused(lambda: term(w.g, "2025-10-01", name="Sai", seats={"deputy": 3}), "3 phó bí thư")


def test_a_small_cell_elects_no_chi_uy_from_1_7_2025():
    w = world()  # C1 has two official members
    cell = w.c1
    _refused(lambda: term(cell, "2025-07-01", seats={"secretary": 1, "cell_committee": 1}),
             "không bầu chi ủy (Quy định 294-QĐ/TW)")  # fmt: skip
    t = term(cell, "2025-07-01", seats={"secretary": 1, "deputy": 1})
    hold(t, w.a)
    hold(t, w.b, "deputy")
    # Holders are counted too: a second deputy of a small cell is refused.
    extra = admit(cell, "2010-01-01", full_name="Đỗ Văn Thêm")
    event(extra, "official")
    _refused(lambda: hold(t, extra, "deputy", start="2025-08-01"), "quá số lượng tối đa 1")
    # A cell of nine official members elects a chi ủy of at most seven.
    big = unit("C9", Kind.SUBORDINATE_CELL, w.g)
    for i in range(9):
        event(admit(big, "2010-01-01", full_name=f"Hà Văn {i}"), "official")
    term(big, "2025-07-01", seats={"secretary": 1, "deputy": 1, "cell_committee": 5})
    _refused(lambda: term(big, "2025-08-01", name="Sai",
                          seats={"secretary": 1, "deputy": 1, "cell_committee": 6}),
             "Cấp ủy C9 có 8 người")  # fmt: skip


def test_void_a_term_with_its_posts_and_a_post():
    w = world()
    first = term(w.g, "2010-06-01")
    wrong = term(w.g, "2012-06-01", name="Nhầm")
    h = hold(wrong, w.a)
    _refused(lambda: cadres.term_void(actor=SYSTEM, term=wrong, reason="  "), "Cần ghi lý do")
    cadres.term_void(actor=SYSTEM, term=wrong, reason="Ghi nhầm năm")
    wrong.refresh_from_db()
    h.refresh_from_db()
    assert wrong.voided_at and h.voided_at and "Ghi nhầm năm" in h.void_reason
    assert Term.objects.filter(pk=wrong.pk).exists()  # never deleted
    assert list(queries.terms_on(d("2013-01-01"), unit=w.g)) == []
    assert {r.object_type for r in AuditRecord.objects.filter(action="void")} == {"term", "holding"}
    _refused(lambda: cadres.term_void(actor=SYSTEM, term=wrong, reason="lần nữa"), "đã bị hủy")
    first.refresh_from_db()
    assert first.end == d("2012-06-01")  # the earlier term keeps the end the wrong one gave it
    post = hold(first, w.b)
    cadres.holding_void(actor=SYSTEM, holding=post, reason="Nhầm người")
    _refused(lambda: cadres.holding_void(actor=SYSTEM, holding=post, reason="x"), "đã bị hủy")


def test_void_pages_for_approvers_in_scope_only():
    w = world()
    t = term(w.g, "2010-06-01")
    h = hold(t, w.a)

    def client(name, role, scope):
        c = Client()
        c.force_login(User.objects.create_user(name, password="x", scope=scope, role=role))
        return c

    approver, clerk = client("duyet", Role.APPROVER, w.g), client("canbo", Role.CLERK, w.g)
    outsider = client("ngoai", Role.APPROVER, w.x)
    page = approver.get("/cadres/units/G/").content.decode()
    assert f"/cadres/terms/{t.pk}/void/" in page and f"/cadres/posts/{h.pk}/void/" in page
    assert clerk.get(f"/cadres/posts/{h.pk}/void/").status_code == 403
    assert outsider.get(f"/cadres/posts/{h.pk}/void/").status_code == 404
    shown = approver.get(f"/cadres/terms/{t.pk}/void/").content.decode()
    assert "Trần Văn 0" in shown and "01/06/2010" in shown
    # the title names the organization as a person reads it, never its internal code
    name = display_version(w.g, d("2010-06-01")).name
    assert f"của {name}</h1>" in shown and "của G<" not in shown
    assert name in approver.get(f"/cadres/posts/{h.pk}/void/").content.decode()
    refused = approver.post(f"/cadres/posts/{h.pk}/void/", {"reason": ""})
    assert refused.status_code == 200 and not Holding.objects.get(pk=h.pk).voided_at
    assert approver.post(f"/cadres/posts/{h.pk}/void/", {"reason": "Nhầm"}).status_code == 302
    assert Holding.objects.get(pk=h.pk).voided_at
    assert approver.post(f"/cadres/terms/{t.pk}/void/", {"reason": "Nhầm"}).status_code == 302
    assert Term.objects.get(pk=t.pk).voided_at
    assert approver.get(f"/cadres/terms/{t.pk}/void/").status_code == 404  # already voided
