"""Every change to committees, posts, qualifications, courses and enrolments goes through one of
these functions (pages, CLI, import, demo tests). Each validates (refusing with a Vietnamese
message, nothing written), writes and records the audit row in one transaction.

Registry events (a transfer out, a death, an expulsion) are not pushed here: the registry's
writers do not know this module (layers). A post whose holder left the organization's subtree
is found by `queries.holders_who_left` and shown in the flag list and on the dashboard until a
clerk ends it with its decision (`holding_end`); a post of an organization that ended (merger,
dissolution) ends with it in every query (`queries._open_on`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, diff, for_update, record, snapshot, unsaved_record
from grassroots.core.dates import FAR_FUTURE, vn
from grassroots.core.limits import check_date, clean_text
from grassroots.derived import maintain
from grassroots.members import services as members
from grassroots.members.models import Member
from grassroots.organizations.models import Kind, Unit

from . import config, profile_facts, registry
from .models import (
    Course,
    CourseKind,
    EndReason,
    Enrolment,
    Holding,
    Post,
    Qualification,
    QualKind,
    Result,
    Start,
    Subject,
    Term,
)

TERM_FIELDS = ["unit", "name", "start", "planned_end", "end", "how", "congress_date",
               "delegates", "result", "decision_number", "seats"]  # fmt: skip
HOLDING_FIELDS = ["term", "member", "post", "start", "end", "how", "decision_number",
                  "outsider", "end_reason", "end_decision"]  # fmt: skip
QUAL_FIELDS = ["member", "kind", "level", "field", "obtained_on", "evidence", "enrolment"]
COURSE_FIELDS = ["code", "name", "kind", "subject", "unit", "organizer", "start", "end",
                 "grants_kind", "grants_level"]  # fmt: skip
ENROLMENT_FIELDS = ["course", "member", "enrolled_on", "result", "result_on", "certificate"]

CELL_KINDS = (Kind.GRASSROOTS_CELL, Kind.SUBORDINATE_CELL)
CELL_POSTS = {Post.SECRETARY, Post.DEPUTY, Post.CELL_COMMITTEE}


def _err(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: [message]} if field else message)


def _create(actor: Actor, obj, fields: list[str], object_type: str):
    obj.save()
    record(actor, obj=obj, action="create", changes=diff({}, snapshot(obj, fields)),
           object_type=object_type)  # fmt: skip
    return obj


def _update(actor: Actor, obj, fields: list[str], before: dict, object_type: str, reason=""):
    obj.save()
    record(actor, obj=obj, action="update", changes=diff(before, snapshot(obj, fields)),
           reason=reason, object_type=object_type)  # fmt: skip
    return obj


def _overlaps(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None):
    return a_start < (b_end or FAR_FUTURE) and b_start < (a_end or FAR_FUTURE)


# --- Terms ------------------------------------------------------------------------------------


def _check_seats(seats: dict) -> dict:
    out = {}
    for post, n in (seats or {}).items():
        if post not in Post.values:
            raise _err(f"Chức danh không hợp lệ: {post}.", "seats")
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 99:
            raise _err(f"Số lượng {Post(post).label} phải là số nguyên từ 0 đến 99.", "seats")
        if post in config.SINGLE_HOLDER and n > 1:
            raise _err(f"{Post(post).label} chỉ có một người.", "seats")
        out[post] = n
    return out


def _size_problem(unit: Unit, day: dt.date, counts: dict[str, int]) -> str | None:
    """The committee of `counts` seats (or holders) per post is larger than the dated size rule in
    force on `day` allows for the organization (config.SIZE_RULES, domain-processes.md §2.5)."""
    kind, gtype = registry.unit_kind_on(unit, day)
    rule = config.size_rule_on(day, kind, gtype)
    if rule is None:
        return None
    committee = sum(counts.get(p, 0) for p in config.COMMITTEE_POSTS)
    standing = sum(counts.get(p, 0) for p in config.STANDING_POSTS)
    deputies, max_deputies = counts.get(Post.DEPUTY, 0), rule.max_deputies
    source = f"({rule.source})"
    if rule.cell_threshold is not None:
        official = registry.official_members(unit, day)
        if official < rule.cell_threshold:
            if counts.get(Post.CELL_COMMITTEE, 0):
                return (
                    f"{unit.code} có {official} đảng viên chính thức vào ngày {vn(day)} (dưới "
                    f"{rule.cell_threshold}): chi bộ chỉ bầu bí thư và phó bí thư, không bầu chi "
                    f"ủy {source}."
                )
            max_deputies = rule.small_deputies
    if rule.max_committee is not None and committee > rule.max_committee:
        return (
            f"Cấp ủy {unit.code} có {committee} người, quá số lượng tối đa {rule.max_committee} "
            f"{source}."
        )
    if rule.max_standing is not None and standing > rule.max_standing:
        return (
            f"Ban thường vụ {unit.code} có {standing} người, quá số lượng tối đa "
            f"{rule.max_standing} {source}."
        )
    if max_deputies is not None and deputies > max_deputies:
        return f"{unit.code} có {deputies} phó bí thư, quá số lượng tối đa {max_deputies} {source}."
    return None


@transaction.atomic
def term_open(
    *,
    actor: Actor,
    unit: Unit,
    name: str,
    start: dt.date,
    how: str = Start.ELECTED,
    planned_end: dt.date | None = None,
    congress_date: dt.date | None = None,
    delegates: int | None = None,
    result: str = "",
    decision_number: str = "",
    seats: dict | None = None,
) -> Term:
    """A congress elects (or the body above appoints) a committee for a term from `start`.

    The previous term, if still open and begun earlier, ends on `start` (the new congress ends
    it); any other overlap with a term of the same committee is refused."""
    access.require_unit_write(actor, unit, start)
    check_date(start, "start", "Ngày bắt đầu nhiệm kỳ")
    if how not in Start.values:
        raise _err("Hình thức không hợp lệ.", "how")
    name = clean_text(name)
    if not name:
        raise _err("Cần nhập tên nhiệm kỳ (ví dụ 2020–2025).", "name")
    if not unit.exists_on(start):
        raise _err(f"{unit.code} không tồn tại vào ngày {vn(start)}.", "start")
    if planned_end is not None and planned_end <= start:
        raise _err("Ngày kết thúc dự kiến phải sau ngày bắt đầu.", "planned_end")
    if how == Start.APPOINTED and not clean_text(decision_number):
        raise _err("Cấp ủy chỉ định cần số quyết định.", "decision_number")
    if congress_date is not None and congress_date > start:
        raise _err("Ngày đại hội không thể sau ngày bắt đầu nhiệm kỳ.", "congress_date")
    seats = _check_seats(seats or {})
    problem = _size_problem(unit, start, seats)
    if problem:
        raise _err(problem, "seats")
    terms = Term.objects.select_for_update().filter(unit=unit, voided_at__isnull=True)
    for other in terms:
        if other.end is None and other.start < start:
            term_close(actor=actor, term=other, end=start)
            other.end = start
        if _overlaps(start, None, other.start, other.end):
            raise _err(
                f"Nhiệm kỳ {name} trùng thời gian với nhiệm kỳ {other.name} "
                f"({vn(other.start)}–{vn(other.end)}) của {unit.code}.",
                "start",
            )
    term = Term(
        unit=unit, name=name, start=start, planned_end=planned_end, how=how,
        congress_date=congress_date, delegates=delegates, result=clean_text(result),
        decision_number=clean_text(decision_number), seats=seats,
    )  # fmt: skip
    return _create(actor, term, TERM_FIELDS, "term")


@transaction.atomic
def term_close(*, actor: Actor, term: Term, end: dt.date) -> Term:
    """The term ends on `end` (exclusive); its posts still held end with it."""
    term = Term.objects.select_for_update().get(pk=term.pk)
    access.require_unit_write(actor, term.unit, end)
    if end <= term.start:
        raise _err("Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu.", "end")
    if term.end is not None and term.end != end:
        raise _err(f"Nhiệm kỳ {term.name} đã kết thúc ngày {vn(term.end)}.", "end")
    if term.end == end:
        return term
    before = snapshot(term, TERM_FIELDS)
    later = Q(start__gte=end)
    if term.holdings.filter(later, voided_at__isnull=True).exists():
        raise _err("Có chức danh bắt đầu sau ngày kết thúc nhiệm kỳ.", "end")
    for holding in term.holdings.filter(Q(end__isnull=True) | Q(end__gt=end), voided_at=None):
        hold_before = snapshot(holding, HOLDING_FIELDS)
        holding.end, holding.end_reason = end, EndReason.TERM_ENDED
        _update(actor, holding, HOLDING_FIELDS, hold_before, "holding")
    term.end = end
    return _update(actor, term, TERM_FIELDS, before, "term")


@transaction.atomic
def term_void(*, actor: Actor, term: Term, reason: str) -> Term:
    """Void a term recorded by mistake, with its posts (never deleted: they stay, marked voided,
    and every read leaves them out). A term that ended another one when it was opened does not
    reopen it: the earlier term keeps its end (open the right term again if needed)."""
    term = Term.objects.select_for_update().select_related("unit").get(pk=term.pk)
    access.require_unit_write(actor, term.unit, term.start)
    reason = clean_text(reason)
    if not reason:
        raise _err("Cần ghi lý do hủy.", "reason")
    if term.voided_at is not None:
        raise _err(f"Nhiệm kỳ {term.name} đã bị hủy.", "reason")
    now = timezone.now()
    for holding in term.holdings.select_for_update().filter(voided_at__isnull=True):
        holding.voided_at, holding.void_reason = now, f"Hủy nhiệm kỳ {term.name}: {reason}"
        holding.save(update_fields=["voided_at", "void_reason"])
        record(actor, obj=holding, action="void", reason=holding.void_reason,
               object_type="holding")  # fmt: skip
    term.voided_at, term.void_reason = now, reason
    term.save(update_fields=["voided_at", "void_reason"])
    record(actor, obj=term, action="void", reason=reason, object_type="term")
    return term


# --- Posts ------------------------------------------------------------------------------------


@transaction.atomic
def holding_start(
    *,
    actor: Actor,
    term: Term,
    member: Member,
    post: str,
    start: dt.date,
    how: str = Start.ELECTED,
    decision_number: str = "",
    outsider: bool = False,
    end: dt.date | None = None,
) -> Holding:
    """`member` takes `post` in `term`'s committee from `start` (elected or appointed)."""
    term = Term.objects.select_for_update().select_related("unit").get(pk=term.pk)
    unit = term.unit
    access.require_unit_write(actor, unit, start)
    check_date(start, "start", "Ngày bắt đầu")
    if post not in Post.values:
        raise _err("Chức danh không hợp lệ.", "post")
    if how not in Start.values:
        raise _err("Hình thức không hợp lệ.", "how")
    decision_number = clean_text(decision_number)
    if end is not None and end <= start:
        raise _err("Ngày thôi giữ chức danh phải sau ngày bắt đầu.", "end")
    term_end = min(term.end or FAR_FUTURE, unit.ended or FAR_FUTURE)
    if not term.start <= start < term_end:
        raise _err(f"Ngày {vn(start)} nằm ngoài nhiệm kỳ {term.name} của {unit.code}.", "start")
    kind, _type = registry.unit_kind_on(unit, start)
    if kind in CELL_KINDS and post not in CELL_POSTS:
        raise _err(f"Chi bộ không có chức danh {Post(post).label}.", "post")
    if kind not in CELL_KINDS and post == Post.CELL_COMMITTEE:
        raise _err("Chức danh chi ủy viên chỉ có ở chi bộ.", "post")
    if outsider:
        # domain-processes.md §2.5: the committee above may appoint from outside, by decision.
        if post not in config.OUTSIDER_ALLOWED or how != Start.APPOINTED or not decision_number:
            raise _err(
                f"Chỉ cấp ủy cấp trên mới chỉ định người ngoài {unit.code} giữ chức danh "
                f"{Post(post).label}, và cần số quyết định chỉ định.",
                "outsider",
            )
        if not registry.is_member_on(member.pk, start):
            raise _err(f"{member.full_name} không phải đảng viên vào ngày {vn(start)}.", "member")
    elif not registry.in_subtree_on(member.pk, unit, start):
        raise _err(
            f"{member.full_name} không sinh hoạt trong {unit.code} vào ngày {vn(start)}: "
            "chỉ được giữ chức danh khi cấp trên chỉ định từ nơi khác (có quyết định).",
            "member",
        )
    live = Holding.objects.select_for_update().filter(unit=unit, voided_at__isnull=True)
    for other in live.filter(Q(post=post) | Q(member=member)).select_related("member"):
        if not _overlaps(start, end, other.start, other.end):
            continue
        if other.member_id == member.pk and other.post == post:
            raise _err(f"{member.full_name} đã giữ chức danh này từ {vn(other.start)}.", "member")
        if other.post == post and post in config.SINGLE_HOLDER:
            raise _err(
                f"{config.post_label(post, kind)} {unit.code} đang do {other.member.full_name} "
                f"giữ từ {vn(other.start)}: một chức danh chỉ có một người tại một thời điểm.",
                "post",
            )
    if post in config.COMMITTEE_POSTS:
        on_day = live.filter(Q(end__isnull=True) | Q(end__gt=start), start__lte=start)
        counts = Counter(on_day.values_list("post", flat=True))
        counts[post] += 1
        problem = _size_problem(unit, start, counts)
        if problem:
            raise _err(problem, "post")
    holding = Holding(
        term=term, unit=unit, member=member, post=post, start=start, end=end, how=how,
        decision_number=decision_number, outsider=outsider,
    )  # fmt: skip
    return _create(actor, holding, HOLDING_FIELDS, "holding")


