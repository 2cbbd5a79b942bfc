"""Every change to a member goes through one of these functions (UI, CLI, importer, API).

Each runs in a transaction, validates the whole history with `lifecycle.derive_stints`, writes
the event, re-derives the member's stints, moves the figures ledger, and writes the audit record.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections import Counter
from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from grassroots.accounts import access
from grassroots.audit import chain as audit_chain
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import (
    Actor,
    append_records,
    diff,
    for_update,
    record,
    snapshot,
)
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.core.rows import append_rows, read_by_ids, reserve_ids, run_by_ids
from grassroots.core.text import clean, fold
from grassroots.derived import maintain
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitVersion

from . import categories, lifecycle
from .models import EventKind, Member, MemberEvent, MemberStint, Reason
from .queries import revision

PROFILE_FIELDS = [
    "full_name",
    "gender",
    "birth_date",
    "ethnicity",
    "religion",
    "hometown",
    "residence",
    "education",
    "expertise",
    "theory_level",
    "occupation",
    "citizen_id",
    "profile_number",
    "card_number",
]
EVENT_FIELDS = [
    "kind",
    "date",
    "unit",
    "decision_number",
    "decision_date",
    "issuing_body",
    "discipline_form",
    "place",
    "note",
]


class UnitChecker:
    """Answers the lifecycle's questions about units from one query per member change."""

    def __init__(self, unit_ids: set[int]) -> None:
        self.units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
        self.versions: dict[int, list[UnitVersion]] = {}
        for v in UnitVersion.objects.filter(unit_id__in=unit_ids).order_by("valid_from"):
            self.versions.setdefault(v.unit_id, []).append(v)
        # Asked for every event of every member of a bulk move: answered once per unit. (The
        # importer builds its checker without __init__, over versions it may still change.)
        self._is_cell: dict[int, bool] | None = {}

    def exists(self, unit_id: int, day: dt.date) -> bool:
        unit = self.units.get(unit_id)
        return bool(unit and unit.exists_on(day))

    def is_cell(self, unit_id: int) -> bool:
        memo = getattr(self, "_is_cell", None)
        if memo is None:
            return any(v.kind in MEMBER_KINDS for v in self.versions.get(unit_id, []))
        found = memo.get(unit_id)
        if found is None:
            found = memo[unit_id] = any(
                v.kind in MEMBER_KINDS for v in self.versions.get(unit_id, [])
            )
        return found

    def kind_on(self, unit_id: int, day: dt.date) -> str | None:
        for v in self.versions.get(unit_id, []):
            if v.valid_from <= day and (v.valid_to is None or day < v.valid_to):
                return v.kind
        return None

    def check_stints(self, stints: list[lifecycle.Stint]) -> None:
        """Each stint must sit in a cell that exists, as a cell, for the whole stint."""
        for stint in stints:
            unit = self.units[stint.unit_id]
            if unit.ended and (stint.end is None or stint.end > unit.ended):
                raise ValidationError(
                    {
                        "date": [
                            f"{unit.code} đã kết thúc ngày {vn(unit.ended)}: đảng viên phải chuyển "
                            "sinh hoạt trước ngày đó."
                        ]
                    }
                )
            # The whole stint, not its first day (issue 12 edge case 1): a member cannot stay
            # directly in an organization after it becomes a đảng bộ.
            day = self.not_cell_during(stint.unit_id, stint.start, stint.end)
            if day is not None:
                raise ValidationError(
                    {"unit": [f"{unit.code} không phải là chi bộ vào ngày {vn(day)}."]}
                )

    def not_cell_during(self, unit_id: int, start: dt.date, end: dt.date | None) -> dt.date | None:
        """The first day of [start, end) on which the unit is not a cell (None: a cell throughout)."""
        if self.kind_on(unit_id, start) not in MEMBER_KINDS:
            return start
        for v in self.versions.get(unit_id, []):
            if v.valid_from > start and (end is None or v.valid_from < end):
                if v.kind not in MEMBER_KINDS:
                    return v.valid_from
        return None


def as_ev(event: MemberEvent) -> lifecycle.Ev:
    return lifecycle.Ev(
        kind=event.kind,
        date=event.date,
        unit_id=event.unit_id,
        decision_date=event.decision_date,
        discipline_form=event.discipline_form,
        key=event.pk or 10**12,
    )


def live_events(member: Member) -> list[MemberEvent]:
    return list(member.events.filter(voided_at__isnull=True).order_by("date", "id"))


