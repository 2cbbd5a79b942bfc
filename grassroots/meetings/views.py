"""Pages of the meeting book: the book of an organization (meetings, figures, flags, watch
list), recording a meeting, marking attendance, the meeting with its minutes (approve, correct,
download), and the member's own page. Thin: parse, fetch through accounts.access, call one
service or query, render. Outside the scope is a 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core.text import vietnamese
from grassroots.excel.views import queue_upload
from grassroots.organizations.queries import display_version

from . import forms, queries, services, sheet
from . import minutes as minutes_doc
from .models import Mark, Meeting, MeetingKind


def get_meeting_for_user(user, pk: int, *, role: str = Role.VIEWER) -> Meeting:
    """The meeting if its organization lies in the user's scope on the meeting date; writes also
    need the role and the organization in the scope today."""
    meeting = Meeting.objects.filter(pk=pk, voided_at__isnull=True).select_related("unit").first()
    if meeting is None or not access.can_see_unit_on(user, meeting.unit, meeting.date):
        raise Http404("Không tìm thấy buổi sinh hoạt.")
    access.require_role(user, role)
    if role != Role.VIEWER:
        access.require_writable_unit(user, meeting.unit)
    return meeting


def _year(request, default: int) -> int:
    latest = timezone.localdate().year + 1
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 1900 <= year <= latest else default


@login_required
def book(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    periods = access.visible_period(request.user, unit)
    last = periods[-1][1] if periods else None
    today = timezone.localdate()
    latest = min(today, last - dt.timedelta(days=1)) if last else today
    year = min(_year(request, latest.year), latest.year + 1)
    since, until = dt.date(year, 1, 1), min(dt.date(year, 12, 31), latest)
    if until < since:
        raise Http404("Ngoài phạm vi.")
    meetings = list(
        queries.meetings_under(unit, since, until, held=False).select_related("unit")[:500]
    )
    # One name per organization shown (as of its last meeting in the list), not one per meeting.
    last_meeting = {}
    for m in meetings:
        if m.unit_id not in last_meeting or m.date > last_meeting[m.unit_id].date:
            last_meeting[m.unit_id] = m
    names = {uid: display_version(m.unit, m.date).name for uid, m in last_meeting.items()}
    summary = queries.summary(unit, since, until)
    average = summary["quality_average"]
    context = {
        "unit": unit,
        "name": display_version(unit, until).name,
        "year": year,
        "years": list(range(latest.year, max(latest.year - 10, 1999), -1)),
        "since": since,
        "until": until,
        "summary": summary,
        "quality_average": "–" if average is None else f"{average:.1f}".replace(".", ","),
        "rows": [(m, names[m.unit_id], queries.meeting_flags(m)) for m in meetings],
        "missed": _missed(unit, since, until),
        "watch": queries.watch_list(unit, since, until),
        "can_write": access.may_write_unit(request.user, unit),
        "quality": queries.quality_book(unit, since, until),
        "quality_months": _quality_months(request.user, unit, since, until),
    }
    return render(request, "meetings/book.html", context)


def _quality_months(user, unit, since, until) -> list[tuple[int, int, str]]:
    """The months a clerk may score, when the book is a cell's."""
    from grassroots.organizations.models import MEMBER_KINDS

    if not access.may_write_unit(user, unit, Role.CLERK):
        return []
    if display_version(unit, until).kind not in MEMBER_KINDS:
        return []
    return [(since.year, m, f"{m:02d}/{since.year}") for m in range(1, until.month + 1)]


def _missed(unit, since, until) -> list[tuple[str, str]]:
    from grassroots.organizations.models import Unit

    rows = queries.missed_months(unit, since, until)[:200]
    units = Unit.objects.in_bulk({cell for cell, _y, _m in rows})
    names: dict[int, str] = {}  # one name per cell (as of its first missed month), not per row
    for c, y, m in rows:
        if c not in names:
            names[c] = display_version(units[c], dt.date(y, m, 1)).name
    return [(names[c], f"{m:02d}/{y}") for c, y, m in rows]


