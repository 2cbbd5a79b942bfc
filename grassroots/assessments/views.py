"""Pages of the annual assessment. Thin: parse, fetch through accounts.access (outside the scope
→ 404), call one query or service, render. The services decide authority (403) and rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.core import limits
from grassroots.core.text import sort_key
from grassroots.members.models import Member
from grassroots.organizations.models import UnitAncestry
from grassroots.organizations.queries import on
from grassroots.web.forms import parse_day

from . import approval, follow_up, presenters
from . import queries as q
from . import services as svc
from . import sheet as xlsx
from .models import Round, Scheme, Step, Subject


def _round_for_user(user, pk: int, code: str, role: str = Role.VIEWER):
    """The round and the unit of its subtree the page is about; 404 unless both are visible."""
    rnd = get_object_or_404(Round.objects.select_related("scheme", "unit"), pk=pk)
    unit = access.get_unit_for_user(user, code, role=role)
    day = q.year_end(rnd.year)
    # The round counts the tree as of its year's end: the unit must be in scope then, not merely
    # at some time (issue 20 §4).
    access.require_unit_visible_on(user, unit, day)
    if not UnitAncestry.objects.filter(on(day), ancestor=rnd.unit, descendant=unit).exists():
        raise Http404("Không tìm thấy tổ chức trong đợt đánh giá.")
    return rnd, unit


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def index(request):
    """Rounds touching the user's scope, and the form to open one."""
    rounds = q.rounds_visible(request.user)
    scope = request.user.scope
    return render(
        request,
        "assessments/index.html",
        {
            "rounds": rounds[:100],
            "scope": scope,
            "can_open": request.user.has_role(Role.APPROVER),
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def round_open(request):
    unit = access.get_unit_for_user(request.user, request.POST.get("unit", ""), role=Role.APPROVER)
    try:
        year = int(request.POST.get("year", ""))
        rnd = svc.round_open(actor=Actor.from_request(request), unit=unit, year=year)
    except ValueError:
        messages.error(request, "Năm không hợp lệ.")
        return redirect("assessments:index")
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("assessments:index")
    messages.success(
        request, f"Đã mở đợt đánh giá năm {rnd.year} cho {unit.code} ({rnd.scheme.name})."
    )
    return redirect("assessments:sheet", pk=rnd.pk, code=unit.code)


@login_required
def schemes(request):
    items = Scheme.objects.prefetch_related("levels", "rules").order_by("first_year")
    schemes = [
        {
            "scheme": s,
            "note": presenters.plain_source(s.note),
            "rules": presenters.rule_rows(s.rules.all()),
        }
        for s in items
    ]
    return render(request, "assessments/schemes.html", {"schemes": schemes})


# A page of the sheet posts at most SHEET_PAGE_SIZE rows of 7 fields: under Django's 1,000-field
# limit (DATA_UPLOAD_MAX_NUMBER_FIELDS) whatever the size of the subtree (issue 11: a commune of
# 960 members could not be saved), and a province sheet is no longer one 4 MB page.
SHEET_PAGE_SIZE = 100


@login_required
def sheet(request, pk: int, code: str):
    """The rating sheet of one organization's subtree in a round, a page of rows at a time; the
    forms are offered only to those the services would let act, and never once locked."""
    rnd, unit = _round_for_user(request.user, pk, code)
    day = q.year_end(rnd.year)
    due = q.organizations_due(unit, rnd.year)
    rows = xlsx.sheet_rows(rnd, unit, due)
    page = Paginator(rows, SHEET_PAGE_SIZE).get_page(request.GET.get("page"))
    actions = q.last_actions(rnd)
    locked = q.locked_by(rnd, [unit.pk])
    children = [v for v in due.values() if v.parent_id == unit.pk]
    version = due.get(unit.pk) or unit.versions.filter(on(day)).first()
    user = request.user
    may_approve = access.may_act_for(user, q.parent_on(unit.pk, day), day, Role.APPROVER)
    return render(
        request,
        "assessments/sheet.html",
        {
            "round": rnd,
            "unit": unit,
            "unit_name": version.name if version else unit.code,
            "page": page,
            "rows": xlsx.with_year_facts(list(page.object_list), rnd.year),
            "levels_org": q.levels_of(rnd.scheme, Subject.ORGANIZATION),
            "levels_member": q.levels_of(rnd.scheme, Subject.MEMBER),
            "steps": Step.choices,
            "action": actions.get(unit.pk),
            "locked": locked.get(unit.pk),
            "editable": unit.pk not in locked and access.may_write_unit(user, unit, Role.CLERK),
            "can_approve": may_approve and unit.pk not in locked,
            "can_send_back": may_approve,
            "can_export": access.may_write_unit(user, unit, Role.CLERK),
            "children": sorted(children, key=lambda v: sort_key(v.name)),
            "rules": rnd.scheme.rules.all(),
        },
    )


def _back_to_sheet(request, pk: int, code: str):
    url = reverse("assessments:sheet", args=[pk, code])
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@login_required
@require_POST
def sheet_save(request, pk: int, code: str):
    """One step for the rows filled in on the page shown, all or nothing."""
    rnd, unit = _round_for_user(request.user, pk, code, role=Role.CLERK)
    step = request.POST.get("step", "")
    if step not in Step.values:
        messages.error(request, "Chọn bước: tự đánh giá, đề xuất hoặc quyết định.")
        return _back_to_sheet(request, pk, code)
    entries = []
    # Looked up inside the user's scope only: a number or code outside it is a 404 exactly like
    # one that does not exist (issue 20 §8 — the save used to name the member it found).
    profiles = xlsx.members_by_number(
        request.user, [k[len("level_m_") :] for k in request.POST if k.startswith("level_m_")]
    )
    units = xlsx.units_by_code(
        request.user, [k[len("level_o_") :] for k in request.POST if k.startswith("level_o_")]
    )
    for key, value in request.POST.items():
        if not value or not key.startswith("level_"):
            continue
        kind, ident = key[len("level_")], key[len("level_x_") :]
        facts = {f: request.POST.get(f"{f}_{kind}_{ident}", "") for f in svc.FACT_KEYS}
        entry = svc.Entry(
            level=value,
            score=request.POST.get(f"score_{kind}_{ident}") or None,
            facts={k: v for k, v in facts.items() if v},
            note=request.POST.get(f"note_{kind}_{ident}", ""),
        )
        found = profiles.get(ident) if kind == "m" else units.get(ident.upper())
        if found is None:
            raise Http404
        if kind == "m":
            entry.member = found
        else:
            entry.unit = found
        entries.append(entry)
    if not entries:
        messages.error(request, "Chưa chọn mức xếp loại nào.")
        return _back_to_sheet(request, pk, code)
    try:
        done = svc.assessment_record_many(
            actor=Actor.from_request(request), round=rnd, step=step, entries=entries
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã ghi {len(done)} kết quả ({Step(step).label.lower()}).")
    return _back_to_sheet(request, pk, code)


@login_required
@require_POST
def approve(request, pk: int, code: str):
    rnd, unit = _round_for_user(request.user, pk, code, role=Role.APPROVER)
    try:
        approval.round_approve(
            actor=Actor.from_request(request),
            round=rnd,
            unit=unit,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã phê duyệt và khóa kết quả của {unit.code}.")
    return redirect("assessments:sheet", pk=pk, code=code)


@login_required
@require_POST
def send_back(request, pk: int, code: str):
    rnd, unit = _round_for_user(request.user, pk, code, role=Role.APPROVER)
    try:
        approval.round_send_back(
            actor=Actor.from_request(request),
            round=rnd,
            unit=unit,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã trả lại kết quả của {unit.code}.")
    return redirect("assessments:sheet", pk=pk, code=code)


@login_required
def export(request, pk: int, code: str):
    rnd, unit = _round_for_user(request.user, pk, code, role=Role.CLERK)
    response = HttpResponse(
        xlsx.export_xlsx(rnd, unit),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="xep-loai-{rnd.year}-{unit.code}.xlsx"'
    return response


@login_required
@require_POST
def import_sheet(request, pk: int, code: str):
    rnd, unit = _round_for_user(request.user, pk, code, role=Role.CLERK)
    upload = request.FILES.get("file")
    step = request.POST.get("step", "")
    if upload is None or step not in Step.values:
        messages.error(request, "Chọn tệp .xlsx và bước cần nhập.")
        return redirect("assessments:sheet", pk=pk, code=code)
    try:
        count = xlsx.import_xlsx(
            actor=Actor.from_request(request), rnd=rnd, step=step, data=upload.read()
        )
    except xlsx.SheetError as exc:
        for line in str(exc).splitlines():
            messages.error(request, line)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã nhập {count} kết quả từ tệp.")
    return redirect("assessments:sheet", pk=pk, code=code)


@login_required
def results(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    years = access.years_visible(request.user, unit, q.rated_years(unit))
    try:
        year = int(request.GET.get("year") or (years[-1] if years else _last_year(request, unit)))
    except ValueError:
        year = None
    if not limits.is_year(year):  # 0, -5, 99999, 30 digits: 400, not a 500 (issue 20 §14)
        raise BadRequest(limits.year_problem(year))
    access.require_unit_visible_on(request.user, unit, q.year_end(year))
    summary = q.summary(unit, year)
    not_rated_members = Member.objects.filter(pk__in=summary.not_rated_member_ids[:200])
    return render(
        request,
        "assessments/results.html",
        {
            "unit": unit,
            "year": year,
            "years": years,
            "summary": summary,
            "trend": q.trend(
                unit, access.years_visible(request.user, unit, range(years[0], years[-1] + 1))
            )
            if years
            else [],
            "not_rated_members": not_rated_members,
            "weak": q.weak_organizations(unit, year, summary.organizations_due),
            "removal": q.removal_candidates(unit, year, summary.organizations_due),
            "can_plan": request.user.has_role(Role.CLERK),
        },
    )


def _last_year(request, unit) -> int:
    """The latest year up to this one at whose end the unit lay in the user's scope."""
    this_year = timezone.localdate().year
    seen = access.years_visible(request.user, unit, range(unit.established.year, this_year + 1))
    return seen[-1] if seen else this_year


@login_required
@require_POST
def plan_save(request, code: str, year: int):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)

    deadline_raw = request.POST.get("deadline", "").strip()
    deadline = parse_day(deadline_raw) if deadline_raw else None
    viewer = access.get_unit_for_user(request.user, request.POST.get("from") or code)
    back = reverse("assessments:results", args=[viewer.code]) + f"?year={year}"
    if deadline_raw and deadline is None:
        messages.error(request, "Thời hạn không hợp lệ; hãy nhập dd/mm/yyyy.")
        return redirect(back)
    try:
        follow_up.consolidation_plan_save(
            actor=Actor.from_request(request),
            unit=unit,
            year=year,
            measures=request.POST.get("measures", ""),
            responsible=request.POST.get("responsible", ""),
            deadline=deadline,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"Đã lưu kế hoạch củng cố của {unit.code}.")
    return redirect(back)
