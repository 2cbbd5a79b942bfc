"""A member's events → validated state intervals (stints). Pure functions, no database.

This is where the member lifecycle rules of domain.md §2 live: the order events may come in, who
is counted where, and when probation ends. Services call `derive_stints` before writing, so an
impossible history is refused with a Vietnamese message and never reaches the tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError

from grassroots.core import limits
from grassroots.core.dates import add_months, vn

from .models import DisciplineForm, EventKind, Reason, Status

# Điều lệ Điều 5: probation lasts 12 months from the admission ceremony.
PROBATION_MONTHS = 12

# Same-day events apply in this order (a member admitted and exempted on one day is admitted first).
_ORDER = {
    EventKind.ADMISSION: 0,
    EventKind.READMISSION: 0,
    EventKind.TRANSFER_IN: 1,
    EventKind.OFFICIAL: 2,
    EventKind.RESTRUCTURE: 3,
    EventKind.TRANSFER: 3,
    EventKind.TEMP_RETURN: 4,
    EventKind.TEMP_ATTACH: 5,
    EventKind.EXEMPTION_END: 6,
    EventKind.EXEMPTION: 7,
    EventKind.DISCIPLINE: 8,
    EventKind.TRANSFER_OUT: 9,
    EventKind.DEATH: 10,
    EventKind.EXPULSION: 10,
    EventKind.REMOVAL: 10,
    EventKind.LEAVING: 10,
}

_END_REASON = {
    EventKind.DEATH: Reason.DIED,
    EventKind.EXPULSION: Reason.EXPELLED,
    EventKind.REMOVAL: Reason.REMOVED,
    EventKind.LEAVING: Reason.LEFT,
}


@dataclass(frozen=True)
class Ev:
    """The parts of an event the lifecycle needs (model rows and import rows both convert to it)."""

    kind: str
    date: dt.date
    unit_id: int | None = None
    decision_date: dt.date | None = None
    discipline_form: str = ""
    key: int = 0  # stable tie-breaker: the row id, or the order of entry


@dataclass
class Stint:
    unit_id: int
    start: dt.date
    end: dt.date | None
    status: str
    exempt: bool
    start_reason: str
    end_reason: str = ""
    came_from: int | None = None
    went_to: int | None = None
    recognized: bool = False


@dataclass
class State:
    """The member's situation after the events so far."""

    phase: str = "none"  # none → member → ended (→ member again on readmission), or dead
    unit_id: int | None = None  # the counting cell; None while a member is outside the system
    status: str = ""
    exempt: bool = False
    probation_start: dt.date | None = None
    temp_host: int | None = None
    admissions: int = 0
    readmissions: int = 0
    end_kind: str = ""
    end_date: dt.date | None = None


# How the message names the end of a membership (issue 12 §6: "not yet a member" after an
# expulsion sent clerks looking for a missing admission).
_ENDED_AS = {
    EventKind.EXPULSION: "bị khai trừ khỏi Đảng",
    EventKind.REMOVAL: "bị xóa tên khỏi danh sách đảng viên",
    EventKind.LEAVING: "ra khỏi Đảng",
}


# A kind as stored (its value) or as the enum, to the enum: a dict look-up instead of an enum
# call (derive_stints runs for every member of a bulk move, members.services.members_restructure).
_KIND = {**{k.value: k for k in EventKind}, **{k: k for k in EventKind}}
_RANK = {key: _ORDER[kind] for key, kind in _KIND.items()}


def sort_events(events: list[Ev]) -> list[Ev]:
    return sorted(events, key=lambda e: (e.date, _RANK[e.kind], e.key))


def probation_end(ceremony: dt.date) -> dt.date:
    return add_months(ceremony, PROBATION_MONTHS)


# QĐ 24 §1.1 (unchanged by QĐ 232): at least 18 full years, counted by month, when decided.
ADMISSION_MIN_AGE_YEARS = 18


def check_admission_age(birth_date: dt.date, decision_date: dt.date) -> None:
    if add_months(birth_date, ADMISSION_MIN_AGE_YEARS * 12) > decision_date:
        raise ValidationError(
            {"birth_date": ["Người vào Đảng phải đủ 18 tuổi tại ngày quyết định kết nạp."]}
        )


def _fail(message: str, field: str = "date") -> ValidationError:
    return ValidationError({field: [message]})