@transaction.atomic
def holding_end(
    *, actor: Actor, holding: Holding, end: dt.date, reason: str, decision_number: str = ""
) -> Holding:
    """The holder leaves the post on `end` (moved, retired, disciplined, died...)."""
    holding = Holding.objects.select_for_update().select_related("unit").get(pk=holding.pk)
    access.require_unit_write(actor, holding.unit, end)
    if reason not in EndReason.values:
        raise _err("Lý do thôi giữ chức danh không hợp lệ.", "end_reason")
    if end <= holding.start:
        raise _err("Ngày thôi giữ chức danh phải sau ngày bắt đầu.", "end")
    if holding.end is not None and holding.end <= end:
        raise _err(f"Chức danh đã thôi giữ từ ngày {vn(holding.end)}.", "end")
    before = snapshot(holding, HOLDING_FIELDS)
    holding.end, holding.end_reason = end, reason
    holding.end_decision = clean_text(decision_number)
    return _update(actor, holding, HOLDING_FIELDS, before, "holding")


@transaction.atomic
def holding_void(*, actor: Actor, holding: Holding, reason: str) -> Holding:
    holding = Holding.objects.select_for_update().select_related("unit").get(pk=holding.pk)
    access.require_unit_write(actor, holding.unit, holding.start)
    if not clean_text(reason):
        raise _err("Cần ghi lý do hủy.", "reason")
    if holding.voided_at is not None:
        raise _err("Chức danh này đã bị hủy.", "reason")
    holding.voided_at, holding.void_reason = timezone.now(), clean_text(reason)
    holding.save()
    record(actor, obj=holding, action="void", reason=holding.void_reason, object_type="holding")
    return holding


