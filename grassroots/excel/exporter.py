"""Exports: lists and figures as of a date (xlsx or CSV), and a whole subtree in the import format.

Each export is a small function that yields rows (style.md habit 8); `workbooks` renders them.
Access goes through accounts/access.py only; every export leaves an audit record.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from grassroots.accounts import access
from grassroots.audit import queries as audit_queries
from grassroots.audit.services import Actor, record
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.core.text import vietnamese
from grassroots.figures.queries import figures, ledger_by_unit, members_at_query
from grassroots.members.models import EventKind, Member, MemberEvent, MemberStint, Status
from grassroots.members.services import PROFILE_FIELDS
from grassroots.members.sheets import CONFIRM, DISCIPLINE, EVENT_KINDS, EVENTS, GENDERS, MEMBERS
from grassroots.organizations.models import (
    ChangeAction,
    Unit,
    UnitAncestry,
    UnitChange,
    UnitVersion,
)
from grassroots.organizations.queries import display_version, unit_rows
from grassroots.organizations.sheets import ACTIONS, CHANGES, KINDS, ORGANIZATIONS, TYPES
from grassroots.territory.models import Population, VillageVersion
from grassroots.territory.sheets import ARRANGEMENTS, POPULATION, VILLAGE_KINDS, VILLAGES

from . import schema
from .workbooks import SheetData

IN_CHUNK = 900


def _titles(what: str, at: dt.date | None, actor: Actor) -> list[str]:
    now = timezone.localtime()
    lines = [what]
    if at is not None:
        lines.append(f"Tính đến ngày {vn(at)}")
    lines.append(f"Xuất bởi {actor.name} lúc {now:%H:%M} ngày {now:%d/%m/%Y}")
    return lines


def _log(
    actor: Actor, unit: Unit, what: str, at: dt.date | None, fmt: str, rows: int | None = None
) -> None:
    changes = {"export": [None, what], "format": [None, fmt]}
    if at is not None:
        changes["at"] = [None, at.isoformat()]
    if rows is not None:
        changes["rows"] = [None, rows]
    record(actor, obj=unit, action="export", changes=changes, reason=f"Xuất {what}")


def organizations_export(
    user, unit: Unit, at: dt.date, actor: Actor, fmt: str = "xlsx"
) -> SheetData:
    """Organizations under `unit` on `at`, in tree order, limited to what the user may see."""
    visible = access.unit_ids_visible_on(user, at)
    allowed = None if visible is None else set(visible.values_list("descendant_id", flat=True))
    codes = (
        None
        if allowed is None
        else set(Unit.objects.filter(pk__in=allowed).values_list("code", flat=True))
    )
    rows = [r for r in unit_rows(at, unit) if codes is None or r.code in codes]
    # Members of each organization on `at` from the figures ledger (the number every page,
    # report and API shows), one statement for the whole list: not recounted here.
    ids = dict(Unit.objects.filter(code__in=[r.code for r in rows]).values_list("code", "pk"))
    counted = ledger_by_unit(list(ids.values()), at, ("members", "official", "probationary"))
    name = display_version(unit, at).name
    _log(actor, unit, "danh sách tổ chức", at, fmt, len(rows))
    return SheetData(
        "Tổ chức đảng",
        [
            "STT",
            "Mã tổ chức",
            "Tên tổ chức",
            "Cấp tổ chức",
            "Loại hình",
            "Mã tổ chức cấp trên",
            "Cấp trong cây",
            "Số đảng viên",
            "Chính thức",
            "Dự bị",
        ],
        [
            [
                i,
                r.code,
                ("    " * r.depth) + r.name,
                KINDS.label(r.kind),
                TYPES.label(r.type) if r.type else "",
                r.parent or "",
                r.depth,
                counted[ids[r.code]]["members"],
                counted[ids[r.code]]["official"],
                counted[ids[r.code]]["probationary"],
            ]
            for i, r in enumerate(rows, start=1)
        ],
        titles=_titles(f"Danh sách tổ chức đảng thuộc {name} ({unit.code})", at, actor),
        widths=[6, 14, 50, 30, 28, 16, 10, 12, 12, 10],
    )


def _profiles_as_seen(user, profiles: dict, member_ids: list, periods: dict | None = None) -> None:
    """A member whose view by `user` ended leaves the system with the profile of the last day
    seen, not with later changes (issue 20 §9; the member page does the same)."""
    if access.sees_everything(user) or not member_ids:
        return
    if periods is None:
        periods = access.member_periods_visible_many(user, member_ids)
    moments = {
        pk: timezone.make_aware(dt.datetime.combine(spans[-1][1], dt.time.min))
        for pk, spans in periods.items()
        if pk in profiles and spans and spans[-1][1] is not None
    }
    audit_queries.values_as_of_many("member", profiles, moments)


def members_export(
    user, unit: Unit, at: dt.date, actor: Actor, fmt: str = "xlsx", progress=None
) -> SheetData:
    """Members counted under `unit` on `at` (only inside the user's scope).

    `progress(done, total, phase)`, if given, hears of each chunk read (the background export's
    progress bar: a province is ~60,000 members, half a minute)."""
    step = progress or (lambda done, total, phase: None)
    step(0, 1, "Đang đọc danh sách đảng viên")
    stints = members_at_query(unit, at)
    visible = access.unit_ids_visible_on(user, at)
    if visible is not None:
        stints = stints.filter(unit_id__in=visible)
    stints = stints.select_related("member", "unit").order_by(
        "unit__code", vietnamese("member__full_name"), "member_id"
    )
    admissions = {}
    cell_names = {}
    rows = []
    data = list(stints)
    member_ids = [s.member_id for s in data]
    chunks = 2 * ((len(member_ids) + IN_CHUNK - 1) // IN_CHUNK) + 1
    step(1, chunks, "Đang đọc ngày vào Đảng")
    for i in range(0, len(member_ids), IN_CHUNK):
        step(1 + i // IN_CHUNK, chunks, "Đang đọc ngày vào Đảng")
        for member_id, day in MemberEvent.objects.filter(
            member_id__in=member_ids[i : i + IN_CHUNK],
            kind=EventKind.ADMISSION,
            voided_at__isnull=True,
        ).values_list("member_id", "date"):
            admissions[member_id] = day
    unit_ids = {s.unit_id for s in data}
    for v in UnitVersion.objects.filter(unit_id__in=unit_ids, valid_from__lte=at).order_by(
        "valid_from"
    ):
        cell_names[v.unit_id] = v.name
    profiles = {s.member_id: {f: getattr(s.member, f) for f in PROFILE_FIELDS} for s in data}
    for i in range(0, len(member_ids), IN_CHUNK):
        step(chunks // 2 + 1 + i // IN_CHUNK, chunks, "Đang đọc hồ sơ")
        _profiles_as_seen(user, profiles, member_ids[i : i + IN_CHUNK])
    genders = dict(Member._meta.get_field("gender").flatchoices)
    for n, s in enumerate(data, start=1):
        m = profiles[s.member_id]
        rows.append(
            [
                n,
                m["profile_number"],
                m["full_name"],
                str(genders.get(m["gender"], m["gender"])),
                m["birth_date"],
                s.unit.code,
                cell_names.get(s.unit_id, ""),
                "Chính thức" if s.status == Status.OFFICIAL else "Dự bị",
                "Có" if s.exempt else "",
                admissions.get(s.member_id),
                m["card_number"],
                m["ethnicity"],
            ]
        )
    name = display_version(unit, at).name
    _log(actor, unit, "danh sách đảng viên", at, fmt, len(rows))
    return SheetData(
        "Đảng viên",
        [
            "STT",
            "Số lý lịch",
            "Họ và tên",
            "Giới tính",
            "Ngày sinh",
            "Mã chi bộ",
            "Chi bộ",
            "Đảng viên",
            "Miễn sinh hoạt",
            "Ngày vào Đảng",
            "Số thẻ đảng viên",
            "Dân tộc",
        ],
        rows,
        titles=_titles(f"Danh sách đảng viên thuộc {name} ({unit.code})", at, actor),
        widths=[6, 14, 28, 9, 12, 14, 36, 11, 9, 13, 14, 10],
    )


FIGURE_LABELS = [
    ("grassroots_organizations", "Tổ chức cơ sở đảng"),
    ("grassroots_committees", "  trong đó: đảng bộ cơ sở"),
    ("grassroots_cells", "  trong đó: chi bộ cơ sở"),
    ("subordinate_organizations", "Tổ chức trực thuộc đảng ủy cơ sở"),
    ("partial_committees", "  trong đó: đảng bộ bộ phận"),
    ("subordinate_cells", "  trong đó: chi bộ trực thuộc"),
    ("members", "Đảng viên"),
    ("official_members", "  chính thức"),
    ("probationary_members", "  dự bị"),
    ("exempt_members", "  được miễn công tác và sinh hoạt"),
    ("population", "Dân số"),
    ("members_pct_population", "Đảng viên trên dân số (%)"),
    ("villages", "Thôn, bản, tổ dân phố"),
    ("villages_own_cell", "  có chi bộ độc lập"),
    ("villages_joint_cell", "  sinh hoạt ghép"),
    ("villages_no_cell", "  chưa có chi bộ"),
]
SINCE_LABELS = [
    ("members", "Đảng viên đầu kỳ"),
    ("admitted", "Kết nạp"),
    ("readmitted", "Kết nạp lại"),
    ("recognized", "Công nhận chính thức"),
    ("transferred_in", "Chuyển đến"),
    ("transferred_out", "Chuyển đi"),
    ("restructured_in", "Chuyển đến theo sắp xếp tổ chức"),
    ("restructured_out", "Chuyển đi theo sắp xếp tổ chức"),
    ("died", "Từ trần"),
    ("expelled", "Khai trừ"),
    ("removed", "Xóa tên"),
    ("left", "Ra khỏi Đảng"),
    ("net_change", "Tăng/giảm"),
]


def figures_export(
    user, unit: Unit, at: dt.date, actor: Actor, since: dt.date | None = None, fmt: str = "xlsx"
) -> SheetData:
    # Figures of a day outside the user's view of the unit are not theirs (issue 20 §9): the
    # export is of the nearest day they saw, like the organization page.
    at = access.nearest_visible_day(user, unit, at)
    if since is not None:
        since = access.nearest_visible_day(user, unit, since)
        since = since if since <= at else None
    result = figures(unit, at, since)
    rows: list[list] = [[label, getattr(result, name)] for name, label in FIGURE_LABELS]
    if result.since is not None:
        rows.append([f"Biến động từ {vn(since)} đến {vn(at)}", None])
        rows += [[label, getattr(result.since, name)] for name, label in SINCE_LABELS]
    _log(actor, unit, "số liệu tổng hợp", at, fmt)
    return SheetData(
        "Số liệu",
        ["Chỉ tiêu", "Số lượng"],
        rows,
        titles=_titles(
            f"Số liệu tổ chức đảng và đảng viên: {result.unit['name']} ({unit.code})", at, actor
        ),
        widths=[44, 14],
        percent_columns=set(),
    )


# ---- the import format -----------------------------------------------------------------


def _subtree_ever(unit: Unit) -> set[int]:
    return set(
        UnitAncestry.objects.filter(ancestor=unit).values_list("descendant_id", flat=True)
    ) | {unit.pk}


def _decisions(unit_ids) -> dict[tuple[int, str, dt.date], UnitChange]:
    out = {}
    ids = list(unit_ids)
    for i in range(0, len(ids), IN_CHUNK):
        for change in UnitChange.objects.filter(unit_id__in=ids[i : i + IN_CHUNK]):
            out.setdefault((change.unit_id, change.action, change.date), change)
    return out


def import_format_export(user, unit: Unit, actor: Actor) -> list[SheetData]:
    """Everything under `unit` (at any time) as the six sheets of the import format, so that
    importing the result into an empty database rebuilds the same registry and figures."""
    ids = _subtree_ever(unit)
    if not access.sees_everything(user):
        ids &= set(access.units_ever_visible(user).values_list("pk", flat=True))
    codes = dict(Unit.objects.values_list("pk", "code"))
    # Only the part of each unit's life inside the user's view leaves the system: no later (or
    # earlier) parents, names, decisions or villages, and no code of a unit the user never saw
    # (issue 20 §9). `unit_periods` is None for superusers: everything.
    unit_periods = access.unit_periods_visible_many(user, ids)
    if unit_periods is not None:
        codes = {pk: code for pk, code in codes.items() if pk in ids}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    versions: dict[int, list[UnitVersion]] = defaultdict(list)
    for v in UnitVersion.objects.filter(unit_id__in=ids).order_by("unit_id", "valid_from"):
        seen = None if unit_periods is None else unit_periods.get(v.unit_id, [])
        if access.overlaps_periods(v.valid_from, v.valid_to, seen):
            versions[v.unit_id].append(v)
    decisions = _decisions(ids)

    def decision(unit_id, action, day):
        change = decisions.get((unit_id, action, day))
        if change is None:
            return ["", None, ""]
        return [change.decision_number, change.decision_date, change.issuing_body]

    org_rows, change_rows = [], []
    for pk in sorted(ids, key=lambda pk: (units[pk].established, codes[pk])):
        u, vs = units[pk], versions[pk]
        if not vs:
            continue
        first = vs[0]
        org_rows.append(
            [
                u.code,
                first.name,
                KINDS.label(first.kind),
                TYPES.label(first.grassroots_type) if first.grassroots_type else "",
                codes.get(first.parent_id, ""),
                u.established,
                *decision(pk, ChangeAction.ESTABLISH, u.established),
            ]
        )
        for before, after in zip(vs, vs[1:], strict=False):
            day = after.valid_from
            if after.parent_id != before.parent_id:
                action = ChangeAction.MOVE
            elif after.kind != before.kind or after.grassroots_type != before.grassroots_type:
                action = ChangeAction.CHANGE_KIND
            elif after.name != before.name:
                action = ChangeAction.RENAME
            else:
                continue  # a version boundary where nothing the import format carries changed
            change_rows.append(
                [
                    u.code,
                    ACTIONS.label(action),
                    day,
                    after.name if after.name != before.name else "",
                    KINDS.label(after.kind) if after.kind != before.kind else "",
                    TYPES.label(after.grassroots_type)
                    if after.grassroots_type != before.grassroots_type
                    else "",
                    codes.get(after.parent_id, "") if after.parent_id != before.parent_id else "",
                    "",
                    *decision(pk, action, day),
                    "",
                ]
            )
        if u.ended and access.in_periods(
            u.ended, None if unit_periods is None else unit_periods.get(pk)
        ):
            action, target, ref = ChangeAction.DISSOLVE, "", ["", None, ""]
            for candidate in (ChangeAction.MERGE, ChangeAction.SPLIT, ChangeAction.DISSOLVE):
                change = decisions.get((pk, candidate, u.ended))
                if change is not None:
                    action, ref = (
                        candidate,
                        [change.decision_number, change.decision_date, change.issuing_body],
                    )
                    if candidate == ChangeAction.MERGE:
                        target = (change.details or {}).get("merged_into") or next(
                            (x.code for x in change.related_units.all()), ""
                        )
                        if unit_periods is not None and target not in codes.values():
                            target = ""  # a destination the user never saw
                    break
            if action == ChangeAction.MERGE and not target:
                action = ChangeAction.DISSOLVE
            row = [u.code, ACTIONS.label(action), u.ended, "", "", "", "", target, *ref, ""]
            if action == ChangeAction.SPLIT:
                # The parts, so that the row can be played again as a plan (plans/workbook.py);
                # only parts the user saw, like a merger's target.
                parts = (change.details or {}).get("split_into") or sorted(
                    x.code for x in change.related_units.all()
                )
                if unit_periods is not None:
                    parts = [p for p in parts if p in codes.values()]
                row += ["", "", "; ".join(parts)]
            change_rows.append(row)
    change_rows.sort(key=lambda r: (r[2], r[0]))

    member_ids = set(
        MemberStint.objects.filter(unit_id__in=ids).values_list("member_id", flat=True)
    )
    if not access.sees_everything(user):
        member_ids &= set(access.members_visible(user).values_list("pk", flat=True))
    member_ids = sorted(member_ids)
    member_rows, event_rows = [], []
    gender = dict(GENDERS.choices)
    for i in range(0, len(member_ids), IN_CHUNK):
        chunk = member_ids[i : i + IN_CHUNK]
        events = defaultdict(list)
        for e in MemberEvent.objects.filter(member_id__in=chunk, voided_at__isnull=True).order_by(
            "date", "id"
        ):
            events[e.member_id].append(e)
        # Only the part of each history that lay inside the user's scope leaves the system.
        periods = access.member_periods_visible_many(user, chunk)
        profiles = {
            m["pk"]: m
            for m in Member.objects.filter(pk__in=chunk)
            .order_by("pk")
            .values("pk", *PROFILE_FIELDS)
        }
        _profiles_as_seen(user, profiles, chunk, periods)
        for m in profiles.values():
            evs = events[m["pk"]]
            admission = next((e for e in evs if e.kind == EventKind.ADMISSION), None)
            if admission is None:
                continue
            member_rows.append(
                [
                    m["profile_number"],
                    m["full_name"],
                    gender.get(m["gender"], m["gender"]),
                    m["birth_date"],
                    m["ethnicity"],
                    m["religion"],
                    m["hometown"],
                    m["residence"],
                    m["education"],
                    m["expertise"],
                    m["theory_level"],
                    m["occupation"],
                    m["citizen_id"],
                    m["card_number"],
                    codes.get(admission.unit_id, ""),
                    admission.date,
                    admission.decision_date,
                    admission.decision_number,
                    admission.issuing_body,
                ]
            )
            # The history before the member's first stint anywhere lay outside the system (admitted
            # and recognized elsewhere, then transferred in): it travels with the admission row,
            # otherwise the import sees an official member as probationary.
            arrived = next((e.date for e in evs if e.kind == EventKind.TRANSFER_IN), None)
            for e in evs:
                if e.kind == EventKind.ADMISSION:
                    continue
                outside = arrived is not None and e.date < arrived and e.unit_id is None
                if not outside and not access.event_in_periods(e.date, periods.get(m["pk"], [])):
                    continue
                event_rows.append(
                    [
                        m["profile_number"],
                        EVENT_KINDS.label(e.kind),
                        e.date,
                        codes.get(e.unit_id, ""),
                        e.decision_number,
                        e.decision_date,
                        e.issuing_body,
                        DISCIPLINE.label(e.discipline_form) if e.discipline_form else "",
                        e.place,
                        e.note,
                        # a decision recorded ahead of its day travels with its confirmation
                        CONFIRM.label("yes") if e.date > limits.future_horizon() else "",
                    ]
                )
    village_rows = []
    for vv in (
        VillageVersion.objects.filter(unit_id__in=ids)
        .select_related("village")
        .order_by("village__code", "valid_from")
    ):
        seen = None if unit_periods is None else unit_periods.get(vv.unit_id, [])
        if not access.overlaps_periods(vv.valid_from, vv.valid_to, seen):
            continue
        village_rows.append(
            [
                vv.village.code,
                vv.village.name,
                VILLAGE_KINDS.label(vv.village.kind),
                codes[vv.unit_id],
                ARRANGEMENTS.label(vv.arrangement),
                codes.get(vv.cell_id, ""),
                vv.valid_from,
                vv.valid_to,
            ]
        )
    population_rows = [
        [codes[u], year, value]
        for u, year, value in Population.objects.filter(unit_id__in=ids)
        .order_by("unit__code", "year")
        .values_list("unit_id", "year", "population")
        if access.overlaps_periods(
            dt.date(year, 1, 1),
            dt.date(year + 1, 1, 1),
            None if unit_periods is None else unit_periods.get(u, []),
        )
    ]
    _log(actor, unit, "dữ liệu theo mẫu nhập", None, "xlsx", len(member_rows))

    def sheet(spec: schema.Sheet, rows):
        return SheetData(
            spec.name,
            [c.header for c in spec.columns],
            rows,
            widths=[c.width for c in spec.columns],
        )

    return [
        sheet(ORGANIZATIONS, org_rows),
        sheet(CHANGES, change_rows),
        sheet(MEMBERS, member_rows),
        sheet(EVENTS, event_rows),
        sheet(VILLAGES, village_rows),
        sheet(POPULATION, population_rows),
    ]
