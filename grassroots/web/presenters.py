"""Turn query results into rows a template can print as they are (no logic in templates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grassroots.audit.models import AuditRecord
from grassroots.figures.queries import Figures
from grassroots.members.models import MemberEvent
from grassroots.organizations.models import GrassrootsType, Kind, Unit, UnitChange

from .templatetags.vn import vdate, vnum, vpct, vsigned

STOCK_ROWS = [
    ("grassroots_organizations", _("Tổ chức cơ sở đảng")),
    ("grassroots_committees", _("— Đảng bộ cơ sở")),
    ("grassroots_cells", _("— Chi bộ cơ sở")),
    ("subordinate_organizations", _("Tổ chức đảng trực thuộc đảng ủy cơ sở")),
    ("members", _("Đảng viên")),
    ("official_members", _("— Chính thức")),
    ("probationary_members", _("— Dự bị")),
    ("exempt_members", _("— Được miễn sinh hoạt")),
    ("population", _("Dân số")),
    ("villages", _("Thôn, bản, tổ dân phố")),
    ("villages_own_cell", _("— Có chi bộ độc lập")),
    ("villages_joint_cell", _("— Sinh hoạt ghép")),
    ("villages_no_cell", _("— Chưa có chi bộ")),
]
# The stocks the ledger can give for the earlier date as well.
COMPARED = ("members", "grassroots_organizations", "subordinate_organizations")
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


def figure_rows(fig: Figures) -> list[FigureRow]:
    rows = []
    for name, label in STOCK_ROWS:
        now = getattr(fig, name)
        then = change = ""
        if fig.since is not None and name in COMPARED:
            earlier = getattr(fig.since, name)
            then, change = vnum(earlier), vsigned(now - earlier)
        rows.append(FigureRow(str(label).lstrip("— "), then, vnum(now), change, str(label).startswith("—")))
        if name == "population":
            rows.append(FigureRow(str(_("Đảng viên / dân số")), "", vpct(fig.members_pct_population), "", True))
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


def _changes_text(changes: dict) -> str:
    parts = []
    for field, (old, new) in sorted(changes.items()):
        parts.append(f"{field}: {'' if old is None else old} → {'' if new is None else new}")
    return "; ".join(parts)


def audit_rows(records: list[AuditRecord]) -> list[HistoryRow]:
    return [
        HistoryRow(vdate(r.at), f"{r.object_type} · {r.action}", f"{r.actor_name} ({r.get_source_display()})",
                   _changes_text(r.changes), r.reason)
        for r in records
    ]


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


def change_rows(changes: list[UnitChange]) -> list[ChangeRow]:
    return [
        ChangeRow(
            vdate(c.date),
            c.get_action_display(),
            decision_text(c.decision_number, c.decision_date, c.issuing_body),
            ", ".join(u.code for u in c.related_units.all()),
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


def timeline_rows(events: list[MemberEvent], unit_names: dict[int, tuple[str, str]]) -> list[TimelineRow]:
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
            TimelineRow(e.pk, vdate(e.date), e.get_kind_display(), name, code,
                        decision_text(e.decision_number, e.decision_date, e.issuing_body),
                        " · ".join(p for p in details if p), e.voided_at is not None, e.void_reason, corrected)
        )
    return rows


def unit_label(unit: Unit, name: str) -> str:
    return f"{name} ({unit.code})"