# --- Qualifications ---------------------------------------------------------------------------


def _check_qualification(member: Member, kind: str, level: str, obtained_on: dt.date) -> None:
    if kind not in QualKind.values:
        raise _err("Loại trình độ không hợp lệ.", "kind")
    if level not in config.level_codes(kind):
        raise _err(f"Trình độ {level!r} không có trong danh mục {QualKind(kind).label}.", "level")
    if obtained_on is None:
        raise _err("Cần nhập ngày cấp văn bằng, chứng chỉ.", "obtained_on")
    check_date(obtained_on, "obtained_on", "Ngày cấp")
    if obtained_on < member.birth_date:
        raise _err(
            f"Ngày cấp {vn(obtained_on)} trước ngày sinh của {member.full_name} "
            f"({vn(member.birth_date)}).",
            "obtained_on",
        )


@transaction.atomic
def qualification_add(
    *,
    actor: Actor,
    member: Member,
    kind: str,
    level: str,
    obtained_on: dt.date,
    field: str = "",
    evidence: str = "",
    enrolment: Enrolment | None = None,
) -> Qualification:
    access.require_member_write(actor, member)
    return _add_qualification(actor, member, kind, level, obtained_on, field, evidence, enrolment)


def _add_qualification(actor, member, kind, level, obtained_on, field, evidence, enrolment):
    _check_qualification(member, kind, level, obtained_on)
    qualification = Qualification(
        member=member, kind=kind, level=level, obtained_on=obtained_on,
        field=clean_text(field), evidence=clean_text(evidence), enrolment=enrolment,
    )  # fmt: skip
    _create(actor, qualification, QUAL_FIELDS, "qualification")
    _derive_profile(actor, member, kind)
    maintain.member_levels_changed([member.pk])
    return qualification


