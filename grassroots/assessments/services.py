"""Every write of the annual assessment: open a round, self-assess, propose, decide, approve,
send back, record an organization's discipline, save a consolidation plan.

Each function is keyword-only, runs in a transaction, checks who may act (accounts/access.py:
outside the scope → 404, inside without the right role or authority → 403), enforces the
scheme's rules with Vietnamese messages (ValidationError), and writes the audit record.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, diff, record, snapshot, unsaved_record
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.members.models import Member
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from . import queries as q
from .models import (
    ConsolidationPlan,
    DisciplineTarget,
    Level,
    OrganizationDiscipline,
    OrganizationDisciplineForm,
    Rating,
    Round,
    RoundAction,
    Step,
    Subject,
)

MAX_ERRORS = 50
BIG_BATCH = 5000
FACT_KEYS = ("tasks_done_pct", "tasks_on_time_pct", "tasks_exceeding_pct", "tasks_late_pct")


# Who may act -------------------------------------------------------------------------------------


def _authorize(
    actor: Actor,
    *,
    role: str,
    subject_unit: Unit | int,
    authority: Unit | int | None,
    day: dt.date,
    authority_label: str = "",
) -> None:
    """404 when the subject is outside the user's scope; 403 without the role, or when the body
    that has the power to act (`authority`) is not inside the user's scope."""
    user = actor.user
    if user is None:  # system, demo, data migrations
        return
    subject = subject_unit if isinstance(subject_unit, Unit) else Unit.objects.get(pk=subject_unit)
    if not access.can_see_unit_on(user, subject, day):
        raise Http404("Không tìm thấy tổ chức.")
    access.require_role(user, role)
    if authority is None:
        if not access.sees_everything(user):
            raise PermissionDenied(
                f"Chỉ cấp trên của {subject.code} mới có thẩm quyền thực hiện thao tác này."
            )
        return
    authority_unit = authority if isinstance(authority, Unit) else Unit.objects.get(pk=authority)
    if not access.can_see_unit_on(user, authority_unit, day):
        raise PermissionDenied(
            f"Thao tác này thuộc thẩm quyền của {authority_label or 'cấp ủy'} {authority_unit.code}, "
            "ngoài phạm vi tài khoản."
        )


def _parent_on(unit_id: int, day: dt.date) -> int | None:
    version = UnitVersion.objects.filter(on(day), unit_id=unit_id).first()
    return version.parent_id if version else None


# Rounds ------------------------------------------------------------------------------------------


@transaction.atomic
def round_open(*, actor: Actor, unit: Unit, year: int, note: str = "") -> Round:
    """Open the rating round of `year` for the subtree of `unit`, under the scheme governing it."""
    day = q.year_end(year)
    _authorize(actor, role=Role.APPROVER, subject_unit=unit, authority=unit, day=day)
    scheme = q.scheme_for_year(year)
    if scheme is None:
        raise ValidationError({"year": [f"Chưa có quy định xếp loại cho năm {year}."]})
    if not UnitVersion.objects.filter(on(day), unit=unit).exists():
        raise ValidationError({"unit": [f"{unit.code} không tồn tại vào ngày {vn(day)}."]})
    related = (
        UnitAncestry.objects.filter(on(day), descendant=unit)
        .values("ancestor_id")
        .union(UnitAncestry.objects.filter(on(day), ancestor=unit).values("descendant_id"))
    )
    overlap = Round.objects.filter(
        year=year, unit_id__in=[r["ancestor_id"] for r in related]
    ).first()
    if overlap:
        raise ValidationError(
            f"Đã có đợt đánh giá năm {year} của {overlap.unit.code} bao gồm tổ chức này."
        )
    rnd = Round.objects.create(
        year=year, unit=unit, scheme=scheme, opened_by=actor.user, note=clean(note)
    )
    record(
        actor,
        obj=rnd,
        action="open",
        changes={"year": [None, year], "unit": [None, unit.code], "scheme": [None, scheme.code]},
    )
    return rnd


# Ratings -----------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One rating to write: a member or an organization, a level code, the score and facts."""

    level: str
    member: Member | int | None = None
    unit: Unit | int | None = None
    score: Any = None
    facts: dict = field(default_factory=dict)
    note: str = ""
    row: int | None = None  # spreadsheet row, for messages

    @property
    def subject(self) -> str:
        return Subject.MEMBER if self.member is not None else Subject.ORGANIZATION

    @property
    def member_id(self) -> int | None:
        return self.member.pk if isinstance(self.member, Member) else self.member

    @property
    def unit_id(self) -> int | None:
        return self.unit.pk if isinstance(self.unit, Unit) else self.unit


