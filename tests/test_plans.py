"""Restructure plans: a whole plan validated in dependency order, applied at once, audited as one
plan; the shuffled workbook gives the figures of the same changes made one by one."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from grassroots.audit.models import AuditRecord
from grassroots.members.sheets import EVENTS
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit
from grassroots.organizations.sheets import CHANGES, ORGANIZATIONS
from grassroots.plans import services
from grassroots.plans.models import Plan, Status
from grassroots.restructure import plan as engine
from grassroots.restructure import services as restructure

from . import plan_world as world
from .excel_helpers import headers, workbook
from .factories import SYSTEM

pytestmark = pytest.mark.django_db

LABELS = {
    "establish": "Thành lập",
    "rename": "Đổi tên",
    "move": "Chuyển trực thuộc",
    "change_kind": "Thay đổi cấp tổ chức",
    "merge": "Sáp nhập",
    "dissolve": "Giải thể",
}
KIND_LABELS = {k.value: str(k.label) for k in Kind}


def _change_row(r: dict) -> list:
    cols = [c.field for c in CHANGES.columns]
    values = {
        "code": r["code"],
        "action": LABELS[r["action"]],
        "date": world.DAY,
        "name": r.get("name", ""),
        "kind": KIND_LABELS.get(r.get("kind", ""), ""),
        "parent": r.get("parent", ""),
        "target": r.get("target", ""),
        "new_cell_code": r.get("new_cell_code", ""),
        "new_cell_name": r.get("new_cell_name", ""),
        "decision_number": "01-NQ/TU",
    }
    return [values.get(c, "") for c in cols]


def plan_workbook(path, built, seed=7, explicit_moves=True) -> str:
    rows = world.reorganization()
    orgs_rows, change_rows = [], []
    for r in rows:
        if r["action"] == "establish":
            orgs_rows.append(
                [
                    r["code"],
                    r["name"],
                    KIND_LABELS[r["kind"]],
                    "Xã, phường, thị trấn, đặc khu",
                    r["parent"],
                    world.DAY,
                ]
            )
        else:
            change_rows.append(_change_row(r))
    event_rows = []
    if explicit_moves:
        # The restructure rows an export writes for a merger (edge case 3): the same fact.
        for r in rows:
            if r["action"] == "merge":
                for m in built["members"][r["code"]]:
                    values = {
                        "profile_number": m.profile_number,
                        "kind": "Chuyển theo sắp xếp tổ chức",
                        "date": world.DAY,
                        "unit": r["target"],
                    }
                    event_rows.append([values.get(c.field, "") for c in EVENTS.columns])
    rng = random.Random(seed)
    for block in (orgs_rows, change_rows, event_rows):
        rng.shuffle(block)
    sheets = {
        ORGANIZATIONS.name: [headers(ORGANIZATIONS), *orgs_rows],
        CHANGES.name: [headers(CHANGES), *change_rows],
    }
    if event_rows:
        sheets[EVENTS.name] = [headers(EVENTS), *event_rows]
    return workbook(path, sheets)


def one_by_one() -> None:
    """The same changes made by hand through the services, in an order that works."""
    day = world.DAY
    P = Unit.objects.get(code="P")
    for i in range(1, world.DISTRICTS + 1):
        orgs.unit_establish(
            actor=SYSTEM,
            code=f"P-X{i}",
            name=f"Chi bộ xã mới {i}",
            kind=Kind.GRASSROOTS_CELL,
            grassroots_type="commune",
            parent=P,
            date=day,
        )
    restructure.unit_change_kind(
        actor=SYSTEM,
        unit=Unit.objects.get(code="P-D1-C4"),
        kind=Kind.GRASSROOTS_COMMITTEE,
        date=day,
        new_cell_code="P-D1-C4-1",
        new_cell_name="Chi bộ thôn 1",
    )
    orgs.unit_rename(
        actor=SYSTEM, unit=Unit.objects.get(code="P-D2-C4"), name="Chi bộ phường Đông", date=day
    )
    for i in range(1, world.DISTRICTS + 1):
        orgs.unit_move(
            actor=SYSTEM, unit=Unit.objects.get(code=f"P-D{i}-C4"), new_parent=P, date=day
        )
        for j in (1, 2, 3):
            restructure.unit_merge(
                actor=SYSTEM,
                sources=[Unit.objects.get(code=f"P-D{i}-C{j}")],
                target=Unit.objects.get(code=f"P-X{i}"),
                date=day,
            )
        restructure.unit_dissolve(actor=SYSTEM, unit=Unit.objects.get(code=f"P-D{i}"), date=day)


DAYS = (world.DAY - dt.timedelta(days=1), world.DAY, dt.date(2026, 1, 1))


class _Undo(Exception):
    pass


def test_shuffled_workbook_applies_as_one_plan_with_the_figures_of_one_by_one(tmp_path, capsys):
    built = world.build()
    path = plan_workbook(tmp_path / "plan.xlsx", built)
    before_figures = world.figures_of_all(DAYS[:1])
    try:
        with transaction.atomic():
            one_by_one()
            expected = world.figures_of_all(DAYS)
            raise _Undo
    except _Undo:
        pass
    call_command("plan", "check", path)
    call_command("plan", "apply", path)
    got = world.figures_of_all(DAYS)
    assert got == expected
    assert {k: v for k, v in got.items() if k in before_figures} == before_figures
    plan = Plan.objects.get()
    assert plan.status == Status.APPLIED
    # Explicit moves already made by the mergers were recognized, not recorded twice.
    assert len(plan.summary["recognized"]) == 18
    assert AuditRecord.objects.filter(object_type="plan", action="apply").count() == 1
    moved = built["members"]["P-D1-C1"][0]
    assert moved.events.filter(kind="restructure").count() == 1
    assert not Unit.objects.get(code="P-D1").exists_on(world.DAY)


def test_check_json_lists_affected_figures_and_writes_nothing(tmp_path, capsys):
    built = world.build()
    path = plan_workbook(tmp_path / "plan.xlsx", built, explicit_moves=False)
    capsys.readouterr()
    call_command("plan", "check", path, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["problems"] == []
    affected = {a["code"]: a for a in data["affected"]}
    assert affected["P-X1"]["before"] is None
    assert affected["P-X1"]["after"]["members"] == 6
    assert affected["P-D1"]["before"]["members"] == 8 and affected["P-D1"]["after"] is None
    assert affected["P"]["before"]["members"] == affected["P"]["after"]["members"] == 24
    assert affected["P"]["after"]["grassroots_cells"] == 5  # 3 new + C4 of D2, D3
    assert set(affected["P"]["before"]) >= {"members", "villages", "grassroots_organizations"}
    assert not Unit.objects.filter(code="P-X1").exists()
    assert Plan.objects.count() == 0


def test_every_problem_listed_at_once_naming_the_row_and_nothing_written(tmp_path, capsys):
    built = world.build()
    rows = [
        _change_row({"action": "merge", "code": "P-D1-C1", "target": "NOPE"}),
        _change_row({"action": "dissolve", "code": "P-D2"}),  # still has its communes
        _change_row({"action": "rename", "code": "P-D3-C1", "name": "Chi bộ mới"}),
    ]
    path = workbook(tmp_path / "bad.xlsx", {CHANGES.name: [headers(CHANGES), *rows]})
    with pytest.raises(CommandError) as failed:
        call_command("plan", "apply", path)
    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert "dòng 2" in err and "NOPE" in err
    assert "dòng 3" in err and "Giải thể P-D2" in err
    assert "dòng 4" not in err
    assert Plan.objects.count() == 0
    assert Unit.objects.get(code="P-D3-C1").versions.count() == 1
    assert built


def test_applied_plan_cannot_be_edited_only_reverted_by_another(tmp_path):
    world.build()
    P = Unit.objects.get(code="P")
    plan = services.plan_create(actor=SYSTEM, name="Đổi tên", effective_date=world.DAY, scope=P)
    services.plan_add_change(actor=SYSTEM, plan=plan, action="rename", code="P-D1-C1", name="Mới")
    services.plan_apply(actor=SYSTEM, plan=plan)
    with pytest.raises(Exception, match="không thể sửa"):
        services.plan_add_change(actor=SYSTEM, plan=plan, action="rename", code="P-D1-C2", name="X")
    with pytest.raises(Exception, match="không thể sửa"):
        services.plan_apply(actor=SYSTEM, plan=plan)
    undo = services.plan_create(
        actor=SYSTEM, name="Hoàn tác", effective_date=dt.date(2025, 8, 1), scope=P, reverts=plan
    )
    services.plan_add_change(
        actor=SYSTEM, plan=undo, action="rename", code="P-D1-C1", name="Tổ chức P-D1-C1"
    )
    services.plan_apply(actor=SYSTEM, plan=undo)
    assert Plan.objects.get(pk=plan.pk).reverted_by.get() == undo


def test_future_plan_applied_ahead_keeps_earlier_figures():
    world.build()
    from grassroots.figures.queries import figures

    P = Unit.objects.get(code="P")
    future = dt.date.today() + dt.timedelta(days=40)
    today = dt.date.today()
    d1 = Unit.objects.get(code="P-D1")
    before = figures(d1, today).as_json()
    plan = services.plan_create(actor=SYSTEM, name="Sáp nhập", effective_date=future, scope=P)
    services.plan_add_change(
        actor=SYSTEM, plan=plan, action="merge", code="P-D1-C1", target="P-D1-C2"
    )
    services.plan_apply(actor=SYSTEM, plan=plan)
    assert figures(d1, today).as_json() == before
    assert figures(d1, future).grassroots_cells == before["grassroots_cells"] - 1


def test_refused_plan_changes_nothing_and_names_each_change():
    world.build()
    P = Unit.objects.get(code="P")
    plan = services.plan_create(actor=SYSTEM, name="Sai", effective_date=world.DAY, scope=P)
    services.plan_add_change(actor=SYSTEM, plan=plan, action="rename", code="P-D1-C1", name="Mới")
    services.plan_add_change(actor=SYSTEM, plan=plan, action="dissolve", code="P-D1-C2")
    with pytest.raises(services.PlanRefused) as refused:
        services.plan_apply(actor=SYSTEM, plan=plan)
    assert [p.change.where for p in refused.value.problems] == ["Thay đổi 2"]
    assert Unit.objects.get(code="P-D1-C1").versions.count() == 1
    assert Plan.objects.get(pk=plan.pk).status == Status.DRAFT


def test_dependency_order_new_subcell_under_a_growing_cell():
    world.build()
    changes = [
        engine.Change(
            "establish",
            "P-D1-C1-A",
            world.DAY,
            name="Chi bộ A",
            kind=Kind.SUBORDINATE_CELL,
            parent="P-D1-C1",
        ),
        engine.Change("change_kind", "P-D1-C1", world.DAY, kind=Kind.GRASSROOTS_COMMITTEE),
        engine.Change("member_move", "000001PP", world.DAY, target="P-D1-C1-A"),
    ]
    with transaction.atomic():
        outcome = engine.play(SYSTEM, changes)
    assert outcome.problems == []
    assert [c.label for c in outcome.recognized] == [
        "Chuyển đảng viên theo sắp xếp 000001PP → P-D1-C1-A"
    ]
    cell = Unit.objects.get(code="P-D1-C1-A")
    assert cell.established == world.DAY


def test_changes_made_one_by_one_recorded_as_an_applied_plan():
    """What the demo does for its bulk-loaded 2025 changes: the registry's own change rows of one
    day become an applied plan that links them; its outcome (the day before → the day) is the
    same as the preview of the same plan before it was done. Mixed days and nothing: refused."""
    from django.core.exceptions import ValidationError

    from grassroots.organizations.models import UnitChange
    from grassroots.plans.models import Source
    from grassroots.plans.preview import look_back

    world.build()
    P = Unit.objects.get(code="P")
    draft = services.plan_import(
        actor=SYSTEM,
        name="Trước",
        effective_date=world.DAY,
        scope=P,
        changes=[engine.Change(date=world.DAY, **r) for r in world.reorganization()],
    )
    preview = services.plan_check(actor=SYSTEM, plan=draft)
    one_by_one()
    rows = list(UnitChange.objects.filter(date=world.DAY).order_by("pk"))
    plan = services.plan_record_applied(actor=SYSTEM, name="Đã làm", scope=P, unit_changes=rows)
    assert plan.status == Status.APPLIED and plan.source == Source.DEMO
    assert plan.summary["unit_changes"] == [r.pk for r in rows]
    merges = set(plan.changes.filter(action="merge").values_list("code", "target"))
    assert merges == {(f"P-D{i}-C{j}", f"P-X{i}") for i in (1, 2, 3) for j in (1, 2, 3)}
    assert AuditRecord.objects.filter(object_type="plan", action="record_applied").count() == 1
    done = look_back(services.to_changes(plan), plan.effective_date)
    after = {a["code"]: a["after"] for a in done.affected}
    for a in preview.affected:
        if a["after"] is not None:
            assert after[a["code"]] == a["after"], a["code"]
    assert {m["number"] for m in done.members} >= {
        m["number"] for m in preview.members if m["after"]
    }
    with pytest.raises(ValidationError, match="cùng một ngày"):
        older = UnitChange.objects.filter(date__lt=world.DAY)[:1]
        services.plan_record_applied(
            actor=SYSTEM, name="Lẫn", scope=P, unit_changes=[rows[0], *older]
        )
    with pytest.raises(ValidationError, match="chưa có thay đổi"):
        services.plan_record_applied(actor=SYSTEM, name="Rỗng", scope=P, unit_changes=[])


def test_name_index_after_a_plan_equals_a_full_rebuild():
    """The merger's members get their name keys once for the cell (derived.maintain.names_batched),
    and those keys are exactly what a full rebuild computes."""
    from grassroots.derived import name_index
    from grassroots.members.models import MemberNameKey

    world.build()
    plan = services.plan_import(
        actor=SYSTEM,
        name="Sắp xếp",
        effective_date=world.DAY,
        scope=Unit.objects.get(code="P"),
        changes=[engine.Change(date=world.DAY, **r) for r in world.reorganization()],
    )
    services.plan_apply(actor=SYSTEM, plan=plan)

    def keys():
        return sorted(MemberNameKey.objects.values_list("member_id", "place_id", "key"))

    after = keys()
    merged_into = Unit.objects.get(code="P-X1").pk
    assert any(place == merged_into for _m, place, _k in after)
    name_index.rebuild()
    assert keys() == after


def test_a_check_keeps_only_the_closure_and_finds_the_problems_of_a_full_play():
    """A check (rehearse without preview) does not move the figures ledger, the meeting rollups
    or the placed duties (derived.maintain.derived_discarded), yet lists exactly the problems of
    a full play: the closure the checks read is kept as the full play keeps it."""
    from grassroots.derived import maintain
    from grassroots.figures.models import FigureDelta
    from grassroots.organizations.models import UnitAncestry
    from grassroots.plans.preview import rehearse

    built = world.build()
    stray = built["members"]["P-D1-C2"][0].profile_number

    def changes() -> list[engine.Change]:
        rows = []
        for r in world.reorganization():
            if r["action"] == "merge" and r["code"] == "P-D2-C1":
                continue  # P-D2 keeps a commune: its dissolution is refused
            if r["action"] == "merge" and r["code"] == "P-D3-C1":
                r = {**r, "target": "NOPE"}
            rows.append(r)
        out = [engine.Change(date=world.DAY, **r) for r in rows]
        # Into a cell that becomes a đảng bộ the same day: refused by its kind on the day.
        out.append(engine.Change("member_move", stray, world.DAY, target="P-D1-C4"))
        return out

    def ledger():
        return sorted(FigureDelta.objects.values_list())

    def closure():  # by code: PostgreSQL does not give back the ids of rolled-back units
        return sorted(
            UnitAncestry.objects.values_list(
                "ancestor__code", "descendant__code", "depth", "valid_from", "valid_to"
            )
        )

    before = ledger()
    try:
        with transaction.atomic():
            full = engine.play(SYSTEM, changes()).problems
            full_closure = closure()
            raise _Undo
    except _Undo:
        pass
    assert {p.change.code for p in full} >= {"P-D2", "P-D3-C1", stray}
    checked = rehearse(SYSTEM, changes(), world.DAY, preview=False)
    assert [p.as_json() for p in checked.problems] == [p.as_json() for p in full]
    try:
        with transaction.atomic(), maintain.derived_discarded():
            engine.play(SYSTEM, changes())
            assert closure() == full_closure
            assert ledger() == before
            raise _Undo
    except _Undo:
        pass
    assert ledger() == before


def test_a_preview_without_the_rollups_shows_what_a_full_play_shows():
    """The preview keeps the closure and the figures ledger but not the meeting rollups or the
    placed duties (derived.maintain.derived_discarded(keep_figures=True)): what it shows is what
    the same play with them all kept shows."""
    from grassroots.derived import maintain
    from grassroots.plans import preview as pv

    world.build()

    def changes() -> list[engine.Change]:
        return [engine.Change(date=world.DAY, **r) for r in world.reorganization()]

    shown = pv.rehearse(SYSTEM, changes(), world.DAY)
    full = pv.Preview(world.DAY)
    named = pv._named_codes(changes())
    try:
        with transaction.atomic(), maintain.names_discarded():
            snap = pv._before(named, changes(), world.DAY, world.DAY)
            outcome = engine.play(SYSTEM, changes())
            full.problems, full.recognized = outcome.problems, outcome.recognized
            pv._compare(full, snap, named, world.DAY)
            full.records = snap["records"]
            raise _Undo
    except _Undo:
        pass
    assert shown.ok and len(shown.affected) > 10 and shown.members
    assert shown.as_json() == full.as_json()


@pytest.mark.parametrize("refused", [False, True])
def test_explicit_member_moves_in_bulk_equal_one_by_one(monkeypatch, refused):
    """Explicit member moves of one day and decision are written as one bulk move
    (`engine._try_moves` → members_restructure): the plan leaves the figures, events, stints,
    audit records and problems of the previous path, one `member_record_event` per row. With a
    refused row the group falls back to one by one, so that row alone is named."""
    from grassroots.members.models import MemberEvent, MemberStint

    built = world.build()
    moved = [m.profile_number for code in ("P-D2-C4", "P-D3-C4") for m in built["members"][code]]
    moved += [built["members"]["P-D1-C1"][1].profile_number]  # its cell is merged into P-X1
    decision = orgs.Decision(number="02-NQ/TU", date=world.DAY)

    def changes() -> list[engine.Change]:
        out = [engine.Change(date=world.DAY, **r) for r in world.reorganization()]
        out += [
            engine.Change("member_move", n, world.DAY, target="P-X2", decision=decision)
            for n in moved
        ]
        if refused:  # into a cell that becomes a đảng bộ the same day
            stray = built["members"]["P-D1-C2"][0].profile_number
            out.append(
                engine.Change("member_move", stray, world.DAY, target="P-D1-C4", decision=decision)
            )
        return out

    def state():
        events = sorted(
            MemberEvent.objects.values_list(
                "member__profile_number",
                "kind",
                "date",
                "unit__code",
                "decision_number",
                "decision_date",
                "note",
                "voided_at",
            )
        )
        stints = sorted(
            MemberStint.objects.values_list(
                "member__profile_number",
                "unit__code",
                "start",
                "end",
                "status",
                "start_reason",
                "end_reason",
                "came_from__code",
                "went_to__code",
            )
        )
        audits = sorted(
            AuditRecord.objects.filter(object_type="memberevent").values_list(
                "action", "object_label"
            )
        )
        return world.figures_of_all(DAYS), events, stints, audits

    def play():
        outcome = engine.play(SYSTEM, changes())
        return [p.as_json() for p in outcome.problems], len(outcome.applied), state()

    try:
        with transaction.atomic(), monkeypatch.context() as patched:
            patched.setattr(engine, "_move_group", lambda pending, i: [])
            expected = play()
            raise _Undo
    except _Undo:
        pass
    bulk = []
    original = engine.members_restructure
    monkeypatch.setattr(
        engine, "members_restructure", lambda **kw: bulk.append(kw["moves"]) or original(**kw)
    )
    assert play() == expected
    problems = expected[0]
    if refused:
        assert problems and all(p["change"].endswith("→ P-D1-C4") for p in problems)
    else:
        assert problems == []
        assert len(bulk) == 1 and len(bulk[0]) == len(moved)