def _derive_profile(actor: Actor, member: Member, kind: str) -> None:
    """The profile's current value of `kind` follows the qualifications (issue 15): the
    highest level obtained by today (or the highest at all when all are dated later)."""
    name = next((f for f, k in profile_facts.PROFILE_KINDS.items() if k == kind), None)
    if name is None:
        return
    rows = list(
        Qualification.objects.filter(member=member, kind=kind, voided_at=None).values_list(
            "obtained_on", "level", "field"
        )
    )
    if not rows:
        return
    today = timezone.localdate()
    pool = [r for r in rows if r[0] <= today] or rows
    _day, level, field = max(pool, key=lambda r: (config.rank(kind, r[1]), r[0]))
    members.member_profile_derived(
        actor=actor, member=member, reason="Theo trình độ đã cập nhật",
        **{name: profile_facts.profile_value(kind, level, field)},
    )  # fmt: skip


@transaction.atomic
def qualification_void(*, actor: Actor, qualification: Qualification, reason: str):
    access.require_member_write(actor, qualification.member)
    if not clean_text(reason):
        raise _err("Cần ghi lý do hủy.", "reason")
    qualification.voided_at, qualification.void_reason = timezone.now(), clean_text(reason)
    qualification.save()
    record(actor, obj=qualification, action="void", reason=qualification.void_reason,
           object_type="qualification")  # fmt: skip
    _derive_profile(actor, qualification.member, qualification.kind)
    maintain.member_levels_changed([qualification.member_id])
    return qualification


