"""Every change to the meeting book goes through one of these functions (pages, import, demo
builders aside: they bulk-write the same rows, docs/meetings.md).

Each validates (Vietnamese messages, nothing written on refusal), writes the meeting and its
exceptions, recomputes the totals from the expected list derived on the meeting date, and writes
the audit record, in one transaction. Approved minutes are locked: a later change is a
`minutes_correct` that keeps the old value, the new one and the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.accounts.access import require_writable_unit
from grassroots.audit.services import Actor, diff, for_update, record, snapshot
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.derived import maintain
from grassroots.organizations.models import MEMBER_KINDS, Kind, Unit

from . import expected, quality, rollup, rules
from .models import (
    Attendance,
    Correction,
    Mark,
    Meeting,
    MeetingKind,
    MinutesState,
    QualityScore,
    Role,
)
from .rollup import TRACKS_ATTENDANCE  # noqa: F401  (a stable name: queries, tests, directives)

TEXT_FIELDS = [
    "subject", "place", "chair", "secretary", "guests", "agenda", "speakers", "conclusions",
    "resolutions", "documents",
]  # fmt: skip
FIELDS = [
    "unit", "kind", "with_thematic", "date", "start", "end", *TEXT_FIELDS, "votes_for",
    "votes_against", "documents_posted_on",
]  # fmt: skip
COUNT_FIELDS = [
    "expected_official", "expected_probationary", "expected_attached", "exempt", "away", "suspended",
    "present_official", "present_probationary", "present_attached", "present_extra",
    "absent_excused", "absent_unexcused",
]  # fmt: skip
# Which organizations hold which meetings: cells hold regular and thematic meetings (Điều lệ
# Điều 24); committees meet as committees; any of them may hold an extraordinary meeting or a
# study session (a whole đảng bộ studies a resolution together).
COMMITTEE_KINDS = (
    Kind.CENTRAL, Kind.PROVINCE, Kind.DISTRICT, Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE,
)  # fmt: skip
HOLDERS = {
    MeetingKind.REGULAR: MEMBER_KINDS,
    MeetingKind.THEMATIC: MEMBER_KINDS,
    MeetingKind.COMMITTEE: COMMITTEE_KINDS,
    MeetingKind.EXTRAORDINARY: MEMBER_KINDS + (Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE),
    MeetingKind.STUDY: MEMBER_KINDS + (Kind.GRASSROOTS_COMMITTEE, Kind.PARTIAL_COMMITTEE),
}


def _snapshot(meeting: Meeting, fields: list[str]) -> dict[str, Any]:
    """The audit's snapshot, with times as "HH:MM" (the audit stores JSON)."""
    values = snapshot(meeting, fields)
    return {k: v.strftime("%H:%M") if isinstance(v, dt.time) else v for k, v in values.items()}


def _err(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]}) if field else ValidationError(message)


def _require_scope(actor: Actor, unit: Unit) -> None:
    if actor.user is not None:
        require_writable_unit(actor.user, unit)