def validate_history(
    events: list[lifecycle.Ev], checker: UnitChecker | None = None
) -> list[lifecycle.Stint]:
    """The member's stints from the whole history, or ValidationError. A bulk writer passes one
    `checker` loaded for every unit of every member (the answers are per unit, not per member)."""
    if checker is None:
        checker = UnitChecker({e.unit_id for e in events if e.unit_id})
    stints = lifecycle.derive_stints(events, unit_exists=checker.exists, is_cell=checker.is_cell)
    checker.check_stints(stints)
    return stints


def _stint_rows(member: Member) -> list[maintain.StintRow]:
    return [maintain.StintRow(*v) for v in member.stints.values_list(*maintain.STINT_COLUMNS)]


def _derived_row(s: lifecycle.Stint) -> maintain.StintRow:
    """A derived stint as the ledger reads it (its attribute names are StintRow's)."""
    return maintain.StintRow(*_stint_key(s))


def _store_stints(member: Member, stints: list[lifecycle.Stint]) -> None:
    """Replace the member's stints and move the ledger from the old ones to the new ones."""
    old = _stint_rows(member)
    member.stints.all().delete()
    MemberStint.objects.bulk_create(
        MemberStint(
            member=member,
            unit_id=s.unit_id,
            start=s.start,
            end=s.end,
            status=s.status,
            exempt=s.exempt,
            start_reason=s.start_reason,
            end_reason=s.end_reason,
            came_from_id=s.came_from,
            went_to_id=s.went_to,
            recognized=s.recognized,
        )
        for s in stints
    )
    new = [_derived_row(s) for s in stints]
    maintain.member_stints_changed(member.pk, old, new)
    # Every event written, voided or corrected comes through here: the held seniority follows.
    maintain.member_events_changed([member.pk])
    # so that a later full save of this copy does not write the old values back
    member.refresh_from_db(fields=["seniority_held", "seniority_held_since"])


def _check_version(member: Member, expected_version: int | None) -> None:
    """Refuse a save made against a stale copy, saying who changed what in between (issue 4 §4)."""
    if expected_version is None:
        return
    current = revision(member)
    if current == expected_version:
        return
    missed = max(1, current - expected_version)
    event_ids = [str(pk) for pk in member.events.values_list("pk", flat=True)]
    records = AuditRecord.objects.filter(
        Q(object_type="member", object_id=str(member.pk))
        | Q(object_type="memberevent", object_id__in=event_ids)
    ).order_by("-at", "-id")[:missed]
    lines = []
    for rec in reversed(list(records)):
        when = timezone.localtime(rec.at).strftime("%H:%M %d/%m/%Y")
        if rec.object_type == "member":
            labels = {
                name: str(Member._meta.get_field(name).verbose_name) for name in PROFILE_FIELDS
            }
            what = "; ".join(
                f"{labels.get(name, name)}: “{old or ''}” → “{new or ''}”"
                for name, (old, new) in rec.changes.items()
            )
        else:
            what = f"sự kiện {rec.object_label}"
        lines.append(f"{rec.actor_name} lúc {when} đã sửa {what}")
    detail = (" (" + "; ".join(lines) + ")") if lines else ""
    raise ValidationError(
        f"Hồ sơ này vừa được người khác cập nhật{detail}. Thay đổi của bạn chưa được lưu: hãy tải lại "
        "trang để xem thay đổi rồi nhập lại."
    )


def _lock(member: Member) -> Member:
    return for_update(Member.objects).get(pk=member.pk)


