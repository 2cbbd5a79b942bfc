"""List pages do a fixed number of queries, whatever the number of rows (style.md habit 9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grassroots.organizations.models import Kind

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
