"""Villages and population pages (issue 2 §4). Same shape as views.py: parse, fetch through
accounts.access, call one query or service, render; outside the scope is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit.services import Actor
from grassroots.figures.queries import villages_at as village_counts
from grassroots.organizations.models import GrassrootsType
from grassroots.organizations.queries import display_version, version_at
from grassroots.territory import queries as territory
from grassroots.territory import services as territory_services
from grassroots.territory.models import CellArrangement

from . import territory_forms as forms
from .templatetags.vn import vdate
from .views import PAGE_SIZE, _dates, _path, form_page, unit_from_code


def _is_commune(version) -> bool:
    return (
        version is not None
        and version.kind in territory_services.COMMUNE_KINDS
        and version.grassroots_type == GrassrootsType.COMMUNE
    )


def _cell(user, code: str):
    return unit_from_code(user, code, "cell") if code else None


@login_required
def villages(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    dates, date_errors = _dates(request, "at")
    at = dates["at"]
    visible = access.can_see_unit_on(request.user, unit, at)
    context = {
        "unit": unit,
        "at": at,
        "date_errors": date_errors,
        "version": display_version(unit, at),
        "visible": visible,
        "can_record": access.may_write_unit(request.user, unit, Role.CLERK)
        and _is_commune(version_at(unit, at)),
    }
    if visible:
        # The counts are the figures' own (one grouped read); the list is paged.
        counts = village_counts(unit.pk, at)
        page = Paginator(territory.village_versions_at(unit, at), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            path=_path(request.user, unit, at),
            page=page,
            rows=territory.village_rows(page, at),
            total=sum(counts.values()),
            count_rows=[
                (CellArrangement(key).label, counts[key]) for key in CellArrangement.values
            ],
        )
    return render(request, "web/villages.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request, code: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    form = forms.VillageCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            territory_services.village_create(
                actor=Actor.from_request(request),
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                unit=unit,
                arrangement=data["arrangement"],
                cell=_cell(request.user, data["cell_code"]),
                date=data["date"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã thêm thôn, bản, tổ dân phố."))
            return _back_to_list(unit, data["date"])
    title = _("Thêm thôn, bản, tổ dân phố vào %(name)s") % {
        "name": display_version(unit, timezone.localdate()).name
    }
    return form_page(request, form, title, reverse("web:villages", args=[unit.code]))


@login_required
@require_http_methods(["GET", "POST"])
def village_arrangement(request, code: str, village: str):
    unit = access.get_unit_for_user(request.user, code, role=Role.CLERK)
    found = territory.village_of_unit(unit, village)
    if found is None:
        raise Http404
    form = forms.ArrangementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if territory.village_elsewhere_on(found, unit, data["date"]):
                raise ValidationError(
                    {
                        "date": [
                            _("Vào ngày %(day)s %(village)s không thuộc %(unit)s.")
                            % {"day": vdate(data["date"]), "village": found.name, "unit": unit.code}
                        ]
                    }
                )
            territory_services.village_change_arrangement(
                actor=Actor.from_request(request),
                village=found,
                arrangement=data["arrangement"],
                cell=_cell(request.user, data["cell_code"]),
                date=data["date"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi thay đổi tình trạng chi bộ."))
            return _back_to_list(unit, data["date"])
    title = _("Tình trạng chi bộ: %(name)s (%(code)s)") % {"name": found.name, "code": found.code}
    return render(
        request,
        "web/village_arrangement.html",
        {
            "form": form,
            "title": title,
            "timeline": _visible_timeline(request.user, found),
            "back": reverse("web:villages", args=[unit.code]),
        },
    )


def _visible_timeline(user, village) -> list:
    """The village's steps, with codes of organizations outside the scope masked."""
    steps = territory.village_timeline(village)
    codes = {s.unit_code for s in steps} | {s.cell_code for s in steps if s.cell_code}
    seen = set(
        access.units_ever_visible(user).filter(code__in=codes).values_list("code", flat=True)
    )
    return [
        {
            "valid_from": s.valid_from,
            "valid_to": s.valid_to,
            "unit": s.unit_code if s.unit_code in seen else "…",
            "arrangement": s.arrangement_label,
            "cell": (s.cell_code if s.cell_code in seen else "…") if s.cell_code else "",
        }
        for s in steps
    ]


def _back_to_list(unit, day):
    return redirect(f"{reverse('web:villages', args=[unit.code])}?at={day.isoformat()}")


@login_required
@require_http_methods(["GET", "POST"])
def population(request, code: str):
    role = Role.CLERK if request.method == "POST" else Role.VIEWER
    unit = access.get_unit_for_user(request.user, code, role=role)
    form = forms.PopulationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            territory_services.population_set(
                actor=Actor.from_request(request),
                unit=unit,
                year=data["year"],
                population=data["population"],
            )
        except ValidationError as error:
            form.apply_service_errors(error)
        else:
            messages.success(request, _("Đã ghi dân số năm %(year)s.") % {"year": data["year"]})
            return redirect("web:population", code=unit.code)
    today = timezone.localdate()
    return render(
        request,
        "web/population.html",
        {
            "unit": unit,
            "version": display_version(unit, today),
            "rows": territory.population_by_year(unit),
            "form": form,
            "can_record": access.may_write_unit(request.user, unit, Role.CLERK),
        },
    )