def derive_stints(
    events: list[Ev], unit_exists=lambda unit_id, day: True, is_cell=lambda unit_id: True
) -> list[Stint]:
    """Replay events; return the stints or raise ValidationError naming the first impossible one.

    `unit_exists(unit_id, day)` and `is_cell(unit_id)` let the caller check units against the
    tree without this module touching the database.
    """
    state = State()
    stints: list[Stint] = []
    current: Stint | None = None

    def open_stint(ev: Ev, unit_id: int, reason: str, came_from: int | None = None) -> None:
        nonlocal current
        current = Stint(
            unit_id, ev.date, None, state.status, state.exempt, reason, came_from=came_from
        )

    def close(ev: Ev, reason: str, went_to: int | None = None) -> Stint | None:
        """End the open stint on ev.date. A stint that would last zero days is dropped and its
        start reason handed back, so same-day changes keep the reason the member arrived with."""
        nonlocal current
        closing = current
        current = None
        if closing is None:
            return None
        if closing.start == ev.date:
            # The stint before it ended today only because of a same-day status change (e.g.
            # recognized, then moved or died the same day): it really ends for this reason.
            if stints and stints[-1].end == ev.date and stints[-1].end_reason == Reason.STATUS:
                stints[-1].end_reason, stints[-1].went_to = reason, went_to
            return closing
        closing.end, closing.end_reason, closing.went_to = ev.date, reason, went_to
        stints.append(closing)
        return None

    def change(ev: Ev, **attrs) -> None:
        """Same cell, new status or exemption: a new stint from ev.date."""
        nonlocal current
        dropped = close(ev, Reason.STATUS)
        for name, value in attrs.items():
            setattr(state, name, value)
        reason = attrs.pop("_reason", None) or Reason.STATUS
        if dropped is not None:
            current = replace(dropped, status=state.status, exempt=state.exempt)
        else:
            open_stint(ev, state.unit_id, Reason.STATUS)
        if reason == Reason.RECOGNIZED:
            current.recognized = True

    def need_unit(ev: Ev) -> int:
        if ev.unit_id is None:
            raise _fail("Cần chọn chi bộ.", "unit")
        if not is_cell(ev.unit_id):
            raise _fail(
                "Đảng viên chỉ sinh hoạt ở chi bộ (chi bộ cơ sở hoặc chi bộ trực thuộc).", "unit"
            )
        if not unit_exists(ev.unit_id, ev.date):
            raise _fail(f"Chi bộ không tồn tại vào ngày {vn(ev.date)}.", "unit")
        return ev.unit_id

    def need_member(ev: Ev, label: str) -> None:
        if state.phase == "dead":
            raise _fail(f"Không thể ghi “{label}” sau khi đảng viên đã từ trần.")
        if state.phase == "ended":
            raise _fail(
                f"Không thể ghi “{label}” ngày {vn(ev.date)}: tư cách đảng viên đã chấm dứt từ "
                f"ngày {vn(state.end_date)} ({_ENDED_AS[state.end_kind]})."
                + (
                    ""
                    if state.readmissions
                    else " Nếu được kết nạp lại, hãy ghi “Kết nạp lại” trước."
                )
            )
        if state.phase != "member":
            raise _fail(
                f"Không thể ghi “{label}” ngày {vn(ev.date)}: chưa là đảng viên vào ngày này."
            )

    def need_counted(ev: Ev, label: str) -> None:
        need_member(ev, label)
        if state.unit_id is None:
            raise _fail(
                f"Không thể ghi “{label}” ngày {vn(ev.date)}: đảng viên đang sinh hoạt ngoài hệ thống."
            )

    earliest, latest = limits.EARLIEST_DAY, limits.latest_day()
    for ev in sort_events(events):
        # Absurd dates (31/12/9999, year 1) break every page that shows them (issue 20 §13).
        if not earliest <= ev.date <= latest:
            raise _fail(limits.date_problem(ev.date), "date")
        if ev.decision_date and not earliest <= ev.decision_date <= latest:
            raise _fail(limits.date_problem(ev.decision_date, "Ngày quyết định"), "decision_date")
        kind = _KIND[ev.kind]
        label = kind.label
        if kind is EventKind.ADMISSION:
            if state.admissions:
                raise _fail(
                    "Đảng viên đã có quyết định kết nạp; lần vào Đảng sau phải ghi “Kết nạp lại”."
                )
            if ev.decision_date and ev.decision_date > ev.date:
                raise _fail("Ngày lễ kết nạp không thể trước ngày quyết định kết nạp.", "date")
            state.admissions = 1
            state.phase, state.status, state.exempt = "member", Status.PROBATIONARY, False
            state.probation_start = ev.date
            # An admission recorded without a cell happened outside the system (before transfer_in).
            state.unit_id = need_unit(ev) if ev.unit_id is not None else None
            if state.unit_id is not None:
                open_stint(ev, state.unit_id, Reason.ADMITTED)
        elif kind is EventKind.READMISSION:
            if state.phase == "dead":
                raise _fail("Không thể kết nạp lại người đã từ trần.")
            if state.phase != "ended":
                raise _fail("Chỉ kết nạp lại người đã ra khỏi Đảng, bị xóa tên hoặc khai trừ.")
            # domain.md §2.2: re-admission once only, with a new probation.
            if state.readmissions:
                raise _fail("Chỉ được kết nạp lại một lần (Điều lệ Điều 4; QĐ 232).")
            state.readmissions = 1
            state.phase, state.status, state.exempt = "member", Status.PROBATIONARY, False
            state.probation_start = ev.date
            state.unit_id = need_unit(ev)
            open_stint(ev, state.unit_id, Reason.READMITTED)
        elif kind is EventKind.OFFICIAL:
            need_member(ev, label)
            if state.status != Status.PROBATIONARY:
                raise _fail("Đảng viên này không ở thời kỳ dự bị.")
            end = probation_end(state.probation_start)
            # Điều lệ Điều 5: official status takes effect when the 12 months end, even if late.
            if ev.date != end:
                raise _fail(
                    f"Ngày công nhận chính thức có hiệu lực phải là ngày hết 12 tháng dự bị ({vn(end)})."
                )
            if ev.decision_date and ev.decision_date < end:
                raise _fail(
                    f"Chưa hết thời kỳ dự bị: không thể công nhận chính thức trước ngày {vn(end)}.",
                    "decision_date",
                )
            if state.unit_id is None:
                state.status = Status.OFFICIAL
            else:
                change(ev, status=Status.OFFICIAL, _reason=Reason.RECOGNIZED)
        elif kind in (EventKind.TRANSFER, EventKind.RESTRUCTURE):
            need_counted(ev, label)
            target = need_unit(ev)
            if target == state.unit_id:
                raise _fail("Chi bộ chuyển đến trùng với chi bộ đang sinh hoạt.", "unit")
            reason = Reason.TRANSFER if kind is EventKind.TRANSFER else Reason.RESTRUCTURE
            source = state.unit_id
            dropped = close(ev, reason, went_to=target)
            state.unit_id = target
            if dropped is not None and dropped.start_reason in (Reason.STATUS, Reason.RECOGNIZED):
                # Recognized (or exempted) this morning, moved this afternoon: the stint in the
                # new cell starts by the move and still carries the recognition.
                current = replace(dropped, unit_id=target, start_reason=reason, came_from=source)
            elif dropped is not None:
                current = replace(dropped, unit_id=target)
            else:
                open_stint(ev, target, reason, came_from=source)
        elif kind is EventKind.TRANSFER_IN:
            need_member(ev, label)
            if state.unit_id is not None:
                raise _fail(
                    "Đảng viên đang sinh hoạt trong hệ thống; hãy ghi “Chuyển sinh hoạt chính thức”."
                )
            state.unit_id = need_unit(ev)
            open_stint(ev, state.unit_id, Reason.TRANSFER)
        elif kind is EventKind.TRANSFER_OUT:
            need_counted(ev, label)
            close(ev, Reason.TRANSFER)
            state.unit_id = None
            state.temp_host = None
        elif kind is EventKind.TEMP_ATTACH:
            need_counted(ev, label)
            host = need_unit(ev)
            if host == state.unit_id:
                raise _fail("Nơi sinh hoạt tạm thời trùng với chi bộ chính thức.", "unit")
            if state.temp_host is not None:
                raise _fail("Đảng viên đang sinh hoạt tạm thời ở nơi khác.")
            state.temp_host = host  # not counted by the host (domain.md §2.7)
        elif kind is EventKind.TEMP_RETURN:
            need_counted(ev, label)
            if state.temp_host is None:
                raise _fail("Đảng viên không đang sinh hoạt tạm thời.")
            state.temp_host = None
        elif kind is EventKind.EXEMPTION:
            need_counted(ev, label)
            if state.exempt:
                raise _fail("Đảng viên đã được miễn công tác và sinh hoạt đảng.")
            change(ev, exempt=True)
        elif kind is EventKind.EXEMPTION_END:
            need_counted(ev, label)
            if not state.exempt:
                raise _fail("Đảng viên không đang được miễn sinh hoạt.")
            change(ev, exempt=False)
        elif kind is EventKind.DISCIPLINE:
            need_member(ev, label)
            if not ev.discipline_form:
                raise _fail("Cần chọn hình thức kỷ luật.", "discipline_form")
            # Điều lệ Điều 35: a probationary member can only be reprimanded or warned.
            if (
                state.status == Status.PROBATIONARY
                and ev.discipline_form == DisciplineForm.DISMISSAL
            ):
                raise _fail("Đảng viên dự bị chỉ bị khiển trách hoặc cảnh cáo.", "discipline_form")
        elif kind in _END_REASON:
            need_member(ev, label)
            # Điều lệ Điều 35: expulsion applies to official members; probationers are removed instead.
            if kind is EventKind.EXPULSION and state.status == Status.PROBATIONARY:
                raise _fail("Không khai trừ đảng viên dự bị; hãy ghi “Xóa tên”.")
            if state.unit_id is not None:
                close(ev, _END_REASON[kind])
            state.unit_id, state.temp_host, state.end_kind = None, None, kind
            state.end_date = ev.date
            state.phase = "dead" if kind is EventKind.DEATH else "ended"
        else:  # pragma: no cover - all kinds handled above
            raise _fail(f"Sự kiện không hỗ trợ: {kind}")
    if current is not None:
        stints.append(current)
    return stints