class _Context:
    """Everything the rules need about one round, loaded once per call."""

    def __init__(
        self,
        rnd: Round,
        entries: list[Entry],
        *,
        orgs: dict[int, UnitVersion] | None = None,
        members: dict[int, q.MemberPlace] | None = None,
    ) -> None:
        self.round = rnd
        self.year = rnd.year
        self.day = q.year_end(rnd.year)
        self.scheme = rnd.scheme
        self.rules = q.Rules.of(rnd.scheme)
        self.levels: dict[tuple[str, str], Level] = {
            (lv.subject, lv.code): lv for lv in rnd.scheme.levels.all()
        }
        self.lowest = {
            s: max(lv.order for (subj, _), lv in self.levels.items() if subj == s)
            for s in Subject.values
        }
        member_ids = [e.member_id for e in entries if e.member_id is not None]
        org_ids = [e.unit_id for e in entries if e.member_id is None]
        # Big batches (the demo history) load the whole subtree instead of a huge IN list.
        few = member_ids if len(member_ids) <= BIG_BATCH else None
        # `orgs` / `members`: the same reads for the round's unit and year, already made by the
        # caller (the demo history loads them once per year instead of once per call).
        if not member_ids:
            self.members = {}
        elif members is not None:
            self.members = members
        else:
            self.members = q.members_at_year_end(rnd.unit, rnd.year, self.rules, few)
        if not org_ids:
            self.orgs = {}
        else:
            self.orgs = orgs if orgs is not None else q.organizations_due(rnd.unit, rnd.year)
        self.grassroots_of_org = q.grassroots_of(org_ids, self.day) if org_ids else {}
        self.disciplined_members = q.disciplined_members(few, rnd.year) if member_ids else set()
        self.children = q.children_due(org_ids, rnd.year) if org_ids else {}
        related = set(org_ids) | {c for cs in self.children.values() for c in cs}
        self.disciplined_units = q.disciplined_units(related, rnd.year) if related else {}
        subject_units = set(org_ids) | {p.cell_id for p in self.members.values()}
        self.locked = q.locked_by(rnd, subject_units)
        # Names only of members rated in this round (inside its unit): a message about any other
        # id must not reveal whose it is (issue 20 §8).
        self.names = (
            dict(
                Member.objects.filter(
                    pk__in=[m for m in member_ids if m in self.members]
                ).values_list("pk", "full_name")
            )
            if few
            else {}
        )
        coded = set(org_ids) | subject_units | set(self.locked.values())
        self.codes = dict(Unit.objects.filter(pk__in=coded).values_list("pk", "code"))

    def label(self, entry: Entry) -> str:
        if entry.row is not None:
            return f"Dòng {entry.row}"
        if entry.member_id is not None:
            return f"Đảng viên {self.names.get(entry.member_id, entry.member_id)}"
        return f"Tổ chức {self.codes.get(entry.unit_id, entry.unit_id)}"