def _created(q: Qualification) -> dict:
    # Without `snapshot`, which would load each member (one query per row).
    values = {"member": q.member_id, "kind": q.kind, "level": q.level, "field": q.field,
              "obtained_on": q.obtained_on, "evidence": q.evidence}  # fmt: skip
    return diff({}, values)


@transaction.atomic
def qualifications_from_profile(*, actor: Actor, dry_run: bool = False) -> profile_facts.Plan:
    """Turn the profile's typed education, professional level and political theory into dated
    qualifications (once: kinds a member already has are left alone), dated the member's first
    event (admission) with the evidence "chuyển từ hồ sơ". Values no category recognizes are
    returned in `plan.unmapped` (and stay in the profile, counted "Chưa phân loại")."""
    if actor.user is not None and not actor.user.is_superuser:
        raise _err("Chỉ quản trị hệ thống được chuyển trình độ từ hồ sơ.")
    for_update(Qualification.objects.none())  # the audit chain's lock first
    rows = Member.objects.annotate(
        first=Min("events__date", filter=Q(events__voided_at__isnull=True))
    ).values_list("id", "birth_date", "first", "education", "expertise", "theory_level")
    have = set(Qualification.objects.filter(voided_at=None).values_list("member_id", "kind"))
    plan = profile_facts.from_profile(rows.iterator(chunk_size=10_000), have)
    if dry_run or not plan.facts:
        return plan
    # In chunks: a province's 200,000 rows and their audit records at once held ~900 MB.
    for i in range(0, len(plan.facts), 5000):
        facts = Qualification.objects.bulk_create(
            Qualification(member_id=m, kind=k, level=lvl, field=f[:128], obtained_on=day,
                          evidence=profile_facts.FROM_PROFILE)
            for m, k, lvl, f, day in plan.facts[i : i + 5000]
        )  # fmt: skip
        AuditRecord.objects.bulk_create(
            unsaved_record(actor, obj=q, action="create", object_type="qualification",
                           changes=_created(q), reason=profile_facts.FROM_PROFILE)
            for q in facts
        )  # fmt: skip
    maintain.member_levels_changed({m for m, *_rest in plan.facts})
    return plan


# --- Courses and enrolments -------------------------------------------------------------------