@login_required
@require_http_methods(["GET", "POST"])
def quality(request, code: str, year: int, month: int):
    """A cell's self-assessment of one month's meetings (optional; the sheet in force then)."""
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    if not 1 <= month <= 12 or not 1900 <= year <= timezone.localdate().year:
        raise Http404("Không có tháng này.")
    sheet_, current = queries.quality_of_month(unit, year, month)
    initial = {"note": current.note, **current.scores} if current else {}
    form = forms.QualityForm(request.POST or None, initial=initial, sheet=sheet_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.quality_record(
                actor=Actor.from_request(request), unit=unit, year=year, month=month,
                scores={k: data[k] for k in form.criteria}, note=data["note"],
            )  # fmt: skip
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi tự đánh giá chất lượng sinh hoạt."))
            return redirect(f"{reverse('meetings:book', args=[unit.code])}?year={year}")
    title = _("Tự đánh giá chất lượng sinh hoạt tháng %(month)s – %(name)s") % {
        "month": f"{month:02d}/{year}",
        "name": display_version(unit, timezone.localdate()).name,
    }
    back = f"{reverse('meetings:book', args=[unit.code])}?year={year}"
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def record(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    initial = {"kind": MeetingKind.REGULAR, "agenda": forms.AGENDA_TEMPLATE}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_record(
                actor=Actor.from_request(request), unit=unit, **form.cleaned_data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi buổi sinh hoạt. Hãy điểm danh."))
            return redirect("meetings:attendance", pk=meeting.pk)
    title = _("Ghi buổi sinh hoạt của %(name)s") % {
        "name": display_version(unit, timezone.localdate()).name
    }
    back = reverse("meetings:book", args=[unit.code])
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


@login_required
def meeting(request, pk: int):
    m = get_meeting_for_user(request.user, pk)
    marks = list(
        m.marks.select_related("member").order_by(vietnamese("member__full_name"), "member_id")
    )
    can_write = access.may_write_unit(request.user, m.unit)
    context = {
        "m": m,
        "name": display_version(m.unit, m.date).name,
        "coverage": queries.attendance_of(m),
        "flags": queries.meeting_flags(m),
        "drift": queries.drift(m),
        "absent": [a for a in marks if a.mark != Mark.PRESENT],
        "extra": [a for a in marks if a.mark == Mark.PRESENT],
        "corrections": m.corrections.order_by("made_at"),
        "can_write": can_write and not m.approved,
        "can_correct": can_write and m.approved,
        "correction_form": forms.CorrectionForm(),
        "tracks": True,
        "committee": m.kind == MeetingKind.COMMITTEE,
    }
    return render(request, "meetings/meeting.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request, pk: int):
    m = get_meeting_for_user(request.user, pk, role=Role.CLERK)
    people = queries.meeting_list(m.unit, m.kind, m.date)
    current = {a.member_id: (a.mark, a.reason) for a in m.marks.all()}
    error = None
    if request.method == "POST":
        marks = {}
        for p in people:
            value = request.POST.get(f"mark_{p.member_id}", "")
            if value and value in Mark.values and (value != Mark.PRESENT or not p.expected):
                marks[p.member_id] = (value, request.POST.get(f"reason_{p.member_id}", ""))
        try:
            services.attendance_mark(actor=Actor.from_request(request), meeting=m, marks=marks)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            messages.success(request, _("Đã ghi điểm danh."))
            return redirect("meetings:meeting", pk=m.pk)
    rows = [(p, *current.get(p.member_id, ("", ""))) for p in people]
    context = {
        "m": m,
        "name": display_version(m.unit, m.date).name,
        "rows": rows,
        "error": error,
        "locked": m.approved,
    }
    return render(request, "meetings/attendance.html", context)


@login_required
@require_POST
def approve(request, pk: int):
    m = get_meeting_for_user(request.user, pk, role=Role.CLERK)
    try:
        services.minutes_approve(actor=Actor.from_request(request), meeting=m)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Biên bản đã được thông qua và khóa."))
    return redirect("meetings:meeting", pk=m.pk)


@login_required
@require_POST
def correct(request, pk: int):
    m = get_meeting_for_user(request.user, pk, role=Role.CLERK)
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần chọn mục, nội dung mới và lý do đính chính."))
        return redirect("meetings:meeting", pk=m.pk)
    data = form.cleaned_data
    try:
        services.minutes_correct(
            actor=Actor.from_request(request), meeting=m, reason=data["reason"],
            **{data["field"]: data["value"]},
        )  # fmt: skip
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Đã ghi đính chính."))
    return redirect("meetings:meeting", pk=m.pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    periods = access.visible_period(request.user, unit)
    last = periods[-1][1] if periods else None
    today = timezone.localdate()
    latest = min(today, last - dt.timedelta(days=1)) if last else today
    year = min(_year(request, latest.year), latest.year)
    until = min(dt.date(year, 12, 31), latest)
    response = HttpResponse(
        sheet.export_meetings(unit, dt.date(year, 1, 1), until), content_type=XLSX
    )
    response["Content-Disposition"] = f'attachment; filename="sinh-hoat-{unit.code}-{year}.xlsx"'
    return response


@login_required
@require_POST
def import_sheet(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    return queue_upload(request, reverse("meetings:book", args=[unit.code]))


FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@login_required
def minutes(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404("Không có định dạng này.")
    m = get_meeting_for_user(request.user, pk)
    render_ = minutes_doc.render_docx if fmt == "docx" else minutes_doc.render_pdf
    response = HttpResponse(render_(m), content_type=FORMATS[fmt])
    name = f"bien-ban-{m.unit.code}-{m.date:%Y%m%d}-{m.start:%H%M}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def mine(request):
    """A member's own page (role "đảng viên"): their record, their cell's meetings (time,
    place, agenda, documents) and their attendance. Works at 375 px."""
    user = request.user
    if getattr(user, "role", None) != Role.MEMBER or user.member_id is None:
        raise PermissionDenied("Trang này dành cho tài khoản đảng viên.")
    member = user.member
    today = timezone.localdate()
    year = _year(request, 0) if request.GET.get("year") else 0
    if year:
        since, until = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:  # the last twelve months and what is planned
        since, until = today - dt.timedelta(days=365), today + dt.timedelta(days=60)
    rows = queries.member_attendance(member, since, until)
    stint = member.stints.order_by("-start").first()
    held = [r for r in rows if r.mark]
    context = {
        "member": member,
        "cell": display_version(stint.unit, today).name if stint else "",
        "stint": stint,
        "rows": rows,
        "held": len(held),
        "present": sum(r.mark == Mark.PRESENT for r in held),
        "absent_unexcused": sum(r.mark == Mark.UNEXCUSED for r in held),
        "year": year,
        "years": list(range(today.year, today.year - 10, -1)),
    }
    return render(request, "meetings/mine.html", context)
