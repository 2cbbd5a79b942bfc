"""Pages: an organization's committee as of a date and its history by term, the course register
and a course's enrolments (enrol from a member search, record results), the standards gap list
(and its Excel export). Thin: parse, fetch through accounts.access, call one service or query,
render. Outside the scope is a 404."""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core.dates import vn
from grassroots.core.text import vietnamese
from grassroots.excel.injection import escaped
from grassroots.excel.workbooks import finish_tables
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import display_version, subtree_ids, version_at
from grassroots.web.forms import ServiceForm, parse_day

from . import config, queries, registry, services, standards
from .models import (
    Course,
    CourseKind,
    EndReason,
    Enrolment,
    Holding,
    Post,
    QualKind,
    Result,
    Start,
    Subject,
    Term,
)


def _day(request, unit: Unit) -> tuple[dt.date, list[str]]:
    """`?at=` (dd/mm/yyyy or ISO), else today, or the organization's last day, or the last day
    it lay in the user's scope (a dissolved district's clerk sees it as it stood then)."""
    raw = request.GET.get("at", "").strip()
    errors = []
    day = parse_day(raw) if raw else None
    if raw and day is None:
        errors.append(_("Ngày “%(value)s” không hợp lệ; hãy nhập dd/mm/yyyy.") % {"value": raw})
    if day is None:
        day = timezone.localdate()
        periods = access.visible_period(request.user, unit)
        for end in (unit.ended, periods[-1][1] if periods else None):
            if end is not None and end <= day:
                day = end - dt.timedelta(days=1)
    return day, errors


def _unit_on(request, code: str) -> tuple[Unit, dt.date, list[str], bool]:
    unit = access.get_unit_for_user(request.user, code)
    at, errors = _day(request, unit)
    visible = access.can_see_unit_on(request.user, unit, at)
    return unit, at, errors, visible


@login_required
def committee(request, code: str):
    unit, at, date_errors, visible = _unit_on(request, code)
    version = display_version(unit, at)
    context = {"unit": unit, "at": at, "date_errors": date_errors, "visible": visible,
               "name": version.name}  # fmt: skip
    if visible:
        kind = version.kind
        vacancies = queries.vacancies_on(unit, at)
        context.update(
            term=queries.terms_on(at, unit=unit).first(),
            seats=queries.committee_on(unit, at, kind),
            vacancies=[(config.post_label(p, kind), n) for p, n in vacancies.items()],
            left=list(queries.holders_who_left(unit, at)[:200]),
            history=[
                (t, [(config.post_label(h.post, kind), h) for h in rows])
                for t, rows in queries.history(unit)
                # only the terms the user's view of the organization covers
                if access.can_see_unit_on(request.user, unit, t.start)
                or access.can_see_unit_on(request.user, unit, at)
            ],
            exists=version_at(unit, at) is not None,
        )
        if access.may_write_unit(request.user, unit, Role.APPROVER):
            posts = services.CELL_POSTS if kind in services.CELL_KINDS else set(Post.values)
            context.update(
                can_write=True,
                posts=[(p, config.post_label(p, kind)) for p in Post.values if p in posts],
                how_choices=Start.choices,
                end_reasons=[(v, lbl) for v, lbl in EndReason.choices if v != "term_ended"],
                terms=[t for t, _rows in context["history"]],
            )
    return render(request, "cadres/committee.html", context)


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _back(unit: Unit, day: dt.date | None):
    url = reverse("cadres:committee", args=[unit.code])
    return redirect(f"{url}?at={day:%Y-%m-%d}" if day else url)


def _seats(data) -> dict:
    seats = {}
    for post in Post.values:
        raw = (data.get(f"seats_{post}") or "").strip()
        if raw:
            if not raw.isdigit():
                raise ValidationError(_("Số lượng phải là số nguyên."))
            seats[post] = int(raw)
    return seats