def _validate_profile(profile: dict[str, Any], member: Member | None = None) -> dict[str, Any]:
    # Ranges and character sets: core/limits.py (issue 20 §13); the importer calls this too.
    values = {k: limits.clean_text(v) if isinstance(v, str) else v for k, v in profile.items()}
    errors: dict[str, list[str]] = {}
    if "full_name" in values and not values["full_name"]:
        errors["full_name"] = ["Cần nhập họ và tên."]
    if "profile_number" in values:
        # Not stripped of invisible characters but refused: a lookalike number is a mistake.
        number = clean(profile["profile_number"]).upper()
        values["profile_number"] = number
        problem = limits.code_problem(number, "Số lý lịch")
        if problem:
            errors["profile_number"] = [problem]
        elif (
            Member.objects.filter(profile_number__iexact=number)
            .exclude(pk=getattr(member, "pk", None))
            .exists()
        ):
            errors["profile_number"] = [f"Số lý lịch {number} đã có trong hệ thống."]
    card = values.get("card_number")
    if card:
        values["card_number"] = card = limits.digits(card) or card
    # domain.md §2.4: card numbers have 8 digits since the 2003 exchange.
    if card and not (limits.digits(card) == card and len(card) == 8):
        errors["card_number"] = ["Số thẻ đảng viên gồm 8 chữ số."]
    citizen = values.get("citizen_id")
    if citizen:
        values["citizen_id"] = citizen = limits.digits(citizen) or citizen
    if citizen and not (limits.digits(citizen) == citizen and len(citizen) == 12):
        errors["citizen_id"] = ["Số CCCD gồm 12 chữ số."]
    problem = limits.birth_date_problem(values.get("birth_date"))
    if problem:
        errors["birth_date"] = [problem]
    if "gender" in values and values["gender"] not in ("M", "F"):
        errors["gender"] = ["Giới tính không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def member_admit(
    *,
    actor: Actor,
    unit: Unit,
    ceremony_date: dt.date,
    decision_date: dt.date,
    decision_number: str = "",
    issuing_body: str = "",
    confirm_future: bool = False,
    **profile: Any,
) -> Member:
    """Create a member with the admission: ceremony date (ngày vào Đảng) and decision date apart.
    A ceremony beyond the future horizon needs `confirm_future` (core.limits.future_problem)."""
    access.require_admission(actor, unit, ceremony_date)
    limits.check_future(ceremony_date, confirm_future, "ceremony_date")
    values = _validate_profile({f: profile.get(f, "") for f in PROFILE_FIELDS if f in profile})
    if not values.get("birth_date"):
        raise ValidationError({"birth_date": ["Cần nhập ngày sinh."]})
    lifecycle.check_admission_age(values["birth_date"], decision_date)
    member = Member(
        **values, search_name=fold(values["full_name"]), **categories.code_columns(values)
    )
    member.save()
    event = MemberEvent(
        member=member,
        kind=EventKind.ADMISSION,
        date=ceremony_date,
        unit=unit,
        decision_date=decision_date,
        decision_number=decision_number,
        issuing_body=issuing_body,
    )
    stints = validate_history([as_ev(event)])
    event.save()
    _store_stints(member, stints)
    record(
        actor,
        obj=member,
        action="create",
        changes={k: [None, v] for k, v in snapshot(member, PROFILE_FIELDS).items()},
    )
    record(
        actor,
        obj=event,
        action="create",
        changes=diff({}, snapshot(event, EVENT_FIELDS)),
        object_type="memberevent",
    )
    return member


@transaction.atomic
def member_update_profile(
    *,
    actor: Actor,
    member: Member,
    expected_version: int | None = None,
    reason: str = "",
    **fields: Any,
) -> Member:
    member = _lock(member)
    access.require_member_write(actor, member)
    _check_version(member, expected_version)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    values = _validate_profile(fields, member)
    before = snapshot(member, PROFILE_FIELDS)
    for name, value in values.items():
        setattr(member, name, value)
    member.search_name = fold(member.full_name)
    _store_codes(member)
    changes = diff(before, snapshot(member, PROFILE_FIELDS))
    if not changes:
        return member
    member.version += 1
    member.save()
    if "full_name" in changes:
        maintain.member_renamed(member.pk)
    record(actor, obj=member, action="update", changes=changes, reason=reason)
    return member


DERIVED_FIELDS = ("education", "expertise", "theory_level")


def _store_codes(member: Member) -> None:
    """The coded lists' codes of the typed category fields (members.categories)."""
    for column, code in categories.code_columns(member).items():
        setattr(member, column, code)


@transaction.atomic
def member_profile_derived(*, actor: Actor, member: Member, reason: str, **fields: str) -> Member:
    """Write the profile's current education, professional level or political theory derived
    from dated facts (issue 15: the cadres module's qualifications). The caller's own writer
    checked its access (a course's clerk completing an enrolment may not edit the profile);
    this one only keeps the derived values, audited like any profile change."""
    unknown = set(fields) - set(DERIVED_FIELDS)
    if unknown:
        raise ValueError(f"not derived profile fields: {sorted(unknown)}")
    member = _lock(member)
    before = snapshot(member, PROFILE_FIELDS)
    for name, value in _validate_profile(fields, member).items():
        setattr(member, name, value)
    _store_codes(member)
    changes = diff(before, snapshot(member, PROFILE_FIELDS))
    if not changes:
        return member
    member.version += 1
    member.save()
    record(actor, obj=member, action="update", changes=changes, reason=reason)
    return member


