"""Turn query results into rows a template can print as they are (no logic in templates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import Figures
from grassroots.members.models import Member, MemberEvent
from grassroots.organizations.models import (
    ChangeAction,
    GrassrootsType,
    Kind,
    Unit,
    UnitChange,
    UnitVersion,
)

from .templatetags.vn import vdate, vnum, vpct, vsigned

STOCK_ROWS = [  # (figure, label, indented under the row above)
    ("grassroots_organizations", _("Tổ chức cơ sở đảng"), False),
    ("grassroots_committees", _("Đảng bộ cơ sở"), True),
    ("grassroots_cells", _("Chi bộ cơ sở"), True),
    ("subordinate_organizations", _("Tổ chức đảng trực thuộc đảng ủy cơ sở"), False),
    ("members", _("Đảng viên"), False),
    ("official_members", _("Chính thức"), True),
    ("probationary_members", _("Dự bị"), True),
    ("exempt_members", _("Được miễn sinh hoạt"), True),
    ("population", _("Dân số"), False),
    ("villages", _("Thôn, bản, tổ dân phố"), False),
    ("villages_own_cell", _("Có chi bộ độc lập"), True),
    ("villages_joint_cell", _("Sinh hoạt ghép"), True),
    ("villages_no_cell", _("Chưa có chi bộ"), True),
]
FLOW_ROWS = [
    ("admitted", _("Kết nạp")),
    ("readmitted", _("Kết nạp lại")),
    ("recognized", _("Công nhận chính thức")),
    ("transferred_in", _("Chuyển đến")),
    ("transferred_out", _("Chuyển đi")),
    ("restructured_in", _("Nhận theo sắp xếp tổ chức")),
    ("restructured_out", _("Chuyển theo sắp xếp tổ chức")),
    ("died", _("Từ trần")),
    ("expelled", _("Khai trừ")),
    ("removed", _("Xóa tên")),
    ("left", _("Ra khỏi Đảng")),
]


@dataclass(frozen=True)
class FigureRow:
    label: str
    then: str
    now: str
    change: str
    sub: bool


def figure_rows(fig: Figures, earlier: Figures | None = None) -> list[FigureRow]:
    """The stocks on `fig.at`; with `earlier` (the same organization's figures on the compared
    date) every row shows both dates and the change (issue 11: only 3 of 15 rows were compared)."""
    rows = []
    for name, label, sub in STOCK_ROWS:
        now = getattr(fig, name)
        then = change = ""
        if earlier is not None:
            before = getattr(earlier, name)
            then = vnum(before)
            if now is not None and before is not None:
                change = vsigned(now - before)
        rows.append(FigureRow(str(label), then, vnum(now), change, sub))
        if name == "population":
            pct_then = vpct(earlier.members_pct_population) if earlier is not None else ""
            rows.append(
                FigureRow(
                    str(_("Đảng viên / dân số")),
                    pct_then,
                    vpct(fig.members_pct_population),
                    "",
                    True,
                )
            )
    return rows


def flow_rows(fig: Figures) -> list[tuple[str, str]]:
    if fig.since is None:
        return []
    rows = [(str(label), vnum(getattr(fig.since, name))) for name, label in FLOW_ROWS]
    rows.append((str(_("Tăng/giảm")), vsigned(fig.since.net_change)))
    return rows


def kind_label(kind: str) -> str:
    return Kind(kind).label if kind in Kind.values else kind


def type_label(value: str) -> str:
    return GrassrootsType(value).label if value in GrassrootsType.values else ""


@dataclass(frozen=True)
class HistoryRow:
    when: str
    what: str
    who: str
    details: str
    reason: str


OBJECT_LABELS = {
    "unit": _("Tổ chức"),
    "member": _("Hồ sơ"),
    "memberevent": _("Sự kiện"),
    "user": _("Tài khoản"),
}
ACTION_LABELS = {
    "create": _("ghi mới"),
    "update": _("sửa"),
    "void": _("hủy"),
    "correct": _("sửa (thay thế)"),
    **{value: label.lower() for value, label in ChangeAction.choices},
    # the modules' own actions (an unlabelled action would show its key to a clerk)
    "demo": _("tạo dữ liệu minh họa"),
    "demo_inspection": _("tạo dữ liệu minh họa"),
    "bulk_load": _("nạp hàng loạt"),
    "import": _("nhập từ Excel"),
    "export": _("xuất dữ liệu"),
    "download": _("tải tệp"),
    "view": _("xem"),
    "approve": _("duyệt"),
    "send_back": _("trả lại"),
    "restore": _("khôi phục"),
    "remove": _("gỡ bỏ"),
    "open": _("mở"),
    "end": _("kết thúc"),
    "decide": _("quyết định"),
    "conclude": _("kết luận"),
    "attendance": _("điểm danh"),
    "apply": _("áp dụng"),
    "record_applied": _("ghi nhận đã áp dụng"),
    "add_change": _("thêm thay đổi"),
    "void_change": _("hủy thay đổi"),
    "change_arrangement": _("đổi bố trí chi bộ"),
    "password": _("đổi mật khẩu"),
    "login": _("đăng nhập"),
    "logout": _("đăng xuất"),
    "login_failed": _("đăng nhập sai"),
    "totp_enabled": _("bật xác thực hai bước"),
    "totp_disabled": _("tắt xác thực hai bước"),
}
# Keys that records of several modules carry (counts of a demo step, an export's parameters).
COMMON_FIELD_LABELS = {
    "appeals": _("khiếu nại"),
    "cases": _("cuộc kiểm tra, giám sát"),
    "decisions": _("quyết định kỷ luật"),
    "programmes": _("chương trình"),
    "programme_items": _("nội dung chương trình"),
    "suspensions": _("đình chỉ sinh hoạt đảng"),
    "meetings": _("buổi sinh hoạt"),
    "documents": _("văn bản"),
    "export": _("xuất"),
    "format": _("định dạng"),
    "since": _("từ ngày"),
    "at": _("đến ngày"),
    "rows": _("số dòng"),
}


_MODELS_FOR = {
    "unit": (UnitChange, UnitVersion),
    "member": (Member,),
    "memberevent": (MemberEvent,),
}


def _labels(object_type: str) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The field and choice labels of an object type in the active language, built once per
    process and language: rebuilt per history row (every verbose name and choice translated
    again) they cost an organization page's 40 rows ≈ 8,5 ms of CPU, now ≈ 1,8 ms."""
    key = (object_type, translation.get_language())
    if key not in _LABELS:
        _LABELS[key] = (_field_labels(object_type), _choice_labels(object_type))
    return _LABELS[key]


