"""Pages to open a committee term and record posts (elect, appoint with decision, end with
reason) through cadres.services: allowed for the organization's approver, refused otherwise."""

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.cadres.models import Holding, Term

from .cadres_world import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = world()
    w.approver = User.objects.create_user("appr_p", password="x-Passw0rd!", scope=w.p,
                                          role=Role.APPROVER)  # fmt: skip
    w.clerk = User.objects.create_user("clerk_p", password="x-Passw0rd!", scope=w.p,
                                       role=Role.CLERK)  # fmt: skip
    w.other = User.objects.create_user("appr_x", password="x-Passw0rd!", scope=w.x,
                                       role=Role.APPROVER)  # fmt: skip
    return w


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


TERM = {"name": "2010–2015", "how": "elected", "start": "01/06/2010", "congress_date": "20/05/2010",
        "delegates": "120", "result": "Bầu 5 đồng chí", "seats_secretary": "1",
        "seats_deputy": "1", "seats_committee": "3"}  # fmt: skip


def test_open_a_term_elect_appoint_and_end_posts(w):
    c = _client(w.approver)
    page = c.get("/cadres/units/G/").content.decode()
    assert 'id="new-term"' in page and 'id="new-post"' not in page  # no term yet
    r = c.post("/cadres/units/G/terms/new/", TERM)
    term = Term.objects.get(unit=w.g)
    assert r.status_code == 302 and "at=2010-06-01" in r["Location"]
    assert (term.delegates, term.congress_date.year, term.seats["committee"]) == (120, 2010, 3)
    r = c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": w.a.profile_number,
               "post": "secretary", "start": "01/06/2010", "how": "elected"})  # fmt: skip
    assert Holding.objects.get(member=w.a).post == "secretary"
    # An outsider (cell X) appointed by the body above, with the decision.
    r = c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": w.outsider.profile_number,
               "post": "deputy", "start": "01/09/2010", "how": "appointed",
               "decision_number": "15-QĐ/HU", "outsider": "1"})  # fmt: skip
    deputy = Holding.objects.get(member=w.outsider)
    assert deputy.outsider and deputy.decision_number == "15-QĐ/HU"
    page = c.get("/cadres/units/G/?at=2011-01-01").content.decode()
    assert w.a.full_name in page and w.outsider.full_name in page and "từ nơi khác" in page
    # End the deputy's post with its reason and decision.
    r = c.post(f"/cadres/posts/{deputy.pk}/end/", {"end": "01/03/2012", "reason": "moved",
               "decision_number": "20-QĐ/HU"})  # fmt: skip
    deputy.refresh_from_db()
    assert (deputy.end.isoformat(), deputy.end_reason, deputy.end_decision) == (
        "2012-03-01", "moved", "20-QĐ/HU")  # fmt: skip
    page = c.get("/cadres/units/G/?at=2012-06-01").content.decode()
    assert w.outsider.full_name not in page.split("Lịch sử theo nhiệm kỳ")[0]


def test_refusals_write_nothing_and_say_why(w):
    c = _client(w.approver)
    c.post("/cadres/units/G/terms/new/", TERM)
    term = Term.objects.get(unit=w.g)
    # An appointed term without its decision.
    r = c.post("/cadres/units/G/terms/new/", TERM | {"name": "x", "how": "appointed",
               "start": "01/01/2012"}, follow=True)  # fmt: skip
    assert "cần số quyết định" in r.content.decode() and Term.objects.count() == 1
    # A holder from outside the subtree without an appointment.
    r = c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": w.outsider.profile_number,
               "post": "deputy", "start": "01/09/2010", "how": "elected"}, follow=True)  # fmt: skip
    assert "không sinh hoạt trong G" in r.content.decode()
    # Two secretaries at once.
    c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": w.a.profile_number,
           "post": "secretary", "start": "01/06/2010", "how": "elected"})  # fmt: skip
    r = c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": w.b.profile_number,
               "post": "secretary", "start": "01/07/2010", "how": "elected"}, follow=True)  # fmt: skip
    assert "một chức danh chỉ có một người" in r.content.decode()
    assert Holding.objects.count() == 1
    # A member outside the account's scope is not found by the picker's number.
    r = c.post("/cadres/units/G/posts/new/", {"term": term.pk, "member": "NOPE",
               "post": "committee", "start": "01/06/2010"}, follow=True)  # fmt: skip
    assert "Không tìm thấy đảng viên" in r.content.decode()


def test_only_approvers_in_scope_may_write(w):
    _client(w.approver).post("/cadres/units/G/terms/new/", TERM)
    term = Term.objects.get(unit=w.g)
    clerk, other = _client(w.clerk), _client(w.other)
    assert 'id="new-term"' not in clerk.get("/cadres/units/G/").content.decode()
    assert clerk.post("/cadres/units/G/terms/new/", TERM | {"name": "y"}).status_code == 403
    assert other.post("/cadres/units/G/terms/new/", TERM | {"name": "y"}).status_code == 404
    post = {"term": term.pk, "member": w.a.profile_number, "post": "secretary",
            "start": "01/06/2010"}  # fmt: skip
    assert clerk.post("/cadres/units/G/posts/new/", post).status_code == 403
    assert other.post("/cadres/units/G/posts/new/", post).status_code == 404
    _client(w.approver).post("/cadres/units/G/posts/new/", post)
    holding = Holding.objects.get()
    end = {"end": "01/01/2012", "reason": "retired"}
    assert clerk.post(f"/cadres/posts/{holding.pk}/end/", end).status_code == 403
    assert other.post(f"/cadres/posts/{holding.pk}/end/", end).status_code == 404
    holding.refresh_from_db()
    assert holding.end is None and Term.objects.count() == 1