@transaction.atomic
def member_record_event(
    *,
    actor: Actor,
    member: Member,
    kind: str,
    date: dt.date | None = None,
    unit: Unit | None = None,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    issuing_body: str = "",
    discipline_form: str = "",
    place: str = "",
    note: str = "",
    expected_version: int | None = None,
    confirm_future: bool = False,
) -> MemberEvent:
    """Record one dated event (transfer, exemption, discipline, death...) after checking that the
    member's whole history stays possible with it. An event dated beyond the future horizon
    needs `confirm_future` (core.limits.future_problem)."""
    member = _lock(member)
    _check_version(member, expected_version)
    kind = EventKind(kind)
    events = live_events(member)
    if kind is EventKind.ADMISSION:
        raise ValidationError("Kết nạp được ghi khi tạo hồ sơ đảng viên.")
    if kind is EventKind.OFFICIAL and date is None:
        state = lifecycle.final_state([as_ev(e) for e in events])
        if state.probation_start is None:
            raise ValidationError("Đảng viên chưa có quyết định kết nạp.")
        date = lifecycle.probation_end(state.probation_start)
    if date is None:
        raise ValidationError({"date": ["Cần nhập ngày."]})
    access.require_member_write(actor, member, date)
    limits.check_future(date, confirm_future)
    event = MemberEvent(
        member=member,
        kind=kind,
        date=date,
        unit=unit,
        decision_number=limits.clean_text(decision_number),
        decision_date=decision_date,
        issuing_body=limits.clean_text(issuing_body),
        discipline_form=discipline_form,
        place=limits.clean_text(place),
        note=note.strip(),
    )
    stints = validate_history([as_ev(e) for e in events] + [as_ev(event)])
    event.save()
    _store_stints(member, stints)  # the new event moves the member's revision (queries.revision)
    record(
        actor,
        obj=event,
        action="create",
        changes=diff({}, snapshot(event, EVENT_FIELDS)),
        object_type="memberevent",
    )
    return event


# How many refused members a bulk refusal names before "and N more".
NAMED_REFUSALS = 20


def _checker(unit_ids: set[int], ending: Collection[int], date: dt.date) -> UnitChecker:
    """A checker of these units that sees the units of `ending` as ended on `date`."""
    checker = UnitChecker(unit_ids | set(ending))
    for unit_id in ending:
        unit = checker.units[unit_id]  # the checker's own copy, never saved
        if unit.ended is None or unit.ended > date:
            unit.ended = date
    return checker


def _plain_moves(
    ids: list[int],
    moves: Mapping[int, Unit],
    date: dt.date,
    decision_date: dt.date | None,
    ending: Collection[int],
) -> tuple[dict[int, tuple[int, maintain.StintRow]], UnitChecker]:
    """The members whose move is a plain append to their history (member id → their open stint,
    as (id, row)), and a checker of the units read for it.

    A member with no live event on or after the day, counted in a cell (one open stint: they
    are a member, inside the system, in that cell with that status and exemption), moving to
    another cell: the lifecycle replays their history to the same state and the move comes last
    (`lifecycle.derive_stints`), so it ends the open stint on the day and opens one in the new
    cell with the same status and exemption, and refuses nothing when the new cell is a cell
    that exists from the day on and the old one is a cell until the day (`check_stints`). The
    stints before are not re-derived: they end before the day, and every writer of events and
    of the tree keeps them valid. The rest (a later event, a same-day change, nobody counted)
    go through the whole history (tests/test_members_bulk.py compares both with one move at a
    time). A province's merger moves almost every member this way: the per-member replay was
    most of a plan's check (docs/performance.md "Restructure plans", session 12)."""
    later = {
        pk
        for (pk,) in read_by_ids(
            "SELECT DISTINCT member_id FROM members_memberevent WHERE member_id IN ({}) "
            "AND voided_at IS NULL AND date >= %s",
            ids,
            params=(date,),
        )
    }
    open_of: dict[int, list[tuple[int, maintain.StintRow]]] = {}
    for stint_id, member_id, *values in read_by_ids(
        f"SELECT id, member_id, {_stint_select()} FROM members_memberstint "
        f"WHERE member_id IN ({{}}) AND {connection.ops.quote_name('end')} IS NULL",
        [pk for pk in ids if pk not in later],
    ):
        open_of.setdefault(member_id, []).append((stint_id, maintain.StintRow(*values)))
    checker = _checker(
        {rows[0][1].unit_id for rows in open_of.values()} | {u.pk for u in moves.values()},
        ending,
        date,
    )
    earliest, latest = limits.EARLIEST_DAY, limits.latest_day()
    if not earliest <= date <= latest or (
        decision_date and not earliest <= decision_date <= latest
    ):
        return {}, checker  # refused for everyone: the lifecycle says why
    target_ok: dict[int, bool] = {}
    plain = {}
    for pk, rows in open_of.items():
        if len(rows) != 1:
            continue
        stint_id, row = rows[0]
        target = moves[pk].pk
        if target == row.unit_id or row.start >= date:
            continue
        ok = target_ok.get(target)
        if ok is None:
            unit = checker.units[target]
            ok = target_ok[target] = (
                unit.ended is None
                and checker.is_cell(target)
                and checker.exists(target, date)
                and checker.not_cell_during(target, date, None) is None
            )
        source = checker.units[row.unit_id]
        if (
            ok
            and (source.ended is None or source.ended >= date)
            and checker.not_cell_during(row.unit_id, row.start, date) is None
        ):
            plain[pk] = (stint_id, row)
    return plain, checker


