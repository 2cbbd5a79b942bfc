"""The cascade tracker through a merger, a dissolution and a district created later (issue 17),
and against a slow reference on a generated tree."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.management import call_command

from grassroots.directives import queries, services, tracker
from grassroots.meetings import services as meetings
from grassroots.organizations.models import Kind, UnitVersion
from grassroots.organizations.queries import version_at

from .directives_world import cascade, restructure_later, world
from .factories import SYSTEM, admit, d, unit

pytestmark = pytest.mark.django_db


def _issue(w_unit, sym, day, parent, kind="chuong_trinh"):
    return services.document_register(
        actor=SYSTEM, kind=kind, symbol=sym, date=d(day), issuer=w_unit,
        title="Chương trình hành động thực hiện Nghị quyết 22", parent=parent,
    )  # fmt: skip


def _study(u, doc, day, marks=None, makeup_of=None):
    """A study meeting of the meetings module, then the study session pointing at it."""
    meeting = meetings.meeting_record(
        actor=SYSTEM, unit=u, kind="study", date=d(day), start=dt.time(8), end=dt.time(11),
        marks=marks or {}, subject=f"Học tập {doc.symbol}",
    )  # fmt: skip
    return services.study_record(
        actor=SYSTEM, document=doc, unit=u, date=d(day), audience="members", meeting=meeting,
        makeup_of=makeup_of,
    )  # fmt: skip


@pytest.fixture
def built():
    w = world()
    c = cascade(w)
    _issue(w.d1, "15-CTr/HU", "2008-05-01", c.kh)  # on time, implementing the province's plan
    _issue(w.d2, "20-CTr/HU", "2008-08-01", c.nq)  # late
    g1_members = [admit(w.c1, "2005-03-01") for _ in range(4)]
    g2_members = [admit(w.g2, "2005-03-01") for _ in range(3)]
    away, skipped, *rest = g1_members
    main = _study(w.g1, c.kh, "2008-10-01", {away.pk: ("excused", "ốm"), skipped.pk: "unexcused"})
    # The make-up session: only the excused member comes.
    _study(w.g1, c.kh, "2008-10-20", {m.pk: "excused" for m in [skipped, *rest]}, makeup_of=main)
    _study(w.g2, c.nq, "2009-02-01")  # late, on the resolution itself
    w.g2_members = g2_members
    restructure_later(w)
    return w, c


def test_tracker_through_a_merger_a_dissolution_and_a_later_district(built):
    w, c = built
    result = queries.cascade(c.nq, w.p, d("2012-03-01")).as_json()
    # Districts D1, D2, D3 (merged 2010, keeps its record), D5 (dissolved before the deadline),
    # D4 (created 2012, inherits); grassroots G1, G2, G3 (moved under D2 by the merger).
    assert result["organizations"] == 8
    assert result["plans_issued"] == 2
    assert result["plans_late"] == 2  # D2 issued late, D3 never did; D4 not due yet
    assert result["study_sessions"] == 3
    # G1: 2 of 4 at the session, 1 more at the make-up; G2: 3 of 3 (the meetings' own counts).
    assert result["study_coverage_pct"] == round(100 * 6 / 7, 2)
    children = {c["code"]: c for c in result["children"]}
    assert sorted(children) == ["D1", "D2", "D3", "D4", "D5"]
    assert children["D1"]["plan"] == {"number": "15-CTr/HU", "date": "2008-05-01"}
    assert children["D1"]["late"] == [] and children["D1"]["state"] == tracker.DONE
    assert children["D2"]["late"][0] == "Ban hành chương trình hành động"
    assert (
        "Học tập, quán triệt (toàn thể đảng viên): 2 tổ chức trực thuộc" in children["D2"]["late"]
    )
    assert children["D3"]["state"] == tracker.LATE and children["D3"]["plan"] is None
    assert children["D5"]["state"] == tracker.ENDED and children["D5"]["late"] == []
    assert children["D4"]["state"] == tracker.NOT_DUE
    # D4's deadline keeps the resolution's lead time from its creation: late by mid 2012.
    later = queries.cascade(c.nq, w.p, d("2012-06-30")).as_json()
    assert later["plans_late"] == 3


def test_before_the_merger_the_grassroots_stand_where_they_were(built):
    w, c = built
    result = queries.cascade(c.nq, w.d3, d("2009-06-30")).as_json()
    assert result["organizations"] == 2  # D3 itself and G3
    assert [ch["code"] for ch in result["children"]] == ["G3"]
    after = queries.cascade(c.nq, w.d2, d("2011-01-01")).as_json()
    assert sorted(ch["code"] for ch in after["children"]) == ["G2", "G3"]
    assert after["study_coverage_pct"] == 100.0


def test_study_coverage_is_the_meetings_modules_attendance(built):
    from grassroots.meetings.models import Meeting
    from grassroots.meetings.queries import coverage

    w, c = built
    result = queries.cascade(c.nq, w.g2, d("2012-03-01")).as_json()
    assert result["study_coverage_pct"] == coverage(Meeting.objects.filter(unit=w.g2)).pct == 100.0


def test_a_study_for_all_members_is_a_meeting_and_one_for_cadres_has_counts(built):
    from django.core.exceptions import ValidationError

    w, c = built
    with pytest.raises(ValidationError, match="buổi sinh hoạt học tập"):
        services.study_record(
            actor=SYSTEM, document=c.nq, unit=w.g2, date=d("2009-03-01"), audience="members"
        )
    with pytest.raises(ValidationError, match="lớn hơn số phải học"):
        services.study_record(
            actor=SYSTEM, document=c.nq, unit=w.d1, date=d("2008-03-01"), audience="cadres",
            expected=30, attended=31,
        )  # fmt: skip
    services.study_record(
        actor=SYSTEM, document=c.nq, unit=w.d1, date=d("2008-03-01"), audience="cadres",
        expected=30, attended=29,
    )  # fmt: skip


def test_the_tracker_for_the_provinces_plan_is_its_own_chain(built):
    w, c = built
    result = queries.cascade(c.kh, w.p, d("2012-03-01")).as_json()
    assert result["organizations"] == 3  # the three grassroots organizations bound to study
    assert result["study_sessions"] == 2  # G2 studied the resolution, not the plan
    assert result["plans_issued"] == 0


def test_the_inbox_lists_what_is_required_of_a_committee(built):
    w, c = built
    items = queries.inbox(w.g3, d("2009-06-30"))
    assert [(i.document.symbol, i.state) for i in items] == [("30-KH/TU", tracker.LATE)]
    d1 = queries.inbox(w.d1, d("2008-04-01"))
    assert [(i.document.symbol, i.state, i.deadline) for i in d1] == [
        ("22-NQ/TW", tracker.NOT_DUE, d("2008-06-30"))
    ]


def test_tracking_one_organization_alone_equals_its_row_in_the_whole_tree(built):
    """The inbox tracks the organization alone (`only_unit`); its duties must be those of its
    row when the whole tree above it is tracked, for every organization and several days."""
    w, c = built
    top = w.p
    docs = [c.nq, c.kh]
    for day in map(d, ("2008-04-01", "2008-09-30", "2009-06-30", "2012-01-01")):
        for doc in docs:
            whole = tracker.track(doc, top, day).orgs
            for unit_id, org in whole.items():
                alone = tracker.track(doc, org_unit(unit_id), day, only_unit=True).orgs
                assert list(alone) == [unit_id]
                duty = lambda o: [(x.label, x.deadline, x.state, x.done_on) for x in o.duties]  # noqa: E731
                assert duty(alone[unit_id]) == duty(org)


def org_unit(pk):
    from grassroots.organizations.models import Unit

    return Unit.objects.get(pk=pk)


def test_cli_prints_the_documented_keys(built, capsys):
    w, c = built
    call_command("cascade", document="22-NQ/TW", unit="P", at=d("2012-03-01"), json=True)
    out = json.loads(capsys.readouterr().out)
    assert list(out) == [
        "document", "unit", "at", "organizations", "plans_issued", "plans_late",
        "study_sessions", "study_coverage_pct", "reports_filed", "children",
    ]  # fmt: skip
    assert set(out["children"][0]) >= {"code", "name", "plan", "study_coverage_pct", "late"}
    call_command("documents", unit="D1", search="chuong trinh", json=True)
    found = json.loads(capsys.readouterr().out)
    assert [doc["symbol"] for doc in found["documents"]] == ["15-CTr/HU"]


# --- a slow reference on a generated tree ------------------------------------------------------


def _reference(req, root_id: int, at: dt.date) -> dict[int, dt.date]:
    """Bound organizations under root (unit id → entry day), day by day through
    UnitVersion.parent, with no closure: the obviously-right reading of the rules."""
    versions = list(UnitVersion.objects.all())
    kinds = tracker.LEVELS[req.level].unit_kinds
    issuer = req.document.issuer_id

    def on(day):
        return {
            v.unit_id: v
            for v in versions
            if v.valid_from <= day and (v.valid_to is None or day < v.valid_to)
        }

    def above(unit_id, day, alive):
        out, current = [], alive[unit_id].parent_id
        while current is not None and current in alive:
            out.append(current)
            current = alive[current].parent_id
        return out

    entry, last = {}, {}
    day = req.document.date
    while day <= at:
        alive = on(day)
        for unit_id, v in alive.items():
            if v.kind in kinds and (issuer is None or issuer in above(unit_id, day, alive)):
                entry.setdefault(unit_id, day)
                last[unit_id] = day
        day += dt.timedelta(days=1)
    out = {}
    for unit_id, first in entry.items():
        alive = on(last[unit_id])
        if unit_id == root_id or root_id in above(unit_id, last[unit_id], alive):
            out[unit_id] = first
    return out


def test_bound_organizations_agree_with_a_slow_reference():
    from grassroots.organizations import services as orgs
    from grassroots.restructure import services as restructure

    rng = random.Random(17)
    p = unit("P", Kind.PROVINCE)
    districts = [unit(f"D{i}", Kind.DISTRICT, p) for i in range(4)]
    grass = [unit(f"G{i}", Kind.GRASSROOTS_COMMITTEE, rng.choice(districts)) for i in range(8)]
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, rng.choice(grass)) for i in range(12)]
    doc = services.document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="7-KH/TU", date=d("2010-01-10"), issuer=p,
        title="Kế hoạch", requirements=[
            {"level": "cell", "action": "study", "audience": "members", "deadline": d("2010-06-30")},
            {"level": "grassroots", "action": "issue", "deadline": d("2010-04-30")},
        ],
    )  # fmt: skip
    day = d("2010-02-01")
    for step in range(10):  # moves, a merger, new cells, along the window
        day += dt.timedelta(days=rng.randint(5, 25))
        cell = rng.choice(cells)
        cell.refresh_from_db()
        if cell.exists_on(day):
            here = version_at(cell, day).parent_id
            target = rng.choice([g for g in grass if g.exists_on(day) and g.pk != here])
            orgs.unit_move(actor=SYSTEM, unit=cell, new_parent=target, date=day)
        if step == 4:
            cells.append(unit("CN", Kind.SUBORDINATE_CELL, grass[0], date=day.isoformat()))
        if step == 6:
            src, dst = grass[1], grass[2]
            for g in (src, dst):
                g.refresh_from_db()
            restructure.unit_merge(actor=SYSTEM, sources=[src], target=dst, date=day)
    at = day + dt.timedelta(days=3)
    for req in doc.requirements.all():
        for root in [p, *districts]:
            fast = {k: v[0] for k, v in tracker._bound(req, root, at).items()}
            assert fast == _reference(req, root.pk, at), (req.level, root.code)


def test_overdue_items_reach_the_dashboard(built):
    from grassroots.accounts.models import Role, User
    from grassroots.core.due import due_items

    w, c = built
    viewer = User.objects.create_user("xem_g3", password="x", scope=w.g3, role=Role.VIEWER)
    items = [i for i in due_items(viewer, w.g3, d("2009-06-30")) if i.module == "Văn bản chỉ đạo"]
    assert [(i.count, i.overdue) for i in items] == [(1, True)]
    assert items[0].url == "/directives/units/G3/?at=2009-06-30"