@transaction.atomic
def course_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    subject: str,
    unit: Unit,
    start: dt.date,
    end: dt.date,
    organizer: str = "",
    grants_kind: str = "",
    grants_level: str = "",
) -> Course:
    access.require_unit_write(actor, unit, start, role=Role.CLERK)
    code, name = clean_text(code), clean_text(name)
    if not code:
        raise _err("Cần nhập mã lớp.", "code")
    if Course.objects.filter(code__iexact=code).exists():
        raise _err(f"Mã lớp {code} đã được dùng.", "code")
    if not name:
        raise _err("Cần nhập tên lớp.", "name")
    if kind not in CourseKind.values:
        raise _err("Loại hình phải là đào tạo hoặc bồi dưỡng.", "kind")
    if subject not in Subject.values:
        raise _err("Nội dung lớp không hợp lệ.", "subject")
    check_date(start, "start", "Ngày khai giảng")
    check_date(end, "end", "Ngày bế giảng")
    if end < start:
        raise _err("Ngày bế giảng không thể trước ngày khai giảng.", "end")
    if grants_kind or grants_level:
        # domain-processes.md §2.1: only đào tạo gives a diploma or a new level.
        if kind != CourseKind.TRAINING:
            raise _err("Lớp bồi dưỡng không cấp văn bằng trình độ.", "grants_kind")
        if grants_kind not in QualKind.values or grants_level not in config.level_codes(
            grants_kind
        ):
            raise _err("Văn bằng cấp không hợp lệ.", "grants_level")
    course = Course(
        code=code, name=name, kind=kind, subject=subject, unit=unit,
        organizer=clean_text(organizer), start=start, end=end, grants_kind=grants_kind,
        grants_level=grants_level,
    )  # fmt: skip
    return _create(actor, course, COURSE_FIELDS, "course")


@transaction.atomic
def enrolment_add(
    *, actor: Actor, course: Course, member: Member, enrolled_on: dt.date | None = None
) -> Enrolment:
    enrolled_on = enrolled_on or course.start
    access.require_unit_write(actor, course.unit, course.start, role=Role.CLERK)
    user = getattr(actor, "user", None)
    if user is not None and not access.members_visible(user).filter(pk=member.pk).exists():
        raise _err("Không tìm thấy đảng viên trong phạm vi của tài khoản.", "member")
    if course.voided_at is not None:
        raise _err("Lớp đã bị hủy.", "course")
    if not course.start <= enrolled_on <= course.end:
        raise _err(
            f"Ngày nhập học {vn(enrolled_on)} nằm ngoài thời gian của lớp "
            f"({vn(course.start)}–{vn(course.end)}).",
            "enrolled_on",
        )
    if not registry.is_member_on(member.pk, enrolled_on):
        raise _err(f"{member.full_name} không phải đảng viên vào ngày {vn(enrolled_on)}.", "member")
    if Enrolment.objects.filter(course=course, member=member, voided_at__isnull=True).exists():
        raise _err(f"{member.full_name} đã có trong danh sách lớp.", "member")
    enrolment = Enrolment(course=course, member=member, enrolled_on=enrolled_on)
    return _create(actor, enrolment, ENROLMENT_FIELDS, "enrolment")


@transaction.atomic
def enrolment_result(
    *,
    actor: Actor,
    enrolment: Enrolment,
    result: str,
    result_on: dt.date | None = None,
    certificate: str = "",
) -> Enrolment:
    """Record the result; completing a course that grants a level adds the qualification."""
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("course", "member")
        .get(pk=enrolment.pk)
    )
    course = enrolment.course
    access.require_unit_write(actor, course.unit, course.start, role=Role.CLERK)
    if result not in Result.values or result == Result.IN_PROGRESS:
        raise _err("Kết quả phải là hoàn thành, không đạt hoặc bỏ học.", "result")
    if enrolment.result != Result.IN_PROGRESS:
        raise _err("Học viên đã có kết quả.", "result")
    result_on = result_on or course.end
    check_date(result_on, "result_on", "Ngày có kết quả")
    if result_on < enrolment.enrolled_on:
        raise _err("Ngày có kết quả không thể trước ngày nhập học.", "result_on")
    if result == Result.COMPLETED and result_on < course.end:
        raise _err(f"Chỉ hoàn thành khóa học từ ngày bế giảng {vn(course.end)}.", "result_on")
    before = snapshot(enrolment, ENROLMENT_FIELDS)
    enrolment.result, enrolment.result_on = result, result_on
    enrolment.certificate = clean_text(certificate)
    _update(actor, enrolment, ENROLMENT_FIELDS, before, "enrolment")
    if result == Result.COMPLETED and course.grants_kind:
        # The course's clerk records the diploma its completion gives (same checks, same audit).
        _add_qualification(
            actor, enrolment.member, course.grants_kind, course.grants_level, result_on,
            course.name, enrolment.certificate or f"Hoàn thành lớp {course.code}", enrolment,
        )  # fmt: skip
    return enrolment