def _ledger_moves(moved: Counter[tuple], date: dt.date) -> list[tuple[maintain.StintRow, int]]:
    """The ledger's change for the plain moves (`_plain_moves`), counted per (old cell, new cell,
    status, exemption) instead of per member: the open stint taken away, its ended copy and the
    new stint added.

    The ended copy differs from the open stint only from the day on, so what the two leave in
    the ledger differs only from the day on: their deltas at the start (for each ancestor the
    stint lay under, on the first day it did) are the same and cancel, and an ancestor the cell
    left before the day counts the two alike. Where it differs (the end on the day, an ancestor
    the cell joins on or after the day) the start, its reason, where it came from and the
    recognition are not read (derived.ledger._contribute). So the pair of any member of the
    group moves the ledger as the pair started the day before the day does, with one reason
    and no origin: one pair per group, however many members (tests/test_members_bulk.py
    compares the ledger, the checkpoints and every figure with one move at a time)."""
    before = date - dt.timedelta(days=1)
    restructure = str(Reason.RESTRUCTURE)
    out = []
    for (source, target, status, exempt), n in moved.items():
        head = (status, exempt, restructure)
        out += [
            (maintain.StintRow(source, before, None, *head, "", None, None, False), -n),
            (maintain.StintRow(source, before, date, *head, restructure, None, target, False), n),
            (maintain.StintRow(target, date, None, *head, "", source, None, False), n),
        ]
    return out


def _stint_select() -> str:
    return ", ".join(connection.ops.quote_name(c) for c in _STINT_COLUMNS[1:])


# A new event's columns, in the order members_restructure writes them (voided_at and
# corrected_by stay NULL).
_EVENT_COLUMNS = [
    MemberEvent._meta.get_field(name).column
    for name in (
        "id",
        "member",
        "kind",
        "date",
        "unit",
        "decision_number",
        "decision_date",
        "issuing_body",
        "discipline_form",
        "place",
        "note",
        "recorded_at",
        "void_reason",
    )
]
_STINT_COLUMNS = [
    MemberStint._meta.get_field(name).column
    for name in ("member", *(n.removesuffix("_id") for n in maintain.STINT_COLUMNS))
]


# A stint's fields in StintRow order, from a StintRow or a lifecycle.Stint (same attribute
# names): one C-level call per stint instead of a generator of getattr (≈ 10 % of a bulk move).
_stint_key = operator.attrgetter(*maintain.StintRow.__slots__)
# Of a _stint_key tuple: what a stint that only ends keeps (unit, start, status, exempt, start
# reason, came from, recognized) and what it changes (end, end reason, went to).
_TAIL = ("end", "end_reason", "went_to")
_stint_head = operator.itemgetter(
    *(i for i, name in enumerate(maintain.StintRow.__slots__) if name not in _TAIL)
)
_stint_tail = operator.itemgetter(*(maintain.StintRow.__slots__.index(name) for name in _TAIL))


