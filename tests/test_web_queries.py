"""List pages do a fixed number of queries, whatever the number of rows (style.md habit 9)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.accounts import access
from grassroots.figures.queries import figures
from grassroots.members.queries import revision
from grassroots.organizations.models import Kind, UnitVersion
from grassroots.organizations.models import Unit as UnitModel
from grassroots.organizations.queries import children_at, on
from grassroots.web import views

from .factories import admit, unit
from .web_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_tree_and_unit_pages_do_not_grow_with_rows(client, world):
    client.force_login(world["clerk"])
    before = {url: count(client, url) for url in ("/tree/G1/", "/units/G1/", "/members/?q=van")}
    for n in range(4):
        cell = unit(f"CX{n}", Kind.SUBORDINATE_CELL, world["G1"], name=f"Chi bộ thêm {n}")
        admit(cell, "2015-01-01", full_name=f"Nguyễn Văn Thêm {n}")
    after = {url: count(client, url) for url in before}
    assert after == before


def test_clerk_tree_page_statements(client, world):
    """The clerk's own tree page (the load test's most frequent page, docs/performance.md
    "Session 9"): session, user with its scope (one join since session 10), its version, its
    closure row, the children with their "has children" flag and their members: 6 statements
    on both databases (14 before session 9, 7 before session 10)."""
    client.force_login(world["clerk"])
    assert count(client, "/tree/") == 6
    assert count(client, "/tree/?at=2012-06-30") == 6


def test_organization_member_and_form_page_statements(client, world):
    """The load test's other pages (docs/performance.md "Session 10"): the scope comes with the
    user, the organization page reads the unit's closure rows once for the day asked, today and
    the write right (three probes fewer), the member page the member's stints once for what it
    shows and whether it offers the forms. The counts pin the paths."""
    client.force_login(world["clerk"])
    member = world["an"]
    pages = (
        "/units/G1/?at=2016-06-30",
        f"/members/{member.pk}/",
        f"/members/{member.pk}/events/temp_attach/",
    )
    counted = {url: count(client, url) for url in pages}
    assert counted == {
        "/units/G1/?at=2016-06-30": 24,  # 28 before
        f"/members/{member.pk}/": 16,  # 18 before
        # 6 before session 10; 6 again since session 14: the form's revision counts the
        # member's events (members.queries.revision) so that no move writes the member row
        f"/members/{member.pk}/events/temp_attach/": 6,
    }, counted


def _slow_rows(user, parent, day):
    """Each child the user sees, its members and whether it has children, one child at a time."""
    rows = []
    for version in children_at(parent, day):
        if not access.can_see_unit_on(user, version.unit, day):
            continue
        rows.append(
            (
                version.unit.code,
                figures(version.unit, day).members,
                UnitVersion.objects.filter(on(day), parent=version.unit).exists(),
            )
        )
    return rows


@pytest.mark.parametrize("page_size", [1, 2, 100])
def test_tree_children_rows_match_the_one_by_one_reference(client, world, monkeypatch, page_size):
    """The tree's child rows (read in one statement with their "has children" flag, and without
    a COUNT when they fit one page) equal the child-by-child reading, page after page."""
    monkeypatch.setattr(views, "CHILDREN_PAGE_SIZE", page_size)
    for n in range(3):
        cell = unit(f"CY{n}", Kind.SUBORDINATE_CELL, world["G1"], date=f"201{n}-01-01")
        admit(cell, "2016-01-01", full_name=f"Lê Văn Thêm {n}")
    # a committee whose first cell comes later: no children before 2015
    late = unit("GY", Kind.GRASSROOTS_COMMITTEE, world["D1"], name="Đảng bộ xã Mới")
    unit("GY1", Kind.SUBORDINATE_CELL, late, date="2015-01-01")
    for who, code in (("clerk", None), ("clerk", "G1"), ("admin", "P"), ("admin", "D1")):
        user = world[who]
        client.force_login(user)
        parent = UnitModel.objects.get(code=code or user.scope.code)
        for day in ("2005-06-30", "2011-06-30", "2017-06-30", "2019-06-30"):
            url = f"/tree/{code}/" if code else "/tree/"
            shown, number = [], 1
            while True:
                answer = client.get(url, {"at": day, "cpage": number})
                page = answer.context["children_page"]
                shown += [
                    (c["code"], c["members"], c["has_children"]) for c in answer.context["children"]
                ]
                if not page.has_next():
                    break
                number += 1
            assert shown == _slow_rows(user, parent, dt.date.fromisoformat(day)), (who, code, day)


def test_record_event_statements(client, world):
    """Recording an event through the form (the load test's write, docs/performance.md "Session
    9"): the member's stints and the scope's closure rows are read once for the write checks
    (they were read three times). The count pins the path so it cannot grow unnoticed."""
    client.force_login(world["clerk"])
    member = world["an"]
    url = f"/members/{member.pk}/events/temp_attach/"
    data = {"expected_version": revision(member), "date": "01/06/2016", "unit_code": "C2"}
    with CaptureQueriesContext(connection) as ctx:
        answer = client.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    statements = [q["sql"] for q in ctx.captured_queries]
    # 5 more before session 9 (the write checks' reads); PostgreSQL adds its advisory lock
    # and 1 fewer since session 10 (the scope read with the user)
    assert len(statements) == {"postgresql": 39, "sqlite": 38}[connection.vendor], statements


def test_member_rows_render_as_with_the_url_tag(client, world):
    """The organization page's and the search's member rows carry links and days built in the
    view (docs/performance.md "Session 10"): the HTML is what the former `{% url %}` and `vdate`
    markup gave."""
    from django.template import Context, Template

    from grassroots.members.models import Member

    client.force_login(world["clerk"])
    old = Template(
        "{% load vn %}{% for m in rows %}<tr><td><a href=\"{% url 'web:member' m.pk %}\">"
        "{{ m.name }}</a></td><td>{{ m.birth|vdate }}</td>{% endfor %}"
    )
    for url, key in (("/units/C1/?at=2016-06-30", "member_rows"), ("/members/?q=van", "rows")):
        answer = client.get(url)
        rows = answer.context[key]
        assert rows, url
        pks = [r["pk"] if isinstance(r, dict) else r.pk for r in rows]
        members = Member.objects.in_bulk(pks)
        expected = old.render(
            Context(
                {
                    "rows": [
                        {"pk": pk, "name": members[pk].full_name, "birth": members[pk].birth_date}
                        for pk in pks
                    ]
                }
            )
        )
        page = answer.content.decode()
        for fragment in expected.split("<tr>")[1:]:
            if key == "rows":  # the search's birth day is plain text, as before
                fragment = fragment.split("<td>")[0] + "<td>" + fragment.split("<td>")[1]
            assert "<tr>" + fragment in page, (url, fragment)
