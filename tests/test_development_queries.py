"""Pipeline figures: counts by stage through the restructured tree, admissions by category
(equal to the registry's `admitted` flow), durations, deadlines, villages, and the CLI."""

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from grassroots.development import queries
from grassroots.development import services as dev
from grassroots.development.models import Stage
from grassroots.figures.queries import figures
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit, UnitVersion
from grassroots.territory import services as territory

from .development_world import admit_through, file_ready, propose, world
from .factories import SYSTEM, d, unit

pytestmark = pytest.mark.django_db


def test_pipeline_counts_follow_the_restructured_tree():
    w = world()
    cand = propose(w.c1)
    file_ready(w, cand)
    other = unit("G2", Kind.GRASSROOTS_COMMITTEE, w.p)
    orgs.unit_move(actor=SYSTEM, unit=w.c1, new_parent=other, date=d("2024-06-01"))
    before, after = d("2024-05-31"), d("2024-06-01")
    assert queries.pipeline_counts(w.g, before)[Stage.VERIFIED] == 1
    assert queries.pipeline_counts(w.g, after)[Stage.VERIFIED] == 0
    assert queries.pipeline_counts(other, after)[Stage.VERIFIED] == 1
    assert queries.pipeline_counts(w.p, d("2024-01-09")) == dict.fromkeys(
        queries.pipeline_counts(w.p, after), 0
    )
    assert queries.pipeline_counts(w.p, d("2024-01-10"))[Stage.PROPOSED] == 1


def test_admissions_by_category_and_durations_equal_the_registry():
    w = world()
    cand = propose(w.c1, religion="Phật giáo")
    step = admit_through(w, cand)
    since, at = d("2024-01-01"), d("2024-12-31")
    adm = queries.admissions(w.p, since, at)
    # The world's probationer (admitted 2023) is outside the window; the candidate is inside.
    assert adm.admitted == 1 == figures(w.p, at, since).since.admitted
    assert adm.by == {
        "women": 1, "ethnic_minority": 1, "religious": 1, "youth_union": 1, "age_18_30": 1
    }  # fmt: skip
    assert adm.average_age == 23.0
    to_decision, to_ceremony = queries.durations(w.p, since, at)
    assert to_ceremony == 10.0 and to_decision == 35.0
    assert queries.admissions(w.x, since, at).admitted == 0
    assert step.date.year == 2024


def test_deadlines_due_and_overdue():
    w = world()
    cand = propose(w.c1)
    day = file_ready(w, cand)
    dev.step_cell_vote(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=5), votes_for=2)
    dev.step_grassroots_proposal(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=6))
    decision = d("2024-03-04")
    dev.step_decision(actor=SYSTEM, candidate=cand, date=decision, document_number="1",
                      issuing_body="ĐU")  # fmt: skip
    # 30 working days from Monday 04/03/2024 (30/04 and 01/05 are holidays): 15/04.
    due = queries.deadlines(w.p, d("2024-04-01"))
    assert [(x.rule, x.due, x.overdue) for x in due] == [("ceremony", d("2024-04-16"), False)]
    due = queries.deadlines(w.p, d("2024-04-16"))
    assert [(x.rule, x.overdue) for x in due] == [("ceremony", True)]
    rows = queries.cases(w.g, d("2024-04-16"))
    assert rows[0].overdue == ["ceremony"] and rows[0].stage == Stage.DECIDED
    assert queries.deadlines(w.x, d("2024-04-16")) == []


def test_stale_file_age_and_certificate_deadlines():
    w = world()
    cand = propose(w.c1, birth_date=dt.date(1964, 3, 1))
    file_ready(w, cand, "2024-02-01")
    rules_due = {x.rule: x for x in queries.deadlines(w.p, d("2024-03-15"))}
    assert rules_due["age"].due == d("2024-04-01") and not rules_due["age"].overdue
    late = {x.rule: x for x in queries.deadlines(w.p, d("2025-02-10"))}
    assert late["age"].overdue and late["stale_file"].overdue
    assert late["stale_file"].due == d("2025-02-08")


def test_villages_without_an_own_cell():
    w = world()
    commune = unit("XA", Kind.GRASSROOTS_COMMITTEE, w.p)
    cell = unit("XA-1", Kind.SUBORDINATE_CELL, commune)
    territory.village_create(
        actor=SYSTEM, code="V1", name="Thôn Bản Chắt", kind="thon", unit=commune,
        date=d("2020-01-01"), arrangement="joint", cell=cell,
    )  # fmt: skip
    from .factories import admit, event

    m = admit(cell, "2015-01-01", residence="Thôn Bản Chắt, xã XA")
    event(m, "official")
    admit(cell, "2023-01-01", residence="Thôn Bản Chắt, xã XA")  # probationary: not counted
    rows = queries.villages_to_develop(w.p, d("2024-06-01"))
    assert [(r.code, r.arrangement, r.official_members_living) for r in rows] == [
        ("V1", "joint", 1)
    ]
    from django.test import Client

    from grassroots.accounts.models import User

    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x-Passw0rd!"))
    page = client.get("/development/units/P/").content.decode()
    assert "Thôn Bản Chắt" in page and "Sinh hoạt ghép" in page