@transaction.atomic
def members_restructure(
    *,
    actor: Actor,
    moves: Mapping[int, Unit],
    date: dt.date,
    note: str = "",
    decision_number: str = "",
    decision_date: dt.date | None = None,
    issuing_body: str = "",
    confirm_future: bool = False,
    notes: Mapping[int, str] | None = None,
    ending: Collection[int] = (),
) -> list[int]:
    """Move many members (id → receiving cell) from their cells on `date` because of one
    restructure: the same fact, rule by rule, as `member_record_event(kind=RESTRUCTURE)` for each
    of them (tests/test_members_bulk.py compares the two on generated histories), written in bulk.
    `notes` (member id → note) gives a member's event its own note instead of `note` (a day's
    mergers moved at once, each naming its cells). `ending`: ids of units the caller ends on
    `date` right after the move (the merged cells of a day's mergers): the histories are checked
    as if they had ended already, which is never more lenient than ending them one merger at a
    time (restructure.services.units_merge).

    A member whose move is a plain append to the history (no event on or after the day,
    counted in a cell: `_plain_moves`) gets what the lifecycle would derive without replaying
    it; every other member's whole history is checked with the new event by the same lifecycle
    and unit rules (`validate_history`, one `UnitChecker` for all), and every refused member is
    named at once; nothing is written unless all pass. Then: the events appended in one
    statement with ids drawn first (`core.rows`), only the stints that changed replaced (a
    restructure ends one stint and opens one), the ledger moved once for all
    (`maintain.members_stints_changed`; the plain moves counted per group, `_ledger_moves`), and
    one audit record per event, as the one-by-one path writes them, appended in one statement
    (`audit.services.append_records`); no member row is written (the new events move each
    member's revision, `queries.revision`). Returns the new events'
    ids, in member id order. Runs in the caller's transaction: a merger of 200 cells stays
    all-or-nothing."""
    ids = sorted(moves)
    if not ids:
        return []
    limits.check_future(date, confirm_future)
    # Plain cursors for the three reads below (the ORM's query building and per-value
    # converters were ≈ 20 % of a merger's move, docs/performance.md "Restructure plans").
    audit_chain.lock()  # one lock order: the audit chain before any row (audit.services.for_update)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    names = {
        pk: (full_name, number)
        for pk, full_name, number in read_by_ids(
            "SELECT id, full_name, profile_number FROM members_member WHERE id IN ({}){}",
            ids,
            tail=lock,
        )
    }
    missing = [pk for pk in ids if pk not in names]
    if missing:
        raise ValidationError(f"Không có đảng viên mã {', '.join(map(str, missing[:10]))}.")
    access.require_members_write(actor, ids, date)
    plain, checker = _plain_moves(ids, moves, date, decision_date, ending)
    # The others' live events as the lifecycle reads them (`as_ev`), in `live_events`'s order.
    replayed = [pk for pk in ids if pk not in plain]
    events: dict[int, list[lifecycle.Ev]] = {pk: [] for pk in replayed}
    for member_id, kind, day, unit_id, decided, form, pk in read_by_ids(
        "SELECT member_id, kind, date, unit_id, decision_date, discipline_form, id "
        "FROM members_memberevent WHERE member_id IN ({}) AND voided_at IS NULL{}",
        replayed,
        tail=" ORDER BY member_id, date, id",
    ):
        events[member_id].append(lifecycle.Ev(kind, day, unit_id, decided, form, pk))
    # The new event's fields, the same for every member but the receiving cell: one unsaved
    # event per cell states them (its audit changes and label are the one-by-one path's): one
    # per distinct cell, not per member (a model instance each was ≈ 9 % of a merger's move).
    cells = {unit.pk: unit for unit in moves.values()}
    notes = notes or {}
    # The template of each member's event: by receiving cell and note.
    template_of = {pk: (moves[pk].pk, notes.get(pk, note)) for pk in ids}
    templates = {
        (cell, text): MemberEvent(
            kind=EventKind.RESTRUCTURE,
            date=date,
            unit=cells[cell],
            decision_number=limits.clean_text(decision_number),
            decision_date=decision_date,
            issuing_body=limits.clean_text(issuing_body),
            note=text.strip(),
        )
        for cell, text in set(template_of.values())
    }
    unit_ids = {e.unit_id for rows in events.values() for e in rows if e.unit_id}
    if not unit_ids <= checker.units.keys():
        checker = _checker(unit_ids | checker.units.keys(), ending, date)
    derived: dict[int, list[lifecycle.Stint]] = {}
    refused: list[str] = []
    fields: set[str] = set()
    for pk in replayed:
        new = lifecycle.Ev(EventKind.RESTRUCTURE, date, moves[pk].pk, decision_date, "", 10**12)
        try:
            derived[pk] = validate_history([*events[pk], new], checker)
        except ValidationError as exc:
            full_name, number = names[pk]
            pairs = (
                [(f, m) for f, ms in exc.message_dict.items() for m in ms]
                if hasattr(exc, "error_dict")
                else [("__all__", m) for m in exc.messages]
            )
            for name, message in pairs:
                fields.add(name)
                refused.append(f"{full_name} ({number}): {message}")
    if refused:
        shown = refused[:NAMED_REFUSALS]
        if len(refused) > NAMED_REFUSALS:
            shown.append(f"… và {len(refused) - NAMED_REFUSALS} trường hợp khác.")
        field = fields.pop() if len(fields) == 1 else "__all__"
        raise ValidationError({field: shown} if field != "__all__" else shown)
    # The events with ids drawn first and appended in one statement (COPY on PostgreSQL), as
    # the stints are: `bulk_create` of model instances was most of the move's time at a
    # province's scale (docs/performance.md "Restructure plans").
    event_ids = reserve_ids(MemberEvent._meta.db_table, len(ids))
    recorded = connection.ops.adapt_datetimefield_value(timezone.now())
    append_rows(
        MemberEvent._meta.db_table,
        _EVENT_COLUMNS,
        [
            (
                event_id,
                pk,
                str(t.kind),
                t.date,
                t.unit_id,
                t.decision_number,
                t.decision_date,
                t.issuing_body,
                t.discipline_form,
                t.place,
                t.note,
                recorded,
                t.void_reason,
            )
            for event_id, pk in zip(event_ids, ids, strict=True)
            for t in (templates[template_of[pk]],)
        ],
    )
    # Replace only the stints that differ (the one-by-one path deletes and re-inserts them all:
    # same rows, same ledger, since the ledger is a sum over stints).
    old_rows: list[maintain.StintRow] = []
    new_rows: list[maintain.StintRow] = []
    stale: list[int] = []
    fresh: list[tuple] = []  # member id + StintRow fields, in _STINT_COLUMNS order
    current: dict[int, list[tuple[int, maintain.StintRow]]] = {pk: [] for pk in replayed}
    for stint_id, member_id, *values in read_by_ids(
        f"SELECT id, member_id, {_stint_select()} FROM members_memberstint "
        "WHERE member_id IN ({})",
        replayed,
    ):
        current[member_id].append((stint_id, maintain.StintRow(*values)))
    # SQLite: a stint that only ends (the member's open stint, now ending on the day) is
    # updated in place rather than deleted and inserted again: 2 of the table's 7 indexes move
    # instead of all 7 twice. (PostgreSQL writes a whole new row version for an UPDATE of an
    # indexed column anyway; its DELETE and COPY stay.) Nothing refers to a stint's id.
    in_place = connection.vendor == "sqlite"
    ended: list[tuple] = []  # end, end_reason, went_to, id
    restructure = str(Reason.RESTRUCTURE)
    moved: Counter[tuple] = Counter()  # (old cell, new cell, status, exempt) → members
    for pk, (stint_id, row) in plain.items():
        # What the lifecycle derives for them (_plain_moves): the open stint ends on the day,
        # one opens in the new cell with the same status and exemption.
        target, source = moves[pk].pk, row.unit_id
        closed = (source, row.start, date, row.status, row.exempt, row.start_reason,
                  restructure, row.came_from, target, row.recognized)  # fmt: skip
        opened = (target, date, None, row.status, row.exempt, restructure, "", source, None, False)
        moved[source, target, row.status, row.exempt] += 1
        if in_place:
            ended.append((date, restructure, target, stint_id))
        else:
            stale.append(stint_id)
            fresh.append((pk, *closed))
        fresh.append((pk, *opened))
    for pk in replayed:
        left = {}
        for stint_id, row in current[pk]:
            left.setdefault(_stint_key(row), []).append((stint_id, row))
        added = []
        for s in derived[pk]:
            key = _stint_key(s)  # the fields of its StintRow (_derived_row), without building it
            same = left.get(key)
            if same:
                same.pop()
                continue
            new_rows.append(maintain.StintRow(*key))
            added.append(key)
        heads = {}
        for key, rows in left.items():
            for stint_id, row in rows:
                old_rows.append(row)
                if in_place:
                    heads.setdefault(_stint_head(key), []).append(stint_id)
                else:
                    stale.append(stint_id)
        for key in added:
            same = heads.get(_stint_head(key)) if in_place else None
            if same:
                ended.append((*_stint_tail(key), same.pop()))
            else:
                fresh.append((pk, *key))
        for stint_ids in heads.values():
            stale += stint_ids
    # Plain DELETE and UPDATE statements by id (`core.rows.in_ids`): `.delete()` would load
    # each row (audit.guards listens to pre_delete for every model), and nothing refers to a
    # stint; the versions as `F("version") + 1` would.
    run_by_ids(f"DELETE FROM {MemberStint._meta.db_table} WHERE id IN ({{}})", stale)
    if ended:
        qn = connection.ops.quote_name
        connection.ensure_connection()
        connection.connection.executemany(
            f"UPDATE {MemberStint._meta.db_table} SET {qn('end')} = ?, end_reason = ?, "
            "went_to_id = ? WHERE id = ?",
            ended,
        )
    # The stints need no ids back: appended in one statement (COPY on PostgreSQL), as bulkload.
    append_rows(MemberStint._meta.db_table, _STINT_COLUMNS, fresh)
    maintain.members_stints_changed(
        ids,
        old_rows,
        new_rows,
        _ledger_moves(moved, date),
        plain={pk: (row.unit_id, row.start, moves[pk].pk) for pk, (_, row) in plain.items()},
        day=date,
    )
    # No member row is written: the new events move each member's revision (queries.revision).
    # One audit record per event, as `record` writes it, appended in one statement.
    who = (getattr(actor.user, "pk", None), actor.name, actor.source, actor.address)
    audits = {
        key: (
            str(t),
            # diff() gives plain values (ids, ISO dates), as `record` stores them.
            json.dumps(diff({}, snapshot(t, EVENT_FIELDS)), ensure_ascii=False),
        )
        for key, t in templates.items()
    }
    append_records(
        [
            (*who, "memberevent", str(event_id), label[:255], "create", changes, "")
            for event_id, pk in zip(event_ids, ids, strict=True)
            for label, changes in (audits[template_of[pk]],)
        ]
    )
    return event_ids