@login_required
@require_POST
def term_new(request, code: str):
    """Open a term: the congress (date, delegates, result) that elected the committee, or the
    decision that appointed it; the previous open term ends that day (services.term_open)."""
    unit = access.get_unit_for_user(request.user, code, role=Role.APPROVER)
    p = request.POST
    try:
        delegates = (p.get("delegates") or "").strip()
        if delegates and not delegates.isdigit():
            raise ValidationError(_("Số đại biểu phải là số nguyên."))
        term = services.term_open(
            actor=Actor.from_request(request), unit=unit, name=p.get("name", ""),
            start=_required_day(p, "start"), how=p.get("how") or Start.ELECTED,
            planned_end=parse_day(p.get("planned_end")),
            congress_date=parse_day(p.get("congress_date")),
            delegates=int(delegates) if delegates else None, result=p.get("result", ""),
            decision_number=p.get("decision_number", ""), seats=_seats(p),
        )  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
        return _back(unit, None)
    messages.success(request, _("Đã mở nhiệm kỳ %(name)s.") % {"name": term.name})
    return _back(unit, term.start)


@login_required
@require_POST
def post_new(request, code: str):
    """Record a post: elected or appointed (with its decision), the holder found with the shared
    member picker (the account's scope); an outsider only by appointment (services)."""
    unit = access.get_unit_for_user(request.user, code, role=Role.APPROVER)
    p = request.POST
    number = p.get("member", "").strip().upper()
    member = access.members_visible(request.user).filter(profile_number=number).first()
    term_id = p.get("term", "")
    term = Term.objects.filter(
        unit=unit, voided_at__isnull=True, pk=int(term_id) if term_id.isdigit() else 0
    ).first()
    try:
        if member is None:
            raise ValidationError(
                _("Không tìm thấy đảng viên có số lý lịch %(n)s.") % {"n": number}
            )
        if term is None:
            raise ValidationError(_("Chọn nhiệm kỳ của cấp ủy."))
        holding = services.holding_start(
            actor=Actor.from_request(request), term=term, member=member, post=p.get("post", ""),
            start=_required_day(p, "start"), how=p.get("how") or Start.ELECTED,
            decision_number=p.get("decision_number", ""), outsider=bool(p.get("outsider")),
        )  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
        return _back(unit, None)
    messages.success(
        request,
        _("Đã ghi %(post)s: %(name)s.")
        % {"post": holding.get_post_display(), "name": member.full_name},
    )
    return _back(unit, holding.start)


@login_required
@require_POST
def post_end(request, pk: int):
    """End a post on a day with its reason and decision (moved, retired, disciplined, died)."""
    holding = Holding.objects.filter(pk=pk, voided_at__isnull=True).select_related("unit").first()
    if holding is None:
        raise Http404("Không tìm thấy chức danh.")
    unit = access.get_unit_for_user(request.user, holding.unit.code, role=Role.APPROVER)
    p = request.POST
    try:
        end = _required_day(p, "end")
        services.holding_end(
            actor=Actor.from_request(request), holding=holding, end=end,
            reason=p.get("reason", ""), decision_number=p.get("decision_number", ""),
        )  # fmt: skip
    except ValidationError as error:
        _errors(request, error)
        return _back(unit, None)
    messages.success(request, _("Đã ghi thôi giữ chức danh."))
    return _back(unit, end)