def _score(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationError("Điểm phải là một số từ 0 đến 100.") from exc
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError("Điểm phải là một số từ 0 đến 100.")
    return score


def _fact(facts: dict, key: str) -> Decimal | None:
    value = facts.get(key)
    if value is None or value == "":
        return None
    return Decimal(str(value).replace(",", "."))


_FACT_LABELS = {
    "tasks_done_pct": "tỷ lệ nhiệm vụ hoàn thành",
    "tasks_on_time_pct": "tỷ lệ nhiệm vụ hoàn thành đúng hạn",
    "tasks_exceeding_pct": "tỷ lệ nhiệm vụ vượt yêu cầu",
    "tasks_late_pct": "tỷ lệ nhiệm vụ chậm tiến độ",
}


def _check_entry(
    ctx: _Context, step: str, entry: Entry, level: Level, score: Decimal | None
) -> list[str]:
    """The scheme's rules for one subject (domain.md §3). Returns messages (empty = valid)."""
    errors: list[str] = []
    rules, subject = ctx.rules, entry.subject
    disciplined = False
    max_order = 1  # the best level still allowed by the rules (1 = top)
    if subject == Subject.MEMBER:
        if entry.member_id in ctx.disciplined_members and rules.get("disciplined_member_max_order"):
            # QĐ 132 (HD 21, 2019), QĐ 124: disciplined during the year → "không hoàn thành".
            disciplined = True
            cap = rules.get("disciplined_member_max_order")
            max_order = max(max_order, cap)
            if level.order < cap:
                errors.append(
                    f"Đảng viên bị kỷ luật trong năm {ctx.year} chỉ được xếp loại "
                    f"{ctx.levels[(subject, _code_of(ctx, subject, cap))].label}"
                    + rules.suffix("disciplined_member_max_order")
                    + "."
                )
    else:
        own = ctx.disciplined_units.get(entry.unit_id, set())
        cap = rules.get("disciplined_org_max_order")
        if own and cap:
            # QĐ 132: the collective was disciplined; QĐ 124: the leadership collective was.
            disciplined = True
            max_order = max(max_order, cap)
            if level.order < cap:
                who = "Tập thể lãnh đạo" if DisciplineTarget.LEADERSHIP in own else "Tổ chức"
                errors.append(
                    f"{who} bị kỷ luật trong năm {ctx.year}: chỉ được xếp loại "
                    f"{ctx.levels[(subject, _code_of(ctx, subject, cap))].label}"
                    + rules.suffix("disciplined_org_max_order")
                    + "."
                )
        children = ctx.children.get(entry.unit_id, [])
        hit = [c for c in children if ctx.disciplined_units.get(c)]
        pct = rules.get("disciplined_subordinates_pct")
        if pct is not None and children and 100 * len(hit) > pct * len(children):
            # QĐ 124: more than 20% of subordinate units disciplined during the year.
            disciplined = True
            max_order = max(max_order, ctx.lowest[subject])
            if level.order < ctx.lowest[subject]:
                errors.append(
                    f"{len(hit)}/{len(children)} tổ chức trực thuộc bị kỷ luật trong năm (trên {pct}%): "
                    f"chỉ được xếp loại {ctx.levels[(subject, _code_of(ctx, subject, ctx.lowest[subject]))].label}"
                    + rules.suffix("disciplined_subordinates_pct")
                    + "."
                )
        if (
            level.order == 1
            and rules.get("collective_excellent_requires_no_discipline")
            and (hit or own)
        ):
            # QĐ 366 Điều 11: no subordinate unit and no leadership member disciplined.
            errors.append(
                "Tập thể có tổ chức trực thuộc hoặc tập thể lãnh đạo bị kỷ luật trong năm: "
                "không được xếp loại Hoàn thành xuất sắc nhiệm vụ."
            )
    if ctx.scheme.has_score:
        errors += _check_score(ctx, step, entry, level, score, disciplined, max_order)
    return errors


def _code_of(ctx: _Context, subject: str, order: int) -> str:
    return next(code for (s, code), lv in ctx.levels.items() if s == subject and lv.order == order)


def _check_score(
    ctx: _Context,
    step: str,
    entry: Entry,
    level: Level,
    score: Decimal | None,
    disciplined: bool,
    max_order: int,
) -> list[str]:
    """QĐ 366 Điều 11: the score band and the extra conditions of each level."""
    errors: list[str] = []
    rules, subject, facts = ctx.rules, entry.subject, entry.facts or {}
    if score is None:
        if step != Step.PROPOSAL:
            errors.append(f"{ctx.scheme.name} chấm theo thang điểm 100: cần nhập điểm.")
        return errors
    bands = sorted(
        (lv for (s, _), lv in ctx.levels.items() if s == subject), key=lambda lv: lv.order
    )
    band = next(lv for lv in bands if lv.min_score is not None and score >= lv.min_score)
    if level.order < band.order:
        errors.append(
            f"{_num(score)} điểm chỉ đạt mức {band.label} (từ {_num(band.min_score)} điểm)."
        )
        return errors
    try:
        values = {k: _fact(facts, k) for k in FACT_KEYS}
    except InvalidOperation:
        return errors + ["Các tỷ lệ nhiệm vụ phải là số (phần trăm)."]

    def need(key: str) -> Decimal | None:
        if values[key] is None:
            errors.append(
                f"Mức {level.label} theo {ctx.scheme.name}: cần nhập {_FACT_LABELS[key]} (%)."
            )
        return values[key]

    collective = subject == Subject.ORGANIZATION
    if level.order == 1:
        on_time, exceeding = need("tasks_on_time_pct"), need("tasks_exceeding_pct")
        minimum = rules.get("excellent_min_exceeding_pct")
        if on_time is not None and on_time < 100:
            errors.append("Hoàn thành xuất sắc nhiệm vụ: 100% nhiệm vụ phải hoàn thành đúng hạn.")
        if exceeding is not None and minimum is not None and exceeding < minimum:
            errors.append(
                f"Hoàn thành xuất sắc nhiệm vụ: ít nhất {minimum}% nhiệm vụ phải vượt yêu cầu."
            )
    elif level.order == 2 and rules.get("good_requires_all_on_time"):
        on_time = need("tasks_on_time_pct")
        if on_time is not None and on_time < 100:
            errors.append("Hoàn thành tốt nhiệm vụ: 100% nhiệm vụ phải hoàn thành đúng hạn.")
    elif level.order == 3 and rules.get("completed_requires_all_tasks"):
        done = need("tasks_done_pct")
        if done is not None and done < 100:
            errors.append("Hoàn thành nhiệm vụ: 100% nhiệm vụ phải được hoàn thành.")
        late_max = rules.get("collective_completed_max_late_pct")
        if collective and late_max is not None:
            late = need("tasks_late_pct")
            if late is not None and late > late_max:
                errors.append(
                    f"Tập thể Hoàn thành nhiệm vụ: không quá {late_max}% nhiệm vụ chậm tiến độ."
                )
    if (
        level.order > band.order
        and not (disciplined or max_order > band.order)
        and not entry.note.strip()
    ):
        errors.append(
            f"{_num(score)} điểm tương ứng mức {band.label}; xếp loại thấp hơn cần ghi rõ lý do."
        )
    return errors


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def _check_cap(
    ctx: _Context, step: str, writes: list[tuple[Entry, Level, Any]], pending: dict
) -> list[str]:
    """QĐ 132 (HD 21, 2019): members rated excellent ≤ 20% of those rated good, within each
    grassroots organization, decided by the competent level. While decisions are still coming
    in, a batch is refused only when no completion could satisfy the cap (even if every member
    not yet decided were rated good); once every member is decided the cap is exact."""
    if ctx.rules.get("excellent_cap_pct") is None or step != Step.DECISION:
        return []
    groups = {gid for gid, _ in pending.values()} - {None}
    # A big batch already holds every member of the subtree; a small one asks per group.
    due = (
        {m: p for m, p in ctx.members.items() if not p.reason} if len(pending) > BIG_BATCH else None
    )
    return cap_errors(ctx.round, groups, ctx.rules, pending=pending, due=due)


def cap_errors(
    rnd: Round,
    groups,
    rules: q.Rules,
    *,
    pending: dict | None = None,
    due: dict | None = None,
    complete: bool = False,
) -> list[str]:
    """The cap for the grassroots organizations `groups` (ids). `pending`: member id →
    (grassroots id, level order) about to be written; `due`: the members to rate, if known."""
    pct = rules.get("excellent_cap_pct")
    if pct is None or not groups:
        return []
    groups = set(groups)
    decided: dict[int, dict[int, int]] = {g: {} for g in groups}
    rows = q.current().filter(round=rnd, subject=Subject.MEMBER)
    if len(groups) <= 50:
        rows = rows.filter(grassroots_id__in=groups)
    for member_id, gid, order in rows.values_list("member_id", "grassroots_id", "level__order"):
        if gid in decided:
            decided[gid][member_id] = order
    for member_id, (gid, order) in (pending or {}).items():
        if gid in decided:
            decided[gid][member_id] = order
    if due is None:
        due = {}
        for gid in groups:
            due.update(q.members_due(gid, rnd.year, rules))
    due_by_group: dict[int, set[int]] = {g: set() for g in groups}
    for member_id, place in due.items():
        if place.grassroots_id in due_by_group:
            due_by_group[place.grassroots_id].add(member_id)
    errors = []
    codes = dict(Unit.objects.filter(pk__in=groups).values_list("pk", "code")) if groups else {}
    for gid in sorted(groups):
        counts = Counter(decided[gid].values())
        undecided = 0 if complete else len(due_by_group[gid] - set(decided[gid]))
        excellent, good = counts.get(1, 0), counts.get(2, 0)
        if excellent * 100 <= pct * (good + undecided):
            continue
        limit = pct * (good + undecided) // 100
        errors.append(
            f"Tổ chức cơ sở {codes.get(gid, gid)}: {excellent} đảng viên Hoàn thành xuất sắc nhiệm vụ vượt quá "
            f"{pct}% số đảng viên Hoàn thành tốt nhiệm vụ ({good}"
            + (f", còn {undecided} chưa xếp loại" if undecided else "")
            + f"; tối đa {limit})"
            + rules.suffix("excellent_cap_pct")
            + "."
        )
    return errors


def _previous_lowest(member_ids: list[int], year: int) -> set[int]:
    """Members whose decided rating of the previous year was their scheme's lowest level."""
    rows = q.current().filter(year=year - 1, subject=Subject.MEMBER)
    if len(member_ids) <= BIG_BATCH:
        rows = rows.filter(member_id__in=member_ids)
    lowest = {
        scheme_id: order
        for scheme_id, order in Level.objects.filter(subject=Subject.MEMBER)
        .values("scheme_id")
        .annotate(order=Max("order"))
        .values_list("scheme_id", "order")
    }
    wanted = set(member_ids)
    return {
        member_id
        for member_id, scheme_id, order in rows.values_list(
            "member_id", "scheme_id", "level__order"
        )
        if member_id in wanted and order == lowest[scheme_id]
    }


_ROLE = {Step.SELF: Role.CLERK, Step.PROPOSAL: Role.CLERK, Step.DECISION: Role.APPROVER}
_STEP_AUDIT = {Step.SELF: "self_assess", Step.PROPOSAL: "propose", Step.DECISION: "decide"}


def _authority(ctx: _Context, step: str, entry: Entry) -> tuple[int | None, str]:
    """Which body acts at this step (domain.md §3.3–3.4):
    organization: self-assessment by itself, proposal and decision by the committee directly
    above (HD 43: its standing committee decides); member: self-assessment and proposal by the
    cell, decision by the grassroots committee (rule member_decider, [UNCONFIRMED])."""
    if entry.subject == Subject.ORGANIZATION:
        if step == Step.SELF:
            return entry.unit_id, "tổ chức"
        return ctx.orgs[entry.unit_id].parent_id, "cấp ủy cấp trên trực tiếp"
    place = ctx.members[entry.member_id]
    if step == Step.DECISION and ctx.rules.get("member_decider", "grassroots") == "grassroots":
        return place.grassroots_id, "đảng ủy cơ sở"
    return place.cell_id, "chi bộ"


@transaction.atomic
def assessment_record_many(
    *,
    actor: Actor,
    round: Round,
    step: str,
    entries: list[Entry],
    audit: str = "each",
    orgs: dict[int, UnitVersion] | None = None,
    members: dict[int, q.MemberPlace] | None = None,
) -> list[Rating]:
    """Write a batch of ratings of one step, all or nothing.

    `audit="each"` writes one audit record per rating (the UI, the Excel import);
    `audit="batch"` writes one per grassroots organization (the bulk load of the demo history)
    and returns no Rating objects (the rows are inserted with executemany).
    `orgs` / `members`: `q.organizations_due` / `q.members_at_year_end` of the round's unit and
    year when the caller already has them (not re-read; the rules are checked the same way).
    """
    step = Step(step)
    rnd = Round.objects.select_related("scheme", "unit").get(pk=round.pk)
    ctx = _Context(rnd, entries, orgs=orgs, members=members)
    errors: list[str] = []
    writes: list[tuple[Entry, Level, Decimal | None]] = []
    seen: set[tuple[str, int]] = set()
    checked_authority: dict[tuple[int | None, str], None] = {}
    for entry in entries:
        label = ctx.label(entry)
        key = (entry.subject, entry.member_id or entry.unit_id)
        if key in seen:
            errors.append(f"{label}: xuất hiện hai lần.")
            continue
        seen.add(key)
        if entry.subject == Subject.MEMBER:
            place = ctx.members.get(entry.member_id)
            if place is None:
                errors.append(
                    f"{label}: không sinh hoạt trong {rnd.unit.code} vào ngày {vn(ctx.day)}, "
                    "không xếp loại trong đợt này (đảng viên được xếp loại nơi sinh hoạt cuối năm)."
                )
                continue
            if place.reason:
                errors.append(
                    f"{label}: không thuộc diện xếp loại năm {rnd.year} ({place.reason}"
                    + (
                        ctx.rules.suffix("exempt_members_rated")
                        if place.reason == q.NOT_DUE_EXEMPT
                        else ctx.rules.suffix("late_admission_cutoff")
                    )
                    + ")."
                )
                continue
            subject_unit = place.cell_id
        else:
            if entry.unit_id not in ctx.orgs:
                errors.append(
                    f"{label}: không phải tổ chức đảng thuộc diện xếp loại của đợt "
                    f"{rnd.unit.code} năm {rnd.year}."
                )
                continue
            subject_unit = entry.unit_id
        authority, authority_label = _authority(ctx, step, entry)
        if (authority, step) not in checked_authority:
            _authorize(
                actor,
                role=_ROLE[step],
                subject_unit=subject_unit,
                authority=authority,
                day=ctx.day,
                authority_label=authority_label,
            )
            checked_authority[(authority, step)] = None
        if subject_unit in ctx.locked:
            locker = ctx.codes.get(ctx.locked[subject_unit]) or ctx.locked[subject_unit]
            errors.append(
                f"{label}: kết quả đã được phê duyệt ở {locker}, đã khóa. Cấp trên cần trả lại trước khi sửa."
            )
            continue
        level = ctx.levels.get((entry.subject, entry.level))
        if level is None:
            codes = ", ".join(c for (s, c) in ctx.levels if s == entry.subject)
            errors.append(
                f"{label}: mức xếp loại “{entry.level}” không có trong {ctx.scheme.name} ({codes})."
            )
            continue
        try:
            score = _score(entry.score)
        except ValidationError as exc:
            errors.append(f"{label}: {exc.messages[0]}")
            continue
        if score is not None and not ctx.scheme.has_score:
            errors.append(f"{label}: {ctx.scheme.name} không chấm điểm; bỏ trống cột điểm.")
            continue
        problems = _check_entry(ctx, step, entry, level, score)
        errors += [f"{label}: {p}" for p in problems]
        if not problems:
            writes.append((entry, level, score))
        if len(errors) >= MAX_ERRORS:
            break
    if not errors:
        pending = {
            e.member_id: (ctx.members[e.member_id].grassroots_id, lv.order)
            for e, lv, _ in writes
            if e.subject == Subject.MEMBER
        }
        errors += _check_cap(ctx, step, writes, pending)
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    return _write(actor, ctx, step, writes, audit)


def _write(actor: Actor, ctx: _Context, step: str, writes, audit: str) -> list[Rating]:
    rnd, now = ctx.round, timezone.now()
    member_ids = [e.member_id for e, _, _ in writes if e.member_id is not None]
    org_ids = [e.unit_id for e, _, _ in writes if e.member_id is None]
    old = {}
    existing = q.current(step).filter(round=rnd).select_related("level")
    by_member = existing.filter(member__isnull=False)
    if len(member_ids) <= BIG_BATCH:
        by_member = by_member.filter(member_id__in=member_ids)
    wanted = set(member_ids)
    for r in by_member if member_ids else []:
        if r.member_id in wanted:
            old[(r.subject, r.member_id)] = r
    for r in existing.filter(member__isnull=True, unit_id__in=org_ids):
        old[(r.subject, r.unit_id)] = r
    if old:
        Rating.objects.filter(pk__in=[r.pk for r in old.values()]).update(superseded_at=now)
    removal_years = ctx.rules.get("removal_after_not_completed_years")
    flagged = (
        _previous_lowest(member_ids, rnd.year)
        if step == Step.DECISION and removal_years == 2
        else set()
    )
    rows: list[dict] = []
    for entry, level, score in writes:
        if entry.subject == Subject.MEMBER:
            place = ctx.members[entry.member_id]
            unit_id, grassroots_id = place.cell_id, place.grassroots_id
        else:
            unit_id = entry.unit_id
            grassroots_id = ctx.grassroots_of_org.get(unit_id)
        flags = []
        if entry.member_id in flagged and level.order == ctx.lowest[Subject.MEMBER]:
            # Điều lệ Điều 8 (d), domain.md §2.9: two years running → the removal procedure.
            flags.append("removal_procedure")
        facts = {
            k: str(v)
            for k, v in (entry.facts or {}).items()
            if k in FACT_KEYS and v not in (None, "")
        }
        rows.append(
            {
                "round_id": rnd.pk,
                "year": rnd.year,
                "scheme_id": ctx.scheme.pk,
                "step": step,
                "subject": entry.subject,
                "unit_id": unit_id,
                "member_id": entry.member_id,
                "grassroots_id": grassroots_id,
                "level_id": level.pk,
                "score": score,
                "facts": facts,
                "flags": flags,
                "note": entry.note.strip(),
                "created_by_id": actor.user.pk if actor.user else None,
            }
        )
    action = _STEP_AUDIT[step]
    if audit == "batch":
        _insert_many(rows, now)
        codes = {lv.pk: lv.code for lv in ctx.levels.values()}
        by_group: dict[int | None, Counter] = {}
        for row in rows:
            by_group.setdefault(row["grassroots_id"], Counter())[codes[row["level_id"]]] += 1
        AuditRecord.objects.bulk_create(
            [
                unsaved_record(
                    actor,
                    obj=rnd,
                    action=f"{action}_bulk",
                    object_type="round",
                    changes={"grassroots": [None, gid], "levels": [None, dict(counts)]},
                )
                for gid, counts in by_group.items()
            ],
            batch_size=500,
        )
        return []
    by_id = {lv.pk: lv for lv in ctx.levels.values()}
    ratings = [Rating(**row) for row in rows]
    for r in ratings:
        r.level = by_id[r.level_id]  # cached: no query per rating below
    Rating.objects.bulk_create(ratings)
    if not ratings or ratings[0].pk is None:  # backends without RETURNING on bulk insert
        ratings = list(
            q.current(step).filter(round=rnd, created_at__gte=now).select_related("level")
        )
    records = []
    for r in ratings:
        before = old.get((r.subject, r.member_id or r.unit_id))
        changes = diff(
            {
                "level": before.level.code if before else None,
                "score": before.score if before else None,
            },
            {"level": r.level.code, "score": r.score},
        )
        changes["scheme"] = [None, ctx.scheme.code]
        if r.flags:
            changes["flags"] = [None, r.flags]
        records.append(unsaved_record(actor, obj=r, action=action, changes=changes, reason=r.note))
    # One audit record per rating, inserted together (a province's organizations: thousands).
    AuditRecord.objects.bulk_create(records, batch_size=500)
    return ratings


_COLUMNS = [
    "round_id",
    "year",
    "scheme_id",
    "step",
    "subject",
    "unit_id",
    "member_id",
    "grassroots_id",
    "level_id",
    "score",
    "facts",
    "flags",
    "note",
    "created_at",
    "created_by_id",
    "superseded_at",
]


def _insert_many(rows: list[dict], now) -> None:
    """executemany instead of bulk_create for the bulk path: Django batches SQLite inserts by 999
    parameters (62 ratings), which made a year of a province's members take half a minute."""
    table = Rating._meta.db_table
    pg = connection.vendor == "postgresql"
    marks = ", ".join("%s::jsonb" if pg and c in ("facts", "flags") else "%s" for c in _COLUMNS)
    sql = f"INSERT INTO {table} ({', '.join(_COLUMNS)}) VALUES ({marks})"
    stamp = Rating._meta.get_field("created_at").get_db_prep_value(now, connection)
    extra = {"created_at": stamp, "superseded_at": None}
    encoded: dict[str, str] = {}  # the few distinct facts / flags, encoded once

    def dumps(value) -> str:
        key = repr(value)
        if key not in encoded:
            encoded[key] = json.dumps(value)
        return encoded[key]

    pick = operator.itemgetter(*_COLUMNS)
    values = [
        pick({**row, **extra, "facts": dumps(row["facts"]), "flags": dumps(row["flags"])})
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


def _one(
    actor: Actor,
    round: Round,
    step: str,
    *,
    level: str,
    member=None,
    unit=None,
    score=None,
    facts=None,
    note: str = "",
) -> Rating:
    if (member is None) == (unit is None):
        raise ValueError("give exactly one of member, unit")
    entry = Entry(level=level, member=member, unit=unit, score=score, facts=facts or {}, note=note)
    return assessment_record_many(actor=actor, round=round, step=step, entries=[entry])[0]


def assessment_self(
    *,
    actor: Actor,
    round: Round,
    level: str,
    member=None,
    unit=None,
    score=None,
    facts=None,
    note: str = "",
) -> Rating:
    """Self-assessment and self-rating (step 1, QĐ 124 Điều 12; Mẫu 2A–2C under HD 43)."""
    return _one(
        actor,
        round,
        Step.SELF,
        level=level,
        member=member,
        unit=unit,
        score=score,
        facts=facts,
        note=note,
    )


def assessment_propose(
    *,
    actor: Actor,
    round: Round,
    level: str,
    member=None,
    unit=None,
    score=None,
    facts=None,
    note: str = "",
) -> Rating:
    """Appraisal and proposal by the cell (members) or the committee above (organizations)."""
    return _one(
        actor,
        round,
        Step.PROPOSAL,
        level=level,
        member=member,
        unit=unit,
        score=score,
        facts=facts,
        note=note,
    )


def assessment_decide(
    *,
    actor: Actor,
    round: Round,
    level: str,
    member=None,
    unit=None,
    score=None,
    facts=None,
    note: str = "",
) -> Rating:
    """Decision by the competent level (domain.md §3.4)."""
    return _one(
        actor,
        round,
        Step.DECISION,
        level=level,
        member=member,
        unit=unit,
        score=score,
        facts=facts,
        note=note,
    )


# Approval ----------------------------------------------------------------------------------------


def _superior(actor: Actor, rnd: Round, unit: Unit) -> None:
    day = q.year_end(rnd.year)
    if not UnitAncestry.objects.filter(on(day), ancestor=rnd.unit, descendant=unit).exists():
        raise ValidationError(
            f"{unit.code} không thuộc đợt đánh giá {rnd.unit.code} năm {rnd.year}."
        )
    parent = _parent_on(unit.pk, day)
    _authorize(
        actor,
        role=Role.APPROVER,
        subject_unit=unit,
        authority=parent,
        day=day,
        authority_label="cấp trên trực tiếp",
    )


@transaction.atomic
def round_approve(
    *,
    actor: Actor,
    round: Round,
    unit: Unit,
    note: str = "",
    orgs: dict[int, UnitVersion] | None = None,
    members: dict[int, q.MemberPlace] | None = None,
) -> RoundAction:
    """The superior approves the results of `unit`'s subtree, which locks them (anchors.md §1.2).
    `orgs` / `members`: `q.organizations_due` / `q.members_at_year_end` of `unit` and the round's
    year when the caller already has them (completeness and the cap are checked the same way)."""
    rnd = Round.objects.select_for_update().select_related("scheme", "unit").get(pk=round.pk)
    _superior(actor, rnd, unit)
    locked = q.locked_by(rnd, [unit.pk])
    if unit.pk in locked:
        raise ValidationError(f"Kết quả của {unit.code} đã được phê duyệt.")
    rules = q.Rules.of(rnd.scheme)
    if orgs is None:
        orgs = q.organizations_due(unit, rnd.year)
    decided_orgs = set(
        q.current()
        .filter(round=rnd, unit_id__in=list(orgs), member__isnull=True)
        .values_list("unit_id", flat=True)
    )
    if members is None:
        due = q.members_due(unit, rnd.year, rules)
    else:
        due = {k: v for k, v in members.items() if not v.reason}
    decided = q.current().filter(round=rnd, member__isnull=False)
    if len(due) <= BIG_BATCH:  # a big subtree: read the round's rows instead of a huge IN list
        decided = decided.filter(member_id__in=list(due))
    decided_members = set(decided.values_list("member_id", flat=True)) & set(due)
    missing_orgs, missing_members = len(set(orgs) - decided_orgs), len(set(due) - decided_members)
    if missing_orgs or missing_members:
        raise ValidationError(
            f"Chưa thể phê duyệt {unit.code}: còn {missing_orgs} tổ chức và {missing_members} đảng viên "
            "chưa có quyết định xếp loại."
        )
    groups = {p.grassroots_id for p in due.values()} - {None}
    errors = cap_errors(rnd, groups, rules, due=due, complete=True)
    if errors:
        raise ValidationError(errors)
    action = RoundAction.objects.create(
        round=rnd, unit=unit, action=RoundAction.Action.APPROVE, reason=clean(note), by=actor.user
    )
    record(
        actor,
        obj=rnd,
        action="approve",
        object_type="round",
        changes={"approved": [None, unit.code]},
        reason=clean(note),
    )
    return action


@transaction.atomic
def round_send_back(*, actor: Actor, round: Round, unit: Unit, reason: str) -> RoundAction:
    """The superior sends `unit`'s results back with a reason; an approval is lifted (unlocked)."""
    rnd = Round.objects.select_for_update().select_related("scheme", "unit").get(pk=round.pk)
    _superior(actor, rnd, unit)
    reason = clean(reason)
    if not reason:
        raise ValidationError({"reason": ["Cần ghi lý do trả lại."]})
    approved = q.approved_units(rnd)
    day = q.year_end(rnd.year)
    above = UnitAncestry.objects.filter(
        on(day), descendant=unit, depth__gt=0, ancestor_id__in=approved
    )
    if above.exists():
        raise ValidationError(
            "Cấp trên đã phê duyệt kết quả bao gồm tổ chức này; cần trả lại từ cấp trên trước."
        )
    action = RoundAction.objects.create(
        round=rnd, unit=unit, action=RoundAction.Action.SEND_BACK, reason=reason, by=actor.user
    )
    record(
        actor,
        obj=rnd,
        action="send_back",
        object_type="round",
        changes={"sent_back": [None, unit.code]},
        reason=reason,
    )
    return action


# Organization discipline and consolidation plans -------------------------------------------------

DISCIPLINE_FIELDS = [
    "unit",
    "target",
    "form",
    "date",
    "decision_number",
    "decision_date",
    "issuing_body",
    "note",
]


@transaction.atomic
def organization_discipline_record(
    *,
    actor: Actor,
    unit: Unit,
    target: str,
    form: str,
    date: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    issuing_body: str = "",
    note: str = "",
) -> OrganizationDiscipline:
    """Record that an organization or its leadership collective was disciplined (Điều lệ Điều 35)."""
    _authorize(actor, role=Role.CLERK, subject_unit=unit, authority=unit, day=date)
    if target not in DisciplineTarget.values:
        raise ValidationError({"target": ["Đối tượng kỷ luật không hợp lệ."]})
    if form not in OrganizationDisciplineForm.values:
        raise ValidationError({"form": ["Hình thức kỷ luật không hợp lệ."]})
    if not unit.exists_on(date):
        raise ValidationError({"date": [f"{unit.code} không tồn tại vào ngày {vn(date)}."]})
    if decision_date and decision_date > date:
        raise ValidationError({"decision_date": ["Ngày quyết định không được sau ngày hiệu lực."]})
    obj = OrganizationDiscipline.objects.create(
        unit=unit,
        target=target,
        form=form,
        date=date,
        decision_number=clean(decision_number),
        decision_date=decision_date,
        issuing_body=clean(issuing_body),
        note=note.strip(),
    )
    record(actor, obj=obj, action="create", changes=diff({}, snapshot(obj, DISCIPLINE_FIELDS)))
    return obj


@transaction.atomic
def organization_discipline_void(
    *, actor: Actor, discipline: OrganizationDiscipline, reason: str
) -> None:
    _authorize(
        actor,
        role=Role.CLERK,
        subject_unit=discipline.unit,
        authority=discipline.unit,
        day=discipline.date,
    )
    if not clean(reason):
        raise ValidationError({"reason": ["Cần ghi lý do hủy."]})
    discipline.voided_at = timezone.now()
    discipline.void_reason = clean(reason)
    discipline.save(update_fields=["voided_at", "void_reason"])
    record(actor, obj=discipline, action="void", reason=discipline.void_reason)


PLAN_FIELDS = ["measures", "responsible", "deadline"]


@transaction.atomic
def consolidation_plan_save(
    *,
    actor: Actor,
    unit: Unit,
    year: int,
    measures: str,
    responsible: str = "",
    deadline: dt.date | None = None,
) -> ConsolidationPlan:
    """The plan to consolidate an organization rated at the lowest level (yếu kém / không hoàn thành)."""
    day = q.year_end(year)
    parent = _parent_on(unit.pk, day)
    _authorize(
        actor,
        role=Role.CLERK,
        subject_unit=unit,
        authority=parent,
        day=day,
        authority_label="cấp ủy cấp trên trực tiếp",
    )
    rating = (
        q.current()
        .filter(year=year, subject=Subject.ORGANIZATION, unit=unit)
        .select_related("level")
        .first()
    )
    if rating is None:
        raise ValidationError(f"{unit.code} chưa có quyết định xếp loại năm {year}.")
    lowest = rating.scheme.levels.filter(subject=Subject.ORGANIZATION).order_by("-order").first()
    if rating.level_id != lowest.pk:
        raise ValidationError(
            f"Kế hoạch củng cố dành cho tổ chức xếp loại {lowest.label}; "
            f"{unit.code} được xếp loại {rating.level.label}."
        )
    if not clean(measures):
        raise ValidationError({"measures": ["Cần ghi biện pháp củng cố."]})
    if deadline and deadline <= day:
        raise ValidationError({"deadline": [f"Thời hạn phải sau ngày {vn(day)}."]})
    plan = ConsolidationPlan.objects.filter(unit=unit, year=year).first()
    before = snapshot(plan, PLAN_FIELDS) if plan else {}
    if plan is None:
        plan = ConsolidationPlan(unit=unit, year=year, created_by=actor.user)
    plan.measures, plan.responsible, plan.deadline = measures.strip(), clean(responsible), deadline
    plan.save()
    record(
        actor,
        obj=plan,
        action="update" if before else "create",
        changes=diff(before, snapshot(plan, PLAN_FIELDS)),
    )
    return plan