def member_transfer(
    *, actor: Actor, member: Member, to_unit: Unit, date: dt.date, **kwargs: Any
) -> MemberEvent:
    """Official transfer of party activity to another cell (domain.md §2.7)."""
    return member_record_event(
        actor=actor, member=member, kind=EventKind.TRANSFER, unit=to_unit, date=date, **kwargs
    )


@transaction.atomic
def member_void_event(*, actor: Actor, event: MemberEvent, reason: str) -> MemberEvent:
    """Void a wrongly recorded event. The event stays visible in the history, marked void."""
    if not reason.strip():
        raise ValidationError({"reason": ["Cần ghi lý do hủy."]})
    member = _lock(event.member)
    event = for_update(MemberEvent.objects).get(pk=event.pk)
    if event.voided_at:
        raise ValidationError("Sự kiện này đã bị hủy.")
    access.require_member_write(actor, member, event.date)
    if event.kind == EventKind.ADMISSION:
        raise ValidationError(
            "Không thể hủy quyết định kết nạp; hãy sửa ngày hoặc chi bộ bằng “Sửa”."
        )
    rest = [as_ev(e) for e in live_events(member) if e.pk != event.pk]
    stints = validate_history(rest)
    event.voided_at = timezone.now()
    event.void_reason = reason.strip()
    event.save(update_fields=["voided_at", "void_reason"])
    _store_stints(member, stints)
    # A void adds no event: the profile's counter moves the revision (queries.revision).
    member.version += 1
    member.save(update_fields=["version"])
    record(actor, obj=event, action="void", reason=reason, object_type="memberevent")
    return event