def test_cli_summary_keys_and_candidates():
    w = world()
    cand = propose(w.c1)
    admit_through(w, cand)
    propose(w.c2, full_name="Lý Văn Chờ")
    out = StringIO()
    call_command(
        "development-summary", "--unit=P", "--at=2024-12-31", "--since=2024-01-01", "--json",
        stdout=out,
    )  # fmt: skip
    data = json.loads(out.getvalue())
    assert set(data) == {
        "unit", "at", "stages", "overdue", "admitted", "admitted_by", "average_age_at_admission",
        "median_days_application_to_decision", "median_days_decision_to_ceremony",
    }  # fmt: skip
    assert data["admitted"] == 1 and data["stages"]["proposed"] == 1
    assert data["stages"]["probation"] == 1 and data["admitted_by"]["women"] == 1
    out = StringIO()
    call_command(
        "candidates", "--unit=P", "--stage=proposed", "--at=2024-12-31", "--json", stdout=out
    )
    assert [r["full_name"] for r in json.loads(out.getvalue())] == ["Lý Văn Chờ"]
    # The text output names the stage and the passed limits in Vietnamese, never their codes.
    out = StringIO()
    call_command("candidates", "--unit=P", "--at=2025-06-01", stdout=out)
    text = out.getvalue()
    assert "Lý Văn Chờ" in text and "Quần chúng ưu tú" in text
    assert "Đảng viên dự bị  QUÁ HẠN: Hạn xét công nhận đảng viên chính thức" in text
    for code in ("stale_file", "recognition", "ceremony", "certificate", "proposed", "probation"):
        assert code not in text


def test_admitted_equals_the_registry_on_generated_data():
    from grassroots.scale.runs import generate

    generate(1200, seed=11)
    rng = random.Random(5)
    versions = list(UnitVersion.objects.values_list("unit_id", flat=True).distinct())
    units = Unit.objects.in_bulk(rng.sample(versions, min(40, len(versions))))
    checked = 0
    for u in units.values():
        since = dt.date(rng.randint(1960, 2025), rng.randint(1, 12), 1)
        at = since + dt.timedelta(days=rng.randint(30, 6000))
        expected = figures(u, at, since).since.admitted
        assert queries.admissions(u, since, at).admitted == expected, (u.code, since, at)
        checked += expected > 0
    assert checked >= 5


def test_a_probationer_who_dies_or_moves_out_leaves_the_pipeline():
    """No false "overdue recognition": death or a transfer out of the system (recorded in the
    registry by any path) takes the case out of the board, the counts and the deadlines; a
    probationer still in the registry stays overdue."""
    from .factories import event

    w = world()
    cases = [propose(w.c1, full_name=f"Người thứ {i}") for i in range(3)]
    for cand in cases:
        admit_through(w, cand)
        cand.refresh_from_db()
    late = d("2025-06-01")  # the 12 months and 30 working days are over
    overdue = {x.candidate_id for x in queries.deadlines(w.g, late) if x.rule == "recognition"}
    assert overdue == {c.pk for c in cases}
    probation = queries.pipeline_counts(w.g, late)[Stage.PROBATION]
    dead, gone, stays = cases
    event(dead.member, "death", "2025-01-10")
    event(gone.member, "transfer_out", "2025-02-10")
    due = [x for x in queries.deadlines(w.g, late) if x.rule == "recognition"]
    assert [x.candidate_id for x in due] == [stays.pk] and due[0].overdue
    assert queries.pipeline_counts(w.g, late)[Stage.PROBATION] == probation - 2
    assert {r.id for r in queries.cases(w.g, late, Stage.PROBATION)} == {stays.pk}
    # Before the death the case was still open there.
    assert dead.pk in {r.id for r in queries.cases(w.g, d("2025-01-09"), Stage.PROBATION)}
    assert queries.case_deadlines(dead, list(dead.steps.all()), late, frozenset()) == []


