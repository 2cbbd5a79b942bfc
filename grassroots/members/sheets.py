"""The member sheets of the import workbook: "Đảng viên" (each member with the admission
decision) and "Sự kiện đảng viên" (the events after it), with their check and writer
(`MembersPart`, registered in settings.EXCEL_SHEETS; the framework is excel/). Each member's
whole history is checked as `member_record_event` would (lifecycle.derive_stints,
UnitChecker.check_stints); new members go to the bulk loader, changes to members that exist
through members.services.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError

from grassroots.accounts.access import (
    members_visible,
    require_writable_member,
    sees_everything,
    unit_visible_on_checker,
)
from grassroots.audit.services import Actor
from grassroots.bulkload.loader import EventSpec, MemberSpec, StintSpec
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.excel.importer import IN_CHUNK
from grassroots.excel.parts import Part, Row
from grassroots.excel.schema import CODE, DATE, Codes, Column, Sheet, codes
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.sheets import OrganizationsPart

from . import categories, lifecycle
from .models import DisciplineForm, EventKind, Gender, Member, MemberEvent
from .services import (
    PROFILE_FIELDS,
    UnitChecker,
    _validate_profile,
    member_record_event,
    member_update_profile,
)
from .sheet_history import HistoryChecks

GENDERS = codes("Giới tính", Gender.choices)
EVENT_KINDS = codes("Sự kiện", EventKind.choices, exclude=(EventKind.ADMISSION,))
DISCIPLINE = codes("Hình thức kỷ luật", DisciplineForm.choices)
CONFIRM = Codes("Xác nhận", (("yes", "Có"),))

MEMBERS = Sheet(
    kind="members",
    name="Đảng viên",
    key="Số lý lịch",
    help="Mỗi dòng là một đảng viên với quyết định kết nạp. Các sự kiện sau kết nạp (công nhận chính "
    "thức, chuyển sinh hoạt, miễn sinh hoạt, từ trần...) ghi ở sheet Sự kiện đảng viên.",
    columns=(
        Column(
            "profile_number",
            "Số lý lịch",
            required=True,
            help="Mã duy nhất theo quy ước của tỉnh (thường 6 chữ số và mã đảng bộ, ví dụ 012345LS); "
            "hệ thống chỉ kiểm tra ký tự: chữ, số, “.”, “_”, “-”, tối đa 32 ký tự.",
            width=14,
        ),
        Column("full_name", "Họ và tên", required=True, width=28),
        Column("gender", "Giới tính", CODE, required=True, codes=GENDERS, width=10),
        Column("birth_date", "Ngày sinh", DATE, required=True, width=12),
        Column("ethnicity", "Dân tộc", width=12),
        Column("religion", "Tôn giáo", width=12),
        Column("hometown", "Quê quán", width=24),
        Column("residence", "Nơi cư trú", width=24),
        Column("education", "Trình độ giáo dục phổ thông", width=12),
        Column("expertise", "Chuyên môn, nghiệp vụ", width=18),
        Column("theory_level", "Lý luận chính trị", width=14),
        Column("occupation", "Nghề nghiệp", width=16),
        Column(
            "citizen_id", "Số CCCD", help="12 chữ số (nhập dạng văn bản để giữ số 0 đầu).", width=14
        ),
        Column("card_number", "Số thẻ đảng viên", help="8 chữ số.", width=12),
        Column(
            "unit",
            "Mã chi bộ kết nạp",
            help="Để trống nếu được kết nạp ngoài hệ thống (khi đó ghi sự kiện “Chuyển đến từ ngoài hệ thống”).",
            width=14,
        ),
        Column(
            "admission_date",
            "Ngày vào Đảng",
            DATE,
            required=True,
            help="Ngày lễ kết nạp.",
            width=14,
        ),
        Column("decision_date", "Ngày quyết định kết nạp", DATE, width=14),
        Column("decision_number", "Số quyết định kết nạp", width=16),
        Column("issuing_body", "Cơ quan quyết định kết nạp", width=24),
    ),
    examples=(
        (
            "012345LS",
            "Nguyễn Văn An",
            "Nam",
            "15/03/1980",
            "Tày",
            "",
            "Bắc Xa, Đình Lập",
            "Bắc Xa, Đình Lập",
            "12/12",
            "Kỹ sư nông nghiệp",
            "Trung cấp",
            "Cán bộ xã",
            "020080001234",
            "12345678",
            "LS-DL-01",
            "19/05/2005",
            "10/05/2005",
            "45-QĐ/HU",
            "Huyện ủy Đình Lập",
        ),
    ),
)


EVENTS = Sheet(
    kind="events",
    name="Sự kiện đảng viên",
    key="Số lý lịch + Sự kiện + Ngày hiệu lực + Mã chi bộ",
    help="Mỗi dòng là một sự kiện của một đảng viên (đảng viên phải có ở sheet Đảng viên hoặc đã có "
    "trong hệ thống). Thứ tự các dòng không quan trọng: sự kiện được sắp theo ngày.",
    columns=(
        Column("profile_number", "Số lý lịch", required=True, width=14),
        Column("kind", "Sự kiện", CODE, required=True, codes=EVENT_KINDS, width=34),
        Column(
            "date",
            "Ngày hiệu lực",
            DATE,
            required=True,
            help="Công nhận chính thức: ngày hết 12 tháng dự bị.",
            width=14,
        ),
        Column(
            "unit", "Mã chi bộ", help="Chi bộ chuyển đến, hoặc nơi sinh hoạt tạm thời.", width=14
        ),
        Column("decision_number", "Số quyết định", width=16),
        Column("decision_date", "Ngày quyết định", DATE, width=14),
        Column("issuing_body", "Cơ quan quyết định", width=24),
        Column("discipline_form", "Hình thức kỷ luật", CODE, codes=DISCIPLINE, width=14),
        Column("place", "Nơi đi / nơi đến", width=24),
        Column("note", "Ghi chú", width=30),
        Column(
            "confirm_future",
            limits.CONFIRM_FUTURE_LABEL,
            CODE,
            codes=CONFIRM,
            help="“Có” khi ngày hiệu lực sau hơn FUTURE_EVENT_CONFIRM_DAYS ngày (mặc định 31) kể "
            "từ hôm nay và đúng như quyết định; không có thì dòng bị từ chối.",
            width=14,
        ),
    ),
    examples=(
        (
            "012345LS",
            "Công nhận đảng viên chính thức",
            "19/05/2006",
            "",
            "52-QĐ/HU",
            "25/05/2006",
            "Huyện ủy Đình Lập",
            "",
            "",
            "",
        ),
    ),
)


class DbEvent(NamedTuple):
    kind: str
    date: dt.date
    unit_code: str | None
    decision_date: dt.date | None
    discipline_form: str


def unknown_member(number: str) -> str:
    return f"không có đảng viên số lý lịch {number} trong sheet Đảng viên hay trong hệ thống."


def _vals_equal(a, b) -> bool:
    return (a or "") == (b or "")


class MembersPart(HistoryChecks, Part):
    """The sheets "Đảng viên" and "Sự kiện đảng viên"; organizations are looked up in the
    OrganizationsPart before it."""

    sheets = (MEMBERS, EVENTS)
    MEMBERS, EVENTS = MEMBERS, EVENTS  # for the HistoryChecks mixin

    def __init__(self, importer) -> None:
        super().__init__(importer)
        # new members: their row, their event rows, and the stints the check derived
        self.new_members: list[tuple[Row, list[Row], list]] = []
        self.profile_updates: list[tuple[Row, int, dict]] = []
        self.event_updates: list[tuple[Row, int]] = []

    @property
    def orgs(self) -> OrganizationsPart:
        return self.part(OrganizationsPart)

    def code(self, text: str | None) -> str | None:
        return self.orgs.code(text)

    def check(self) -> None:
        self._check_members()

    @property
    def has_writes(self) -> bool:
        return bool(self.new_members or self.profile_updates or self.event_updates)

    @property
    def service_updates(self) -> bool:
        return bool(self.profile_updates or self.event_updates)

    @property
    def bulk_members(self) -> int:
        return len(self.new_members)

    def release(self) -> None:
        self.new_members = []

    def _checker(self) -> UnitChecker:
        checker = UnitChecker.__new__(UnitChecker)
        checker.units = {
            u.code: Unit(code=u.code, established=u.established, ended=u.ended)
            for u in self.orgs.units.values()
        }
        checker.versions = {
            u.code: [
                UnitVersion(valid_from=v.valid_from, valid_to=v.valid_to, kind=v.kind)
                for v in u.versions
            ]
            for u in self.orgs.units.values()
        }
        return checker

    def _existing_members(self, numbers: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        fields = ["pk", "version", *PROFILE_FIELDS]
        for i in range(0, len(numbers), IN_CHUNK):
            chunk = numbers[i : i + IN_CHUNK]
            for values in Member.objects.filter(profile_number__in=chunk).values(*fields):
                found[values["profile_number"].upper()] = values
        if self.user is not None and found:
            if not sees_everything(self.user):
                visible = set(
                    members_visible(self.user)
                    .filter(pk__in=[m["pk"] for m in found.values()])
                    .values_list("pk", flat=True)
                )
                for values in found.values():
                    values["hidden"] = values["pk"] not in visible
        return found

    def _check_members(self) -> None:
        sheet, events_sheet = MEMBERS, EVENTS
        member_rows = self.rows_of(sheet)
        event_rows = self.rows_of(events_sheet)
        if not member_rows and not event_rows:
            return
        columns = {c.field: c.header for c in sheet.columns}
        by_number: dict[str, Row] = {}
        total = len(member_rows) + len(event_rows)
        for i, row in enumerate(member_rows):
            if i % 5000 == 0:
                self.progress("Kiểm tra đảng viên", i, total)
            v = row.values
            number = v.get("profile_number", "").upper()
            if not number:
                continue
            if number in by_number:
                self.problem(
                    sheet,
                    row.number,
                    columns["profile_number"],
                    f"số lý lịch {number} trùng với dòng {by_number[number].number}.",
                )
                continue
            v["profile_number"] = number
            by_number[number] = row
            profile = {k: v[k] for k in PROFILE_FIELDS if k in v and k != "profile_number"}
            try:
                v.update(_validate_profile(profile))
            except ValidationError as exc:
                self.field_errors(sheet, row.number, exc, columns)
            for name in categories.FIELDS:
                value = v.get(name)
                if value and categories.classify(name, value) == categories.UNMAPPED:
                    self.unmapped_value(sheet, row.number, columns[name], value)
            if v.get("unit") and not self.code(v["unit"]):
                self.problem(
                    sheet, row.number, columns["unit"], f"không có tổ chức mã {v['unit']}."
                )
        existing = self._existing_members(sorted(by_number))
        events_by: dict[str, list[Row]] = defaultdict(list)
        ecols = {c.field: c.header for c in events_sheet.columns}
        seen: dict[tuple, int] = {}
        unknown_numbers = []
        for row in event_rows:
            v = row.values
            number = v.get("profile_number", "").upper()
            if not number or "kind" not in v or "date" not in v:
                continue
            v["profile_number"] = number
            if v.get("unit") and not self.code(v["unit"]):
                self.problem(
                    events_sheet, row.number, ecols["unit"], f"không có tổ chức mã {v['unit']}."
                )
                continue
            key = (number, v["kind"], v["date"], (v.get("unit") or "").upper())
            if key in seen:
                self.problem(
                    events_sheet,
                    row.number,
                    ecols["kind"],
                    f"sự kiện này trùng với dòng {seen[key]}.",
                )
                continue
            seen[key] = row.number
            future = limits.future_problem(v["date"], v.get("confirm_future") == "yes")
            if future:
                self.problem(events_sheet, row.number, ecols["date"], future)
                continue
            events_by[number].append(row)
            if number not in by_number:
                unknown_numbers.append(number)
        existing.update(self._existing_members(sorted(set(unknown_numbers) - set(existing))))
        for number, rows in events_by.items():
            if number not in by_number and number not in existing:
                for row in rows:
                    self.problem(
                        events_sheet, row.number, ecols["profile_number"], unknown_member(number)
                    )
        checker = self._checker()
        db_events = self._db_events([m["pk"] for m in existing.values()])
        done = len(member_rows)
        for number, row in by_number.items():
            done += len(events_by.get(number, ()))
            if done % 5000 < 10:
                self.progress("Kiểm tra lịch sử đảng viên", min(done, total), total)
            if number in existing:
                self._check_existing_member(
                    row, existing[number], events_by.get(number, []), db_events, checker
                )
            else:
                self._check_new_member(row, events_by.get(number, []), checker)
        for number, rows in events_by.items():
            if number not in by_number and number in existing:
                self._check_existing_member(None, existing[number], rows, db_events, checker)

    def _db_events(self, member_ids: list[int]) -> dict[int, list[DbEvent]]:
        """Live events of members that exist, as small tuples (a re-import of 100,000 members
        would otherwise hold 250,000 model instances)."""
        out: dict[int, list[DbEvent]] = defaultdict(list)
        codes = {u.pk: u.code for u in self.orgs.db_units.values()}
        for i in range(0, len(member_ids), IN_CHUNK):
            rows = (
                MemberEvent.objects.filter(
                    member_id__in=member_ids[i : i + IN_CHUNK], voided_at__isnull=True
                )
                .order_by("date", "id")
                .values_list(
                    "member_id", "kind", "date", "unit_id", "decision_date", "discipline_form"
                )
            )
            for member_id, kind, day, unit_id, decision_date, form in rows:
                out[member_id].append(
                    DbEvent(kind, day, codes.get(unit_id) if unit_id else None, decision_date, form)
                )
        return out

    def _admission_in_scope(self, row: Row) -> bool:
        """A new member's admission cell lay in the user's scope on the admission date, as in
        `member_admit` (access.require_admission): an admission dated when the cell belonged to
        another scope would rewrite that scope's history (issue 20 §5)."""
        unit = self.orgs.units.get((row.values.get("unit") or "").upper())
        if self.user is None or unit is None or unit.pk is None:
            return True  # organizations created by this file lie under a checked parent
        if not hasattr(self, "_visible_on"):
            self._visible_on = unit_visible_on_checker(self.user)
        day = row.values["admission_date"]
        if self._visible_on(unit.pk, day):
            return True
        self.problem(
            MEMBERS,
            row.number,
            MEMBERS.header("admission_date"),
            f"ngày {vn(day)} nằm ngoài thời gian tổ chức {unit.code} thuộc phạm vi của tài khoản: "
            "không thể ghi thay đổi vào lịch sử của tổ chức khác.",
        )
        return False

    def _check_new_member(self, row: Row, events: list[Row], checker) -> None:
        v = row.values
        if "admission_date" not in v:
            return
        evs = [self._ev(v, 0, EventKind.ADMISSION, "admission_date")]
        sources = {0: ("members", row)}
        if v.get("birth_date"):
            try:
                lifecycle.check_admission_age(v["birth_date"], evs[0].decision_date or evs[0].date)
            except ValidationError as exc:
                self.field_errors(
                    MEMBERS,
                    row.number,
                    exc,
                    {c.field: c.header for c in MEMBERS.columns},
                )
                return
        if not self._admission_in_scope(row):
            return
        for e in events:
            evs.append(self._ev(e.values, e.number))
            sources[e.number] = ("events", e)
        stints = self._validate_history(evs, sources, row, checker)
        if stints is not None:
            # Kept (as compact tuples) for the writer, which then need not derive them again.
            self.new_members.append((row, events, [StintSpec.of(st) for st in stints]))
            self.report.count(MEMBERS, "created")
            if events:
                self.report.count(EVENTS, "created", len(events))

    def _writable(self, member: dict, row: Row, sheet) -> bool:
        """Changes need the member to be in the user's scope today, as in the forms (access.py)."""
        if self.user is None:
            return True
        try:
            require_writable_member(self.user, Member.objects.get(pk=member["pk"]))
        except PermissionDenied as exc:
            self.problem(sheet, row.number, sheet.header("profile_number"), str(exc))
            return False
        return True

    def _check_existing_member(
        self, row: Row | None, member: dict, events: list[Row], db_events, checker
    ) -> None:
        sheet = MEMBERS
        if member.get("hidden"):
            if row is None:
                # Only referred to: the same message as a number that does not exist, so that
                # an import cannot tell which numbers exist outside the scope (issue 20 §8).
                for e in events:
                    self.problem(
                        EVENTS,
                        e.number,
                        sheet.header("profile_number"),
                        unknown_member(member["profile_number"]),
                    )
                return
            # A new member cannot take a number that is in use: the key is unique.
            self.problem(
                sheet,
                row.number,
                sheet.header("profile_number"),
                f"số lý lịch {member['profile_number']} đã được dùng cho một đảng viên ngoài phạm vi của tài khoản.",
            )
            return
        have = db_events.get(member["pk"], [])
        if row is not None:
            v = row.values
            changes = {}
            for name in PROFILE_FIELDS:
                if (
                    name in v
                    and name != "profile_number"
                    and not _vals_equal(v[name], member[name])
                ):
                    changes[name] = v[name]
            admission = next((e for e in have if e.kind == EventKind.ADMISSION), None)
            if admission is not None and "admission_date" in v:
                for name, mine, theirs in (
                    ("admission_date", v["admission_date"], admission.date),
                    ("unit", self.code(v.get("unit")), admission.unit_code),
                    ("decision_date", v.get("decision_date"), admission.decision_date),
                ):
                    if name == "decision_date" and mine is None:
                        continue
                    if (mine or None) != (theirs or None):
                        shown = vn(theirs) if isinstance(theirs, dt.date) else theirs or ""
                        self.problem(
                            sheet,
                            row.number,
                            sheet.header(name),
                            f"khác với quyết định kết nạp đã có (“{shown}”). Sửa kết nạp hãy làm trên hồ sơ đảng viên.",
                        )
            if changes and not self._writable(member, row, sheet):
                return
            if changes:
                self.profile_updates.append((row, member["pk"], changes))
                self.report.count(sheet, "updated")
            else:
                self.report.count(sheet, "unchanged")
        present = {(e.kind, e.date, (e.unit_code or "").upper()) for e in have}
        fresh = [
            e
            for e in events
            if (e.values["kind"], e.values["date"], (self.code(e.values.get("unit")) or "").upper())
            not in present
        ]
        self.report.count(EVENTS, "unchanged", len(events) - len(fresh))
        if not fresh:
            return
        if not self._writable(member, fresh[0], EVENTS):
            return
        evs = [
            lifecycle.Ev(e.kind, e.date, e.unit_code, e.decision_date, e.discipline_form, -1 - i)
            for i, e in enumerate(have)
        ]
        sources = {}
        for e in fresh:
            evs.append(self._ev(e.values, e.number))
            sources[e.number] = ("events", e)
        if self._validate_history(evs, sources, row, checker) is not None:
            for e in fresh:
                self.event_updates.append((e, member["pk"]))
            self.report.count(EVENTS, "updated", len(fresh))

    def claim_moves(self, days: set) -> list[tuple]:
        """The "Chuyển theo sắp xếp tổ chức" rows of members that exist, dated on a day of the
        organization changes: the organizations part plays them with its changes, in dependency
        order (restructure/plan.py), and they are no longer written here."""
        claimed, rest = [], []
        for row, pk in self.event_updates:
            v = row.values
            if v["kind"] == EventKind.RESTRUCTURE and v["date"] in days:
                claimed.append((EVENTS, row))
            else:
                rest.append((row, pk))
        self.event_updates = rest
        return claimed

    def write(self, actor: Actor, audits: list[tuple]) -> None:
        if self.new_members:
            loader = self.orgs.bulk_loader()
            total = len(self.new_members)
            for i, (row, events, stints) in enumerate(self.new_members):
                if i % 2000 == 0:
                    self.progress("Ghi đảng viên", i, total)
                v = row.values
                profile = {k: v[k] for k in PROFILE_FIELDS if k in v}
                admission = EventSpec(
                    EventKind.ADMISSION,
                    v["admission_date"],
                    self.code(v.get("unit")),
                    decision_date=v.get("decision_date"),
                    decision_number=v.get("decision_number", ""),
                    issuing_body=v.get("issuing_body", ""),
                )
                specs = [admission] + [
                    EventSpec(
                        e.values["kind"],
                        e.values["date"],
                        self.code(e.values.get("unit")),
                        decision_date=e.values.get("decision_date"),
                        decision_number=e.values.get("decision_number", ""),
                        issuing_body=e.values.get("issuing_body", ""),
                        discipline_form=e.values.get("discipline_form", ""),
                        place=e.values.get("place", ""),
                        note=e.values.get("note", ""),
                    )
                    for e in events
                ]
                loader.add_member(MemberSpec(profile, specs, stints))
            loader.flush()
            loader.restore_indexes()  # the services below look members' events up by index
            self.progress("Ghi đảng viên", total, total)
            # The loader hands out the ids, in the order the members were added.
            for pk, (row, events, _) in zip(loader.member_ids, self.new_members, strict=True):
                number, name = row.values["profile_number"], row.values["full_name"]
                # The whole profile, as member_admit records it (issue 20 §18).
                profile = {
                    f: [None, v.isoformat() if isinstance(v, dt.date) else v]
                    for f in PROFILE_FIELDS
                    if (v := row.values.get(f)) not in (None, "")
                }
                audits.append(
                    self.audit(
                        actor,
                        "member",
                        pk,
                        f"{name} ({number})",
                        "create",
                        {**profile, "events": [None, len(events) + 1]},
                    )
                )
        members_sheet = MEMBERS
        mcols = {c.field: c.header for c in members_sheet.columns}
        if self.profile_updates or self.event_updates:
            for row, pk, changes in self.profile_updates:
                member = Member.objects.get(pk=pk)
                self.service(
                    members_sheet,
                    row,
                    lambda m=member, c=changes: member_update_profile(
                        actor=actor, member=m, reason="Nhập từ Excel", **c
                    ),
                    mcols,
                )
            ecols = {c.field: c.header for c in EVENTS.columns}
            ecols["unit"] = ecols["unit"]
            for row, pk in self.event_updates:
                v = row.values
                unit = (
                    Unit.objects.filter(code=self.code(v.get("unit"))).first()
                    if v.get("unit")
                    else None
                )
                self.service(
                    EVENTS,
                    row,
                    lambda pk=pk, v=v, unit=unit: member_record_event(
                        actor=actor,
                        member=Member.objects.get(pk=pk),
                        kind=v["kind"],
                        date=v["date"],
                        unit=unit,
                        decision_number=v.get("decision_number", ""),
                        decision_date=v.get("decision_date"),
                        issuing_body=v.get("issuing_body", ""),
                        discipline_form=v.get("discipline_form", ""),
                        place=v.get("place", ""),
                        note=v.get("note", ""),
                        confirm_future=v.get("confirm_future") == "yes",
                    ),
                    ecols,
                )


PART = MembersPart