@transaction.atomic
def member_correct_event(
    *, actor: Actor, event: MemberEvent, reason: str, confirm_future: bool = False, **changes: Any
) -> MemberEvent:
    """Replace a wrong event by a corrected copy; the original stays, voided and linked. A new
    date beyond the future horizon needs `confirm_future`."""
    if not reason.strip():
        raise ValidationError({"reason": ["Cần ghi lý do sửa."]})
    member = _lock(event.member)
    event = for_update(MemberEvent.objects).get(pk=event.pk)
    if event.voided_at:
        raise ValidationError("Sự kiện này đã bị hủy.")
    access.require_member_write(actor, member, event.date, changes.get("date"))
    if changes.get("date") not in (None, event.date):
        limits.check_future(changes["date"], confirm_future)
    fields = {name: getattr(event, name) for name in EVENT_FIELDS}
    fields.update(changes)
    replacement = MemberEvent(member=member, **fields)
    rest = [as_ev(e) for e in live_events(member) if e.pk != event.pk]
    stints = validate_history(rest + [as_ev(replacement)])
    replacement.save()
    event.voided_at = timezone.now()
    event.void_reason = reason.strip()
    event.corrected_by = replacement
    event.save(update_fields=["voided_at", "void_reason", "corrected_by"])
    _store_stints(member, stints)  # the replacement moves the member's revision (queries.revision)
    record(
        actor,
        obj=replacement,
        action="correct",
        changes=diff(snapshot(event, EVENT_FIELDS), snapshot(replacement, EVENT_FIELDS)),
        reason=reason,
        object_type="memberevent",
    )
    return replacement