class VoidForm(ServiceForm):
    reason = forms.CharField(
        label=_("Lý do hủy (ghi nhầm)"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


def _void_page(request, unit: Unit, title: str, lines: list[str], write):
    """Confirm and void a record entered by mistake: what goes, a reason, one service call."""
    form = VoidForm(request.POST or None)
    back = reverse("cadres:committee", args=[unit.code])
    if request.method == "POST" and form.is_valid():
        try:
            write(form.cleaned_data["reason"])
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã hủy."))
            return redirect(back)
    return render(request, "cadres/void.html",
                  {"form": form, "title": title, "lines": lines, "back": back})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def term_void(request, pk: int):
    """Void a term entered by mistake, with its posts (approvers of the organization)."""
    term = Term.objects.filter(pk=pk, voided_at__isnull=True).select_related("unit").first()
    if term is None:
        raise Http404("Không tìm thấy nhiệm kỳ.")
    unit = access.get_unit_for_user(request.user, term.unit.code, role=Role.APPROVER)
    kind = registry.unit_kind_on(unit, term.start)[0]
    lines = [f"{_('Nhiệm kỳ')} {term.name}: {vn(term.start)} – {vn(term.end) if term.end else '…'}"]
    lines += [
        f"{config.post_label(h.post, kind)}: {h.member.full_name} ({vn(h.start)})"
        for h in term.holdings.filter(voided_at__isnull=True).select_related("member")
    ]
    # A person reads the organization's name as it was in the term, not its internal code.
    title = _("Hủy nhiệm kỳ %(name)s của %(unit)s") % {
        "name": term.name, "unit": display_version(unit, term.start).name,
    }  # fmt: skip

    def write(reason):
        services.term_void(actor=Actor.from_request(request), term=term, reason=reason)

    return _void_page(request, unit, title, lines, write)


@login_required
@require_http_methods(["GET", "POST"])
def post_void(request, pk: int):
    """Void a post entered by mistake (an ended post is ended with `post_end`, not voided)."""
    holding = (
        Holding.objects.filter(pk=pk, voided_at__isnull=True).select_related("unit", "member")
    ).first()
    if holding is None:
        raise Http404("Không tìm thấy chức danh.")
    unit = access.get_unit_for_user(request.user, holding.unit.code, role=Role.APPROVER)
    kind = registry.unit_kind_on(unit, holding.start)[0]
    lines = [
        f"{config.post_label(holding.post, kind)} {display_version(unit, holding.start).name}: "
        f"{holding.member.full_name}, "
        f"{vn(holding.start)} – {vn(holding.end) if holding.end else '…'}"
    ]

    def write(reason):
        services.holding_void(actor=Actor.from_request(request), holding=holding, reason=reason)

    return _void_page(request, unit, _("Hủy chức danh ghi nhầm"), lines, write)


@login_required
def courses(request, code: str):
    unit, at, date_errors, visible = _unit_on(request, code)
    rows = (
        queries.courses_visible(subtree_ids(unit, at)).select_related("unit")[:500]
        if visible
        else []
    )
    context = {
        "unit": unit, "at": at, "date_errors": date_errors, "visible": visible,
        "name": display_version(unit, at).name, "courses": rows,
        "can_write": access.may_write_unit(request.user, unit, Role.CLERK),
        "kinds": CourseKind.choices, "subjects": Subject.choices,
        "grants": [(f"{k}:{code}", f"{QualKind(k).label} — {label}")
                   for k, levels in config.LEVELS.items() for code, label in levels],
    }  # fmt: skip
    return render(request, "cadres/courses.html", context)


@login_required
@require_POST
def course_new(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    p = request.POST
    grants_kind, _sep, grants_level = p.get("grants", "").partition(":")
    try:
        course = services.course_create(
            actor=Actor.from_request(request), code=p.get("code", ""), name=p.get("name", ""),
            kind=p.get("kind", ""), subject=p.get("subject", ""), unit=unit,
            organizer=p.get("organizer", ""), start=_required_day(p, "start"),
            end=_required_day(p, "end"), grants_kind=grants_kind, grants_level=grants_level,
        )  # fmt: skip
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("cadres:courses", unit.code)
    return redirect("cadres:course", course.pk)


def _required_day(data, name: str) -> dt.date:
    day = parse_day(data.get(name))
    if day is None:
        raise ValidationError({name: [_("Cần nhập ngày dạng dd/mm/yyyy.")]})
    return day


def get_course_for_user(user, pk: int, *, role: str = Role.VIEWER) -> Course:
    course = Course.objects.filter(pk=pk, voided_at__isnull=True).select_related("unit").first()
    if course is None or not access.can_see_unit_on(user, course.unit, course.start):
        raise Http404("Không tìm thấy lớp.")
    access.require_role(user, role)
    if role != Role.VIEWER:
        access.require_writable_unit(user, course.unit)
    return course


@login_required
def course(request, pk: int):
    course = get_course_for_user(request.user, pk)
    enrolments = (
        access.only_members_visible(
            request.user, Enrolment.objects.filter(course=course, voided_at__isnull=True)
        )
        .select_related("member")
        .order_by(vietnamese("member__full_name"), "member_id")
    )
    context = {
        "course": course,
        "enrolments": enrolments,
        "can_write": access.may_write_unit(request.user, course.unit, Role.CLERK),
        "results": [(v, lbl) for v, lbl in Result.choices if v != Result.IN_PROGRESS],
        "grants": config.level_label(course.grants_kind, course.grants_level)
        if course.grants_kind
        else "",
    }
    return render(request, "cadres/course.html", context)


@login_required
@require_POST
def enrol(request, pk: int):
    course = get_course_for_user(request.user, pk, role=Role.CLERK)
    number = request.POST.get("member", "").strip().upper()
    member = access.members_visible(request.user).filter(profile_number=number).first()
    try:
        if member is None:
            raise ValidationError(
                _("Không tìm thấy đảng viên có số lý lịch %(n)s.") % {"n": number}
            )
        services.enrolment_add(
            actor=Actor.from_request(request), course=course, member=member,
            enrolled_on=parse_day(request.POST.get("enrolled_on")) or course.start,
        )  # fmt: skip
        messages.success(request, _("Đã ghi danh %(name)s.") % {"name": member.full_name})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("cadres:course", course.pk)


@login_required
@require_POST
def result(request, pk: int):
    course = get_course_for_user(request.user, pk, role=Role.CLERK)
    result = request.POST.get("result", "")
    day = parse_day(request.POST.get("result_on")) or course.end
    ids = [int(x) for x in request.POST.getlist("enrolment") if x.isdigit()]
    rows = Enrolment.objects.filter(
        course=course, pk__in=ids, member__in=access.members_visible(request.user)
    )
    done = 0
    for enrolment in rows:
        try:
            services.enrolment_result(
                actor=Actor.from_request(request), enrolment=enrolment, result=result,
                result_on=day,
            )  # fmt: skip
            done += 1
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{enrolment.member.full_name}: {message}")
    if done:
        messages.success(request, _("Đã ghi kết quả cho %(n)s học viên.") % {"n": done})
    return redirect("cadres:course", course.pk)


@login_required
def gaps(request, code: str):
    unit, at, date_errors, visible = _unit_on(request, code)
    checks = standards.check(unit, at) if visible else []
    summary = standards.summary(unit, at, checks) if visible else None
    context = {
        "unit": unit, "at": at, "date_errors": date_errors, "visible": visible,
        "name": display_version(unit, at).name,
        "summary": summary,
        "post_rows": [(Post(p).label, row) for p, row in summary["by_post"].items()]
        if summary
        else [],
        "below": [c for c in checks if not c.meets],
    }  # fmt: skip
    return render(request, "cadres/gaps.html", context)


HEADERS = ["Mã tổ chức", "Tổ chức", "Chức danh", "Họ và tên", "Chưa đạt", "Lớp đang học"]


@login_required
def gaps_export(request, code: str):
    unit, at, _errors, visible = _unit_on(request, code)
    if not visible:
        raise Http404
    wb = Workbook()
    ws = wb.active
    ws.title = "Chưa đạt chuẩn"
    ws.append(HEADERS)
    for c in standards.check(unit, at):
        if not c.meets:
            ws.append([escaped(v) for v in (c.unit_code, c.unit_name, c.post_label, c.full_name,
                       "; ".join(g.label for g in c.gaps), "; ".join(c.closing))])  # fmt: skip
    for cell in ws[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    finish_tables(wb)
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="chuan-hoa-{unit.code}-{at:%Y%m%d}.xlsx"'
    )
    return response
