"""The rating writes of the annual assessment: open a round, self-assess, propose, decide.

Approval and sending back are in approval.py, an organization's discipline and consolidation
plans in follow_up.py, the checks a rating must pass in checks.py, who may act in authority.py.

Each function is keyword-only, runs in a transaction, checks who may act (accounts/access.py:
outside the scope → 404, inside without the right role or authority → 403), enforces the
scheme's rules with Vietnamese messages (ValidationError), and writes the audit record.
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from grassroots.accounts.models import Role
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, diff, record, unsaved_record
from grassroots.core import limits
from grassroots.core.dates import vn
from grassroots.core.text import clean
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from . import counts
from . import queries as q
from .authority import authorize
from .checks import (
    BIG_BATCH,
    FACT_KEYS,
    MAX_ERRORS,
    Context,
    Entry,
    check_cap,
    check_entry,
    parse_score,
    previous_lowest,
)
from .models import (
    Level,
    Rating,
    Round,
    Step,
    Subject,
)

# Rounds ------------------------------------------------------------------------------------------


def check_year(year: int) -> None:
    # Years 0, 99999 or 30 digits made date() fail with a 500 (issue 20 §14); range: core/limits.py.
    if limits.year_problem(year):
        raise ValidationError({"year": [limits.year_problem(year)]})


@transaction.atomic
def round_open(*, actor: Actor, unit: Unit, year: int, note: str = "") -> Round:
    """Open the rating round of `year` for the subtree of `unit`, under the scheme governing it."""
    check_year(year)
    day = q.year_end(year)
    authorize(actor, role=Role.APPROVER, subject_unit=unit, authority=unit, day=day)
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


_ROLE = {Step.SELF: Role.CLERK, Step.PROPOSAL: Role.CLERK, Step.DECISION: Role.APPROVER}
_STEP_AUDIT = {Step.SELF: "self_assess", Step.PROPOSAL: "propose", Step.DECISION: "decide"}


def _authority(ctx: Context, step: str, entry: Entry) -> tuple[int | None, str]:
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
    ctx = Context(rnd, entries, orgs=orgs, members=members)
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
            authorize(
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
            score = parse_score(entry.score)
        except ValidationError as exc:
            errors.append(f"{label}: {exc.messages[0]}")
            continue
        if score is not None and not ctx.scheme.has_score:
            errors.append(f"{label}: {ctx.scheme.name} không chấm điểm; bỏ trống cột điểm.")
            continue
        problems = check_entry(ctx, step, entry, level, score)
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
        errors += check_cap(ctx, step, writes, pending)
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    return _write(actor, ctx, step, writes, audit)


def _write(actor: Actor, ctx: Context, step: str, writes, audit: str) -> list[Rating]:
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
        previous_lowest(member_ids, rnd.year)
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
    if step == Step.DECISION:
        counts.record(
            removed=(
                (r.year, r.grassroots_id, r.level_id)
                for (subject, _), r in old.items()
                if subject == Subject.MEMBER
            ),
            added=(
                (row["year"], row["grassroots_id"], row["level_id"])
                for row in rows
                if row["subject"] == Subject.MEMBER
            ),
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
