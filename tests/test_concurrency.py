"""Two clerks, one record (issue 4 §4): the second save is refused with a message saying what
changed, never a silent overwrite. The PostgreSQL test uses two real connections in two threads."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from grassroots.accounts.models import Role, User
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.members import services as members
from grassroots.members.models import Member
from grassroots.members.queries import revision
from grassroots.organizations.models import Kind

from .factories import admit, unit


def clerks(cell):
    a = User.objects.create_user(
        "thu_ky_a", password="Grassroots@2026", scope=cell, role=Role.CLERK
    )
    b = User.objects.create_user(
        "thu_ky_b", password="Grassroots@2026", scope=cell, role=Role.CLERK
    )
    return Actor(a, Source.UI, "10.0.0.1"), Actor(b, Source.UI, "10.0.0.2")


@pytest.mark.django_db
def test_a_stale_save_is_refused_with_what_changed():
    cell = unit("G1", Kind.GRASSROOTS_CELL, unit("P", Kind.PROVINCE))
    m = admit(cell, "2005-01-01", full_name="Nguyễn Văn Ấn", residence="Chi Lăng")
    first, second = clerks(cell)
    seen = revision(m)  # both clerks opened the form at this version
    members.member_update_profile(
        actor=first, member=m, expected_version=seen, residence="Lộc Bình"
    )
    with pytest.raises(ValidationError) as refused:
        members.member_update_profile(
            actor=second, member=m, expected_version=seen, residence="Đình Lập"
        )
    message = refused.value.messages[0]
    assert (
        "thu_ky_a" in message and "nơi cư trú" in message and "“Chi Lăng” → “Lộc Bình”" in message
    )
    assert Member.objects.get(pk=m.pk).residence == "Lộc Bình"  # not overwritten
    # With the fresh version the second clerk's save goes through.
    members.member_update_profile(
        actor=second, member=m, expected_version=seen + 1, residence="Đình Lập"
    )
    assert Member.objects.get(pk=m.pk).residence == "Đình Lập"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_at_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across two real connections)")
    cell = unit("G1", Kind.GRASSROOTS_CELL, unit("P", Kind.PROVINCE))
    m = admit(cell, "2005-01-01", full_name="Nguyễn Văn Ấn", residence="Chi Lăng")
    first, second = clerks(cell)
    seen = revision(m)
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    times: dict[str, float] = {}
    outcome: dict[str, object] = {}

    def clerk_a():
        try:
            with transaction.atomic():
                members.member_update_profile(
                    actor=first,
                    member=Member.objects.get(pk=m.pk),
                    expected_version=seen,
                    residence="Lộc Bình",
                )
                first_holds_lock.set()
                release_first.wait(10)  # the save is done but not committed yet
                times["a_commit"] = time.monotonic()
            outcome["a"] = "saved"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["a"] = exc
        finally:
            connection.close()

    def clerk_b():
        try:
            first_holds_lock.wait(10)
            members.member_update_profile(
                actor=second,
                member=Member.objects.get(pk=m.pk),
                expected_version=seen,
                residence="Đình Lập",
            )
            outcome["b"] = "saved"
        except ValidationError as exc:
            outcome["b"] = exc
        finally:
            times["b_done"] = time.monotonic()
            connection.close()

    threads = [threading.Thread(target=clerk_a), threading.Thread(target=clerk_b)]
    for t in threads:
        t.start()
    first_holds_lock.wait(10)
    time.sleep(0.5)
    assert "b_done" not in times, "the second save must wait for the first one's row lock"
    release_first.set()
    for t in threads:
        t.join(20)
    assert outcome["a"] == "saved"
    assert isinstance(outcome["b"], ValidationError), outcome["b"]
    assert times["b_done"] >= times["a_commit"]
    message = outcome["b"].messages[0]
    assert "thu_ky_a" in message and "“Chi Lăng” → “Lộc Bình”" in message
    assert Member.objects.get(pk=m.pk).residence == "Lộc Bình"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_clerk_waits_for_an_import_instead_of_deadlocking_on_postgresql():
    """An import holds the audit chain's lock (audit/chain.py) from its first record to its
    commit and then updates a member; a clerk saving the same member meanwhile used to lock the
    member's row first and then wait for the chain: PostgreSQL found a deadlock and aborted one
    of them. Every writer now takes the chain's lock before a row lock (audit.services.for_update)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (locks across two real connections)")
    from grassroots.audit import chain

    cell = unit("G1", Kind.GRASSROOTS_CELL, unit("P", Kind.PROVINCE))
    m = admit(cell, "2005-01-01", full_name="Nguyễn Văn Ấn", residence="Chi Lăng")
    clerk, _ = clerks(cell)
    import_holds_chain = threading.Event()
    outcome: dict[str, object] = {}

    def importer():
        try:
            with transaction.atomic():
                chain.lock()  # as the importer's first audit or ledger write does
                import_holds_chain.set()
                time.sleep(1.0)  # the clerk's save starts meanwhile
                Member.objects.filter(pk=m.pk).update(hometown="nhập từ tệp")
            outcome["import"] = "saved"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["import"] = exc
        finally:
            connection.close()

    def clerk_saves():
        try:
            import_holds_chain.wait(10)
            members.member_update_profile(
                actor=clerk,
                member=Member.objects.get(pk=m.pk),
                expected_version=revision(m),
                residence="Đình Lập",
            )
            outcome["clerk"] = "saved"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["clerk"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=importer), threading.Thread(target=clerk_saves)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcome == {"import": "saved", "clerk": "saved"}, outcome
    saved = Member.objects.get(pk=m.pk)
    assert (saved.hometown, saved.residence) == ("nhập từ tệp", "Đình Lập")