def final_state(events: list[Ev]) -> State:
    """The state after all events (used for the member page and for validation of new events)."""
    state = State()
    for ev in sort_events(events):
        kind = EventKind(ev.kind)
        if kind in (EventKind.ADMISSION, EventKind.READMISSION):
            state.phase, state.status, state.exempt = "member", Status.PROBATIONARY, False
            state.unit_id, state.probation_start = ev.unit_id, ev.date
        elif kind is EventKind.OFFICIAL:
            state.status = Status.OFFICIAL
        elif kind in (EventKind.TRANSFER, EventKind.RESTRUCTURE, EventKind.TRANSFER_IN):
            state.unit_id = ev.unit_id
        elif kind is EventKind.TRANSFER_OUT:
            state.unit_id, state.temp_host = None, None
        elif kind is EventKind.TEMP_ATTACH:
            state.temp_host = ev.unit_id
        elif kind is EventKind.TEMP_RETURN:
            state.temp_host = None
        elif kind is EventKind.EXEMPTION:
            state.exempt = True
        elif kind is EventKind.EXEMPTION_END:
            state.exempt = False
        elif kind in _END_REASON:
            state.unit_id, state.temp_host, state.end_kind = None, None, kind
            state.end_date = ev.date
            state.phase = "dead" if kind is EventKind.DEATH else "ended"
    return state


