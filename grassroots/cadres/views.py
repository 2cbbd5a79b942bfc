"""Pages: an organization's committee as of a date and its history by term, the course register
and a course's enrolments (enrol from a member search, record results), the standards gap list
(and its Excel export). Thin: parse, fetch through accounts.access, call one service or query,
render. Outside the scope is a 404."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core.text import vietnamese
from grassroots.excel.injection import escaped
from grassroots.organizations.models import Unit
from grassroots.organizations.queries import display_version, subtree_ids, version_at
from grassroots.web.forms import parse_day

from . import config, queries, services, standards
from .models import Course, CourseKind, Enrolment, Post, QualKind, Result, Subject


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
    return render(request, "cadres/committee.html", context)


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
    visible = access.members_visible(request.user)
    enrolments = (
        Enrolment.objects.filter(course=course, voided_at__isnull=True, member__in=visible)
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
    summary = standards.summary(unit, at) if visible else None
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
    wb.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="chuan-hoa-{unit.code}-{at:%Y%m%d}.xlsx"'
    )
    return response