def _minutes(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def _check(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The meeting's own checks (every refusal names its field)."""
    unit, kind, day = values.get("unit"), values.get("kind"), values.get("date")
    if kind not in MeetingKind.values:
        raise _err("Loại sinh hoạt không hợp lệ.", "kind")
    if day is None:
        raise _err("Cần nhập ngày sinh hoạt.", "date")
    if day < limits.EARLIEST_DAY:
        raise _err(f"Ngày sinh hoạt {vn(day)} quá xa trong quá khứ.", "date")
    horizon = rules.rules_on(day).planning_horizon_days
    if day > today + dt.timedelta(days=horizon):
        raise _err(
            f"Ngày sinh hoạt {vn(day)} vượt quá thời gian lập kế hoạch ({horizon} ngày kể từ hôm nay).",
            "date",
        )
    start, end = values.get("start"), values.get("end")
    if start is None:
        raise _err("Cần nhập giờ bắt đầu.", "start")
    if end is None:
        raise _err("Cần nhập giờ kết thúc.", "end")
    if _minutes(start, end) <= 0:
        raise _err("Giờ kết thúc phải sau giờ bắt đầu.", "end")
    holder = expected.holds_meetings_on(unit, day)
    if holder is None:
        raise _err(f"Tổ chức {unit.code} không tồn tại vào ngày {vn(day)}.", "unit")
    if holder not in HOLDERS[kind]:
        raise _err(
            f"{MeetingKind(kind).label} không tổ chức ở cấp {Kind(holder).label} ({unit.code}).",
            "kind",
        )
    if values.get("with_thematic") and kind != MeetingKind.REGULAR:
        raise _err("Chỉ sinh hoạt thường kỳ mới kết hợp sinh hoạt chuyên đề.", "with_thematic")
    posted = values.get("documents_posted_on")
    if posted is not None and (posted < limits.EARLIEST_DAY or posted > day):
        raise _err(
            "Ngày đăng tài liệu phải trước hoặc trong ngày sinh hoạt.", "documents_posted_on"
        )
    values["duration"] = _minutes(start, end)
    values["documents_lead_days"] = (day - posted).days if posted is not None else None
    for name in ("votes_for", "votes_against"):
        if values.get(name) is not None and not 0 <= int(values[name]) <= 100_000:
            raise _err("Số phiếu không hợp lệ.", name)
    for name in TEXT_FIELDS:
        values[name] = limits.clean_text(values.get(name) or "") if name in (
            "subject", "place", "chair", "secretary"
        ) else (values.get(name) or "").strip()  # fmt: skip
    return values


def _check_duplicate(unit: Unit, day: dt.date, start: dt.time, meeting: Meeting | None) -> None:
    clash = Meeting.objects.filter(unit=unit, date=day, start=start, voided_at__isnull=True)
    if meeting is not None:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise _err(f"{unit.code} đã có buổi sinh hoạt ngày {vn(day)} lúc {start:%H:%M}.", "start")


def _normalize_marks(marks: Mapping[int, Any] | None) -> dict[int, tuple[str, str]]:
    out = {}
    for member_id, value in (marks or {}).items():
        mark, reason = (value, "") if isinstance(value, str) else value
        out[int(member_id)] = (mark, limits.clean_text(reason or ""))
    return out


def _apply_marks(meeting: Meeting, marks: dict[int, tuple[str, str]]) -> list[Attendance]:
    """Check each mark against the list derived on the meeting date, recompute the totals and
    return the exception rows (not yet saved)."""
    people = expected.meeting_list(meeting.unit, meeting.kind, meeting.date)
    by_id = {p.member_id: p for p in people}
    rows = []
    for member_id, (mark, reason) in marks.items():
        person = by_id.get(member_id)
        if person is None:
            raise _err(
                (
                    f"Đảng viên (mã {member_id}) không giữ chức danh trong cấp ủy "
                    if meeting.kind == MeetingKind.COMMITTEE
                    else f"Đảng viên (mã {member_id}) không có trong danh sách sinh hoạt "
                )
                + f"của {meeting.unit.code} ngày {vn(meeting.date)}.",
                "marks",
            )
        if mark not in Mark.values:
            raise _err(f"Điểm danh không hợp lệ: {mark}.", "marks")
        if person.expected and mark == Mark.PRESENT:
            continue  # present is the default for the expected: nothing to store
        if not person.expected and mark != Mark.PRESENT:
            raise _err(
                f"{person.full_name} ({person.role_label.lower()}) không thuộc diện phải dự; "
                "chỉ ghi khi có mặt.",
                "marks",
            )
        rows.append(
            Attendance(
                meeting=meeting, member_id=member_id, role=person.role, mark=mark,
                reason=reason if mark == Mark.EXCUSED else "", unit_id=meeting.unit_id,
                date=meeting.date,
            )
        )  # fmt: skip
    counts = expected.totals(people)
    absent = {role: 0 for role in Role.values}
    for row in rows:
        if row.mark != Mark.PRESENT:
            absent[row.role] += 1
    meeting.expected_official = counts[Role.OFFICIAL]
    meeting.expected_probationary = counts[Role.PROBATIONARY]
    meeting.expected_attached = counts[Role.ATTACHED]
    meeting.exempt = counts[Role.EXEMPT]
    meeting.away = counts[Role.AWAY]
    meeting.suspended = counts[Role.SUSPENDED]
    meeting.present_official = counts[Role.OFFICIAL] - absent[Role.OFFICIAL]
    meeting.present_probationary = counts[Role.PROBATIONARY] - absent[Role.PROBATIONARY]
    meeting.present_attached = counts[Role.ATTACHED] - absent[Role.ATTACHED]
    meeting.present_extra = sum(1 for r in rows if r.mark == Mark.PRESENT)
    meeting.absent_excused = sum(1 for r in rows if r.mark == Mark.EXCUSED)
    meeting.absent_unexcused = sum(1 for r in rows if r.mark == Mark.UNEXCUSED)
    return rows


@transaction.atomic
def meeting_record(
    *,
    actor: Actor,
    unit: Unit,
    kind: str,
    date: dt.date,
    start: dt.time,
    end: dt.time,
    marks: Mapping[int, Any] | None = None,
    today: dt.date | None = None,
    **fields: Any,
) -> Meeting:
    """Record a meeting (held or planned) with its attendance: `marks` maps a member id to
    "excused" (or ("excused", reason)), "unexcused", or "present" for someone outside the
    expected list; everyone else expected is present."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not meeting fields: {sorted(unknown)}")
    _require_scope(actor, unit)
    values = _check(
        {**fields, "unit": unit, "kind": kind, "date": date, "start": start, "end": end},
        today or timezone.localdate(),
    )
    _check_duplicate(unit, date, start, None)
    meeting = Meeting(**values)
    rows = _apply_marks(meeting, _normalize_marks(marks))
    meeting.save()
    for row in rows:
        row.meeting = meeting
    Attendance.objects.bulk_create(rows)
    maintain.meetings_changed([], rollup.month_row(meeting))
    record(
        actor, obj=meeting, action="create",
        changes=diff({}, _snapshot(meeting, FIELDS + COUNT_FIELDS)
                     | {"marks": _marks_text(rows)}),
        object_type="meeting",
    )  # fmt: skip
    return meeting


def _marks_text(rows) -> str:
    return "; ".join(f"{r.member_id}:{r.mark}" for r in sorted(rows, key=lambda r: r.member_id))


def _lock(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().select_related("unit").get(pk=meeting.pk)
    if meeting.voided_at is not None:
        raise _err("Buổi sinh hoạt đã bị hủy.")
    return meeting


def _require_draft(meeting: Meeting) -> None:
    if meeting.approved:
        raise _err("Biên bản đã được thông qua và khóa; chỉ sửa bằng “Đính chính” có ghi lý do.")


@transaction.atomic
def attendance_mark(*, actor: Actor, meeting: Meeting, marks: Mapping[int, Any]) -> Meeting:
    """Replace the meeting's attendance marks (draft minutes only); totals are recomputed from
    the list derived on the meeting date as the registry knows it now."""
    meeting = _lock(meeting)
    _require_scope(actor, meeting.unit)
    _require_draft(meeting)
    before = _snapshot(meeting, COUNT_FIELDS) | {"marks": _marks_text(meeting.marks.all())}
    old = rollup.month_row(meeting)
    rows = _apply_marks(meeting, _normalize_marks(marks))
    meeting.marks.all().delete()  # exceptions of a draft: replaced, the audit keeps the old ones
    Attendance.objects.bulk_create(rows)
    meeting.version += 1
    meeting.save()
    maintain.meetings_changed(old, rollup.month_row(meeting))
    after = _snapshot(meeting, COUNT_FIELDS) | {"marks": _marks_text(rows)}
    record(actor, obj=meeting, action="attendance", changes=diff(before, after),
           object_type="meeting")  # fmt: skip
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: Meeting, today: dt.date | None = None, **fields):
    """Change a draft meeting's details (time, place, agenda, conclusions...)."""
    unknown = set(fields) - (set(FIELDS) - {"unit", "date"})
    if unknown:
        raise ValueError(f"not meeting fields: {sorted(unknown)}")
    meeting = _lock(meeting)
    _require_scope(actor, meeting.unit)
    _require_draft(meeting)
    before = _snapshot(meeting, FIELDS)
    old = rollup.month_row(meeting)
    values = _check({**before_values(meeting), **fields}, today or timezone.localdate())
    _check_duplicate(meeting.unit, values["date"], values["start"], meeting)
    for name, value in values.items():
        setattr(meeting, name, value)
    changes = diff(before, _snapshot(meeting, FIELDS))
    if changes:
        meeting.version += 1
        meeting.save()
        maintain.meetings_changed(old, rollup.month_row(meeting))
        record(actor, obj=meeting, action="update", changes=changes, object_type="meeting")
    return meeting


def before_values(meeting: Meeting) -> dict[str, Any]:
    return {name: getattr(meeting, name) for name in FIELDS}


@transaction.atomic
def minutes_approve(*, actor: Actor, meeting: Meeting) -> Meeting:
    """The cell adopts the minutes (read back at the end of the meeting, domain.md §5): from now
    on they are locked."""
    meeting = _lock(meeting)
    _require_scope(actor, meeting.unit)
    if meeting.approved:
        raise _err("Biên bản đã được thông qua.")
    if meeting.date > timezone.localdate():
        raise _err("Chưa thể thông qua biên bản của buổi sinh hoạt chưa diễn ra.")
    old = rollup.month_row(meeting)
    meeting.minutes_state = MinutesState.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = actor.user
    meeting.version += 1
    meeting.save()
    maintain.meetings_changed(old, rollup.month_row(meeting))
    record(actor, obj=meeting, action="approve",
           changes={"minutes_state": [MinutesState.DRAFT, MinutesState.APPROVED]},
           object_type="meeting")  # fmt: skip
    return meeting


CORRECTABLE = [*TEXT_FIELDS, "votes_for", "votes_against", "documents_posted_on", "end", "start"]


@transaction.atomic
def minutes_correct(*, actor: Actor, meeting: Meeting, reason: str, **fields: Any) -> Meeting:
    """An audited correction to approved minutes: each changed field is kept as a `Correction`
    (old, new, reason, who) and in the audit trail. The attendance and the date are not
    correctable this way (void the meeting and record it again, with the reason)."""
    unknown = set(fields) - set(CORRECTABLE)
    if unknown:
        raise _err("Chỉ đính chính được nội dung, thời gian, địa điểm và biểu quyết.")
    reason = limits.clean_text(reason or "")
    if not reason:
        raise _err("Cần ghi lý do đính chính.", "reason")
    meeting = _lock(meeting)
    _require_scope(actor, meeting.unit)
    if not meeting.approved:
        raise _err("Biên bản chưa thông qua: sửa trực tiếp, không cần đính chính.")
    before = _snapshot(meeting, FIELDS)
    old = rollup.month_row(meeting)
    values = _check({**before_values(meeting), **fields}, timezone.localdate())
    _check_duplicate(meeting.unit, meeting.date, values["start"], meeting)
    for name in [*fields, "duration", "documents_lead_days"]:
        setattr(meeting, name, values[name])
    changes = diff(before, _snapshot(meeting, FIELDS))
    if not changes:
        raise _err("Không có gì thay đổi.")
    Correction.objects.bulk_create(
        [
            Correction(
                meeting=meeting,
                field=name,
                old=str(old or ""),
                new=str(new or ""),
                reason=reason,
                made_by=actor.user,
            )  # fmt: skip
            for name, (old, new) in changes.items()
        ]
    )
    meeting.version += 1
    meeting.save()
    maintain.meetings_changed(old, rollup.month_row(meeting))
    record(actor, obj=meeting, action="correct", changes=changes, reason=reason,
           object_type="meeting")  # fmt: skip
    return meeting


@transaction.atomic
def meeting_void(*, actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    """A meeting entered by mistake is voided with a reason (never deleted)."""
    reason = limits.clean_text(reason or "")
    if not reason:
        raise _err("Cần ghi lý do hủy.", "reason")
    meeting = _lock(meeting)
    _require_scope(actor, meeting.unit)
    old = rollup.month_row(meeting)
    meeting.voided_at = timezone.now()
    meeting.void_reason = reason
    meeting.version += 1
    meeting.save()
    maintain.meetings_changed(old, [])
    record(actor, obj=meeting, action="void", changes={"voided": [False, True]}, reason=reason,
           object_type="meeting")  # fmt: skip
    return meeting


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return first, last


@transaction.atomic
def quality_record(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    month: int,
    scores: Mapping[str, Any],
    note: str = "",
    today: dt.date | None = None,
) -> QualityScore:
    """A cell's monthly self-assessment of its meetings (domain.md §5: a local practice, the
    sheet is dated configuration in `quality.py`). Recording the month again replaces the sheet;
    the audit keeps old → new. Every criterion of the sheet in force is needed, each between 0
    and its points."""
    _require_scope(actor, unit)
    today = today or timezone.localdate()
    try:
        year, month = int(year), int(month)
    except (TypeError, ValueError):
        raise _err("Tháng đánh giá không hợp lệ.", "month") from None
    if not (1 <= month <= 12) or not (limits.EARLIEST_DAY.year <= year <= today.year + 1):
        raise _err("Tháng đánh giá không hợp lệ.", "month")
    first, last = _month_days(year, month)
    if first > today:
        raise _err(f"Chưa thể tự đánh giá tháng {month:02d}/{year}: tháng chưa bắt đầu.", "month")
    kinds = {expected.holds_meetings_on(unit, first), expected.holds_meetings_on(unit, last)}
    if not kinds & set(MEMBER_KINDS):
        raise _err(
            f"{unit.code} không phải là chi bộ trong tháng {month:02d}/{year}: "
            "chỉ chi bộ tự đánh giá chất lượng sinh hoạt.",
            "unit",
        )
    sheet = quality.sheet_on(first)
    allowed = {c.key: c for c in sheet.criteria}
    unknown = sorted(set(scores) - set(allowed))
    if unknown:
        raise _err(f"Tiêu chí không có trong biểu {sheet.code}: {', '.join(unknown)}.", "scores")
    clean: dict[str, int] = {}
    for criterion in sheet.criteria:
        value = scores.get(criterion.key)
        if value is None or value == "":
            raise _err(f"Cần chấm điểm tiêu chí “{criterion.label}”.", criterion.key)
        try:
            points = int(value)
        except (TypeError, ValueError):
            raise _err(f"Điểm tiêu chí “{criterion.label}” phải là số.", criterion.key) from None
        if not 0 <= points <= criterion.points:
            raise _err(
                f"Điểm tiêu chí “{criterion.label}” phải từ 0 đến {criterion.points}.",
                criterion.key,
            )
        clean[criterion.key] = points
    row = for_update(QualityScore.objects).filter(unit=unit, month=first).first()
    fields = ["sheet", "scores", "total", "note"]
    before = snapshot(row, fields) if row is not None else {}
    if row is None:
        row = QualityScore(unit=unit, month=first)
    else:
        row.version += 1
    row.sheet, row.scores, row.total = sheet.code, clean, sum(clean.values())
    row.note = (note or "").strip()[:2000]
    row.recorded_by = actor.user
    changes = diff(before, snapshot(row, fields))
    if not changes:
        return row
    row.save()
    maintain.quality_changed(unit.pk, first, before.get("total"), row.total)
    record(actor, obj=row, action="update" if before else "create", changes=changes,
           object_type="meeting_quality")  # fmt: skip
    return row