def seniority_days(events: list[Ev], at: dt.date) -> int:
    """Party seniority in days at `at` (domain.md §2.5; Điều lệ Điều 5.4, QĐ 24 §4.5).

    Counted from the first admission decision, less the time not in party activity: after
    expulsion, removal or leaving until re-admission, and gaps between leaving the system by
    transfer and arriving again.
    """
    ordered = [e for e in sort_events(events) if e.date <= at]
    admission = next((e for e in ordered if e.kind == EventKind.ADMISSION), None)
    if admission is None:
        return 0
    start = admission.decision_date or admission.date
    total = (at - start).days
    gap_from: dt.date | None = None
    for ev in ordered:
        if ev.kind in (EventKind.EXPULSION, EventKind.REMOVAL, EventKind.LEAVING):
            gap_from = ev.date
        elif ev.kind == EventKind.READMISSION and gap_from:
            total -= (ev.date - gap_from).days
            gap_from = None
        elif ev.kind == EventKind.DEATH:
            total -= (at - ev.date).days
            return max(total, 0)
    if gap_from:
        total -= (at - gap_from).days
    return max(total, 0)


# The events seniority_days reads; every other kind leaves it unchanged.
SENIORITY_KINDS = frozenset(
    {
        EventKind.ADMISSION,
        EventKind.READMISSION,
        EventKind.EXPULSION,
        EventKind.REMOVAL,
        EventKind.LEAVING,
        EventKind.DEATH,
    }
)


def seniority_held(events: list[Ev]) -> tuple[dt.date | None, dt.date | None]:
    """(base, since): from `since` on, `seniority_days(events, at)` is `max((at - base).days, 0)`
    (0 when `base` is None), so the statistics group members by a date on their row instead of
    reading every member's events (issue 18; `Member.seniority_held`, derived.member_seniority).

    `base` is the first admission decision moved later by the closed gaps (expelled, removed or
    left until re-admitted: the same walk as seniority_days); `since` is the last event that
    seniority_days reads. A history that ends out of the party (an open gap, or death) is not
    linear after its last event: (None, None), and its seniority is read from the events."""
    ordered = [e for e in sort_events(events) if e.kind in SENIORITY_KINDS]
    admission = next((e for e in ordered if e.kind == EventKind.ADMISSION), None)
    if admission is None:
        return None, dt.date.min  # seniority_days is 0 on every day
    start = admission.decision_date or admission.date
    gaps = 0
    gap_from: dt.date | None = None
    for ev in ordered:
        if ev.kind in (EventKind.EXPULSION, EventKind.REMOVAL, EventKind.LEAVING):
            gap_from = ev.date
        elif ev.kind == EventKind.READMISSION and gap_from:
            gaps += (ev.date - gap_from).days
            gap_from = None
        elif ev.kind == EventKind.DEATH:
            return None, None
    if gap_from:
        return None, None
    return start + dt.timedelta(days=gaps), ordered[-1].date
