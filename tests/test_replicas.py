"""Read replicas (issue 19): the router's decisions, and a real streaming replica.

The second test starts a PostgreSQL primary and a replica made with `pg_basebackup -R` on free
ports (tests/pg_replica.py), runs the app on them (DATABASE_URL + DATABASE_REPLICA_URLS), pauses
the replica's replay and shows: page GETs read the replica (they miss the newest write), the user
who wrote reads the primary (read-your-writes), writes and transactions always use the primary.
It runs with the PostgreSQL suite (CI) and skips where the server binaries are missing.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction

from grassroots.members.models import Member
from grassroots.ops.router import ReplicaRouter, replica_reads

from .pg_replica import Pair, server_binaries
from .platform_site import Site

router = ReplicaRouter()


@pytest.fixture
def one_replica(settings):
    settings.DATABASE_REPLICAS = ["replica1"]


def test_router_sends_only_plain_reads_to_a_replica(one_replica, transactional_db):
    assert router.db_for_read(Member) is None  # no request (CLI, worker): the primary
    with replica_reads():
        assert router.db_for_read(Member) == "replica1"
        with transaction.atomic():  # a service reads what it is about to change: primary
            assert router.db_for_read(Member) is None
    with replica_reads(allowed=False):  # POST, or a user who just wrote
        assert router.db_for_read(Member) is None
    with replica_reads() as reads:
        assert router.db_for_write(Session) == "default"
        assert not reads.wrote and router.db_for_read(Member) == "replica1"  # a log is no write
        assert router.db_for_write(Member) == "default"
        assert reads.wrote and router.db_for_read(Member) is None  # the rest of the request
    assert router.allow_migrate("replica1", "members") is False
    assert router.allow_migrate("default", "members") is True


def test_without_replicas_everything_reads_the_primary(settings, transactional_db):
    settings.DATABASE_REPLICAS = []
    with replica_reads():
        assert router.db_for_read(Member) is None


SEED = """
import json
from tests.web_world import make_world
from grassroots.accounts.models import Role, User
from grassroots.members.queries import revision
w = make_world()
User.objects.create_user("admin2_p", password="Grassroots@2026", scope=w["P"], role=Role.ADMIN)
print(json.dumps({"an": w["an"].pk, "version": revision(w["an"])}))
"""

CHECK = """
import json, time
from django.db import connections
from django.test import Client
from grassroots.accounts.models import User
from grassroots.members.models import Member
from grassroots.organizations.models import Unit
from grassroots.ops.router import replica_reads
replica = connections["replica1"]
def replica_sql(sql):
    with replica.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
def caught_up(count_sql, wanted):
    for _ in range(200):
        if replica_sql(count_sql) == wanted:
            return True
        time.sleep(0.05)
    return False
out = {"in_recovery": replica_sql("SELECT pg_is_in_recovery()")}
out["seeded"] = caught_up("SELECT count(*) FROM members_member", Member.objects.count())
with replica_reads():
    out["routed"] = Member.objects.all().db
replica_sql("SELECT pg_wal_replay_pause()::text")
admin, other = Client(), Client()
admin.force_login(User.objects.get(username="admin_p"))
other.force_login(User.objects.get(username="admin2_p"))
page = "/members/__AN__/"
posted = admin.post(
    "/members/__AN__/events/death/", {"date": "15/11/2026", "expected_version": __VERSION__}
)
out["posted"] = posted.status_code
out["writer_sees"] = "15/11/2026" in admin.get(page).content.decode()
out["other_sees_before"] = "15/11/2026" in other.get(page).content.decode()
with replica_reads():
    out["replica_events"] = Member.objects.get(pk=__AN__).events.filter(kind="death").count()
out["primary_events"] = Member.objects.get(pk=__AN__).events.filter(kind="death").count()
replica_sql("SELECT pg_wal_replay_resume()::text")
caught_up("SELECT count(*) FROM members_memberevent WHERE kind = 'death'", 1)
out["other_sees_after"] = "15/11/2026" in other.get(page).content.decode()
print(json.dumps(out))
"""


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres") or server_binaries() is None,
    reason="runs with the PostgreSQL suite, where the server binaries are installed",
)
def test_a_real_streaming_replica(tmp_path):
    pair = Pair()
    site = None
    try:
        site = Site(
            tmp_path / "site",
            "replica",
            database_url=pair.url(pair.primary_port, "grassroots"),
            env={
                "DATABASE_REPLICA_URLS": pair.url(pair.replica_port, "grassroots"),
                "ALLOWED_HOSTS": "testserver,127.0.0.1",
            },
        )
        world = site.python(SEED)
        check = CHECK.replace("__AN__", str(world["an"]))
        out = site.python(check.replace("__VERSION__", str(world["version"])))
        assert out["in_recovery"] is True and out["seeded"] and out["routed"] == "replica1"
        assert out["posted"] == 302
        assert out["primary_events"] == 1 and out["replica_events"] == 0  # replay paused
        assert out["writer_sees"], "read-your-writes: the writer reads the primary"
        assert not out["other_sees_before"], "another user's page GET reads the replica"
        assert out["other_sees_after"], "once replayed, the replica has it"
    finally:
        if site is not None:
            site.stop()
        pair.stop()