_LABELS: dict[tuple[str, str | None], tuple[dict, dict]] = {}


def _field_labels(object_type: str) -> dict[str, str]:
    labels = {key: str(label) for key, label in COMMON_FIELD_LABELS.items()}
    for model in _MODELS_FOR.get(object_type, ()):
        for f in model._meta.get_fields():
            if hasattr(f, "verbose_name"):
                labels[f.name] = str(f.verbose_name)
    labels.update(
        parent=str(_("trực thuộc")),
        merged_into=str(_("sáp nhập vào")),
        split_into=str(_("chia thành")),
    )
    return labels


def _choice_labels(object_type: str) -> dict[str, dict[str, str]]:
    """Stored choice values ("district", "transfer") shown with their labels."""
    out: dict[str, dict[str, str]] = {}
    for model in _MODELS_FOR.get(object_type, ()):
        for f in model._meta.concrete_fields:
            if f.choices:
                out[f.name] = {str(value): str(label) for value, label in f.choices}
    return out


def _plain(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return vdate(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


CODE_FIELDS = ("parent", "merged_into", "split_into")


def _mask(value, unit_codes: dict[str, str]):
    visible = set(unit_codes.values())
    if isinstance(value, list):
        return [v if v in visible else "…" for v in value]
    return value if not value or value in visible else "…"


def audit_codes(records: list[AuditRecord]) -> set[str]:
    codes = set()
    for r in records:
        for field in CODE_FIELDS:
            for value in r.changes.get(field, []):
                codes.update(value if isinstance(value, list) else [value] if value else [])
    return codes


def _changes_text(object_type: str, changes: dict, unit_codes: dict[str, str]) -> str:
    labels, choices = _labels(object_type)
    parts = []
    for field, (old, new) in sorted(changes.items()):
        if field == "unit":  # stored as an id: show the code, or nothing outside the scope
            old = unit_codes.get(str(old), "…") if old else ""
            new = unit_codes.get(str(new), "…") if new else ""
        elif field in CODE_FIELDS:  # stored as codes
            old, new = _mask(old, unit_codes), _mask(new, unit_codes)
        named = choices.get(field, {})
        before, after = named.get(str(old), _plain(old)), named.get(str(new), _plain(new))
        if not before and not after:
            continue
        label = labels.get(field, field)
        parts.append(f"{label}: {before} → {after}" if before else f"{label}: {after}")
    return "; ".join(parts)


def audit_rows(
    records: list[AuditRecord], unit_codes: dict[str, str] | None = None
) -> list[HistoryRow]:
    unit_codes = unit_codes or {}
    return [
        HistoryRow(
            vdate(r.at),
            f"{OBJECT_LABELS.get(r.object_type, r.object_type)}: {ACTION_LABELS.get(r.action, r.action)}",
            f"{r.actor_name} ({r.get_source_display()})",
            _changes_text(r.object_type, r.changes, unit_codes),
            r.reason,
        )
        for r in records
    ]


def audit_unit_ids(records: list[AuditRecord]) -> set[int]:
    ids = set()
    for r in records:
        for value in r.changes.get("unit", []):
            if value and str(value).isdigit():
                ids.add(int(value))
    return ids


def decision_text(number: str, date: dt.date | None, body: str) -> str:
    parts = [number, vdate(date) if date else "", body]
    return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class ChangeRow:
    date: str
    action: str
    decision: str
    related: str
    note: str


def change_rows(changes: list[UnitChange], visible_codes: set[str]) -> list[ChangeRow]:
    """`visible_codes`: codes of units the viewer may see; other related units are masked."""
    return [
        ChangeRow(
            vdate(c.date),
            c.get_action_display(),
            decision_text(c.decision_number, c.decision_date, c.issuing_body),
            ", ".join(u.code if u.code in visible_codes else "…" for u in c.related_units.all()),
            c.note,
        )
        for c in changes
    ]


@dataclass(frozen=True)
class TimelineRow:
    pk: int
    date: str
    kind: str
    unit: str
    unit_code: str
    decision: str
    details: str
    voided: bool
    void_reason: str
    corrected_by: str


def timeline_rows(
    events: list[MemberEvent], unit_names: dict[int, tuple[str, str]]
) -> list[TimelineRow]:
    """`unit_names` maps the ids of units the viewer may see to (code, name); others are masked."""
    rows = []
    for e in events:
        code, name = unit_names.get(e.unit_id, ("", str(_("(ngoài phạm vi)")) if e.unit_id else ""))
        details = [e.get_discipline_form_display() if e.discipline_form else "", e.place, e.note]
        corrected = ""
        if e.corrected_by_id:
            fix = e.corrected_by
            corrected = f"{fix.get_kind_display()} {vdate(fix.date)}"
        rows.append(
            TimelineRow(
                e.pk,
                vdate(e.date),
                e.get_kind_display(),
                name,
                code,
                decision_text(e.decision_number, e.decision_date, e.issuing_body),
                " · ".join(p for p in details if p),
                e.voided_at is not None,
                e.void_reason,
                corrected,
            )
        )
    return rows


def unit_label(unit: Unit, name: str) -> str:
    return f"{name} ({unit.code})"


@dataclass(frozen=True)
class SearchRow:
    pk: int
    name: str
    birth_date: str
    profile_number: str
    hometown: str
    cell: str
    status: str
    url: str  # built here, not by a {% url %} per row (docs/performance.md "Session 10")


def search_rows(members, places: dict[int, tuple[str, str]]) -> list[SearchRow]:
    """Search results with what tells namesakes apart: birth date, home town, today's cell and
    status (`places`, already limited to the user's scope)."""
    return [
        SearchRow(
            m.pk,
            m.full_name,
            vdate(m.birth_date),
            m.profile_number,
            m.hometown,
            *places.get(m.pk, ("–", "–")),
            reverse("web:member", args=[m.pk]),
        )
        for m in members
    ]