def test_a_probationer_who_transfers_is_followed_to_the_new_cell():
    """The cell that considers the recognition is the one the probationer is counted in that day
    (the registry): a transfer inside the system moves the case in the counts, the board and the
    deadlines, the case's own cell keeps it until the transfer."""
    from .factories import event

    w = world()
    cand = propose(w.c1)
    admit_through(w, cand)
    cand.refresh_from_db()
    other = unit("G2", Kind.GRASSROOTS_COMMITTEE, w.p)
    cell = unit("G2-1", Kind.SUBORDINATE_CELL, other)
    before, after, late = d("2024-09-30"), d("2024-10-01"), d("2025-06-01")
    g_before = queries.pipeline_counts(w.g, before)[Stage.PROBATION]
    assert queries.pipeline_counts(other, before)[Stage.PROBATION] == 0
    event(cand.member, "transfer", "2024-10-01", unit=cell)
    assert queries.pipeline_counts(w.g, after)[Stage.PROBATION] == g_before - 1
    assert queries.pipeline_counts(other, after)[Stage.PROBATION] == 1
    assert queries.pipeline_counts(w.g, before)[Stage.PROBATION] == g_before
    [row] = queries.cases(other, late, Stage.PROBATION)
    assert row.id == cand.pk and row.cell == "G2-1" and row.overdue == ["recognition"]
    assert cand.pk not in {x.candidate_id for x in queries.deadlines(w.g, late)}
    assert [x.cell for x in queries.deadlines(other, late)] == ["G2-1"]


def test_due_spans_are_the_open_and_the_recognized_later_spans():
    """`_due_spans` is written as one filter (the union of two querysets cost ~10 ms of CPU per
    organization page): the same spans as `open_spans | _recognized_later`, on every day around
    a case at each stage, a late recognition, a move of its cell and an organization elsewhere."""
    w = world()
    proposed = propose(w.c1, full_name="Người đề nghị")
    ready = propose(w.c1, full_name="Người đủ hồ sơ")
    file_ready(w, ready)
    late = propose(w.c1, full_name="Người công nhận muộn")
    admit_through(w, late)
    on_time = propose(w.c1, full_name="Người công nhận đúng hạn")
    admit_through(w, on_time, start="2024-03-01")
    for cand in (late, on_time):
        cand.refresh_from_db()
    ceremony = late.steps.get(kind="ceremony").date
    dev.step_recognition(actor=SYSTEM, candidate=late, date=ceremony + dt.timedelta(days=500))
    ceremony = on_time.steps.get(kind="ceremony").date
    dev.step_recognition(actor=SYSTEM, candidate=on_time, date=ceremony + dt.timedelta(days=370))
    other = unit("G2", Kind.GRASSROOTS_COMMITTEE, w.p)
    orgs.unit_move(actor=SYSTEM, unit=w.c1, new_parent=other, date=d("2025-09-01"))
    days = [d("2024-01-09") + dt.timedelta(days=n) for n in range(0, 900, 7)]
    seen = set()
    for u in (w.p, w.g, w.c1, other, w.x):
        for day in days:
            old = queries.open_spans(u, day) | queries._recognized_later(u, day)
            new = queries._due_spans(u, day)
            assert sorted(new.values_list("pk", flat=True)) == sorted(
                old.values_list("pk", flat=True)
            ), (u.code, day)
            seen |= set(new.values_list("stage", flat=True))
            if queries._recognized_later(u, day).exists():
                seen.add("recognized later")
    assert {"proposed", "verified", "probation", "recognized later"} <= seen
    assert proposed.pk


def test_deadlines_read_only_the_cases_that_can_fall_due_and_give_the_same_list():
    """Issue 11: the dashboard replayed every probationer's steps although a probation is due
    only from its end (12 months after the ceremony). `deadlines` now reads the probations whose
    ceremony is early enough (`_may_fall_due`): the same list as replaying every open case, on
    every day around ceremonies of different dates, a late recognition and cases before a vote."""
    from grassroots.development import config

    w = world()
    ceremonies = []
    for i, start in enumerate(("2024-02-01", "2024-03-15", "2024-05-01", "2024-07-20")):
        cand = propose(w.c1, full_name=f"Người dự bị {i}")
        ceremonies.append(admit_through(w, cand, start=start).date)
    late = propose(w.c1, full_name="Người công nhận muộn")
    ceremony = admit_through(w, late, start="2024-02-20").date
    dev.step_recognition(actor=SYSTEM, candidate=late, date=ceremony + dt.timedelta(days=500))
    file_ready(w, propose(w.c1, full_name="Người đủ hồ sơ"), start="2024-03-01")
    propose(w.c2, full_name="Người mới đề nghị", on="2024-06-01")
    dropped = due_seen = 0
    for day in [d("2024-02-01") + dt.timedelta(days=n) for n in range(0, 760, 6)]:
        values = config.rules_on(day)
        for u in (w.p, w.g, w.c1):
            every = queries._due_spans(u, day)
            expected = queries._deadlines(every, day, values)
            assert queries.deadlines(u, day) == expected, (u.code, day)
            kept = every.filter(queries._may_fall_due(day, values)).count()
            dropped += every.count() - kept
            due_seen += any(x.rule == "recognition" for x in expected)
    assert dropped > 0 and due_seen > 0  # both sides of the boundary were met
