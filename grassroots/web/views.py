"""Pages of the registry. Each view parses its input, fetches through accounts.access, calls one
query or service, and renders; anything outside the user's scope is a 404 (issue 4)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.accounts import access
from grassroots.accounts.models import Role
from grassroots.audit import queries as audit_queries
from grassroots.audit.models import AuditRecord
from grassroots.audit.services import Actor, log_profile_view
from grassroots.core.panels import member_panels
from grassroots.core.text import vietnamese
from grassroots.figures.queries import figures, members_at_query, members_by_unit
from grassroots.members import lifecycle
from grassroots.members import queries as member_queries
from grassroots.members import services as member_services
from grassroots.members.models import EventKind, Gender, MemberStint, Status
from grassroots.organizations.models import ChangeAction, Kind, Unit, UnitVersion
from grassroots.organizations.queries import (
    ancestors_at,
    children_at,
    display_version,
    on,
    subtree_ids,
    version_at,
)

from . import forms, presenters
from .dashboard import last_day
from .templatetags.vn import vdate

PAGE_SIZE = 50
CHILDREN_PAGE_SIZE = 100
LISTLESS_KINDS = (Kind.CENTRAL, Kind.PROVINCE, Kind.DISTRICT)


# --- small helpers ----------------------------------------------------------------------------


def form_page(request, form, title: str, back: str):
    """Every event and change form renders the same page: the form, a title, a way back."""
    return render(request, "web/form.html", {"form": form, "title": title, "back": back})


def _dates(request, *names: str) -> tuple[dict[str, dt.date | None], list[str]]:
    """The dates asked for in the query string (`at` defaults to today) and the inputs refused."""
    values: dict[str, dt.date | None] = {}
    errors = []
    for name in names:
        raw = request.GET.get(name, "").strip()
        day = forms.parse_day(raw) if raw else None
        if raw and day is None:
            errors.append(_("Ngày “%(value)s” không hợp lệ; hãy nhập dd/mm/yyyy.") % {"value": raw})
        values[name] = day
    if values.get("at") is None:
        values["at"] = timezone.localdate()
    return values, errors


def _visible_ids(user, day: dt.date, ids) -> set[int]:
    """The subset of `ids` inside the user's scope on `day`."""
    ids = set(ids)
    if access.sees_everything(user):
        return ids
    rows = access.only_visible_on(user, day, Unit.objects.filter(pk__in=ids), "pk")
    return set(rows.values_list("pk", flat=True))


def _children_page(
    request, unit: Unit | None, day: dt.date, since: dt.date | None = None
) -> tuple[list[dict], object]:
    """The page (`cpage`) of the organizations directly under `unit` on `day` that the user may
    see, and its rows (with their members on `since` too when comparing). A province has up to
    thousands of grassroots organizations directly under it since 2025: only the page shown is
    counted. Each row says in the same statement whether the child has children of its own."""
    children = access.only_visible_on(request.user, day, children_at(unit, day)).annotate(
        has_children=Exists(UnitVersion.objects.filter(on(day), parent_id=OuterRef("unit_id")))
    )
    number = request.GET.get("cpage")
    if number in (None, "", "1"):
        # The first page of a list that fits on it (a commune's cells, a district's communes):
        # its rows are the whole list, so no COUNT(*) is needed before reading them.
        first = list(children[: CHILDREN_PAGE_SIZE + 1])
        if len(first) <= CHILDREN_PAGE_SIZE:
            page = _CountedPaginator(first, CHILDREN_PAGE_SIZE, len(first)).get_page(1)
            return _child_rows(page, day, since), page
    page = Paginator(children, CHILDREN_PAGE_SIZE).get_page(number)
    return _child_rows(page, day, since), page


def _child_rows(versions, day: dt.date, since: dt.date | None = None) -> list[dict]:
    """One row per child (annotated with `has_children`, `_children_page`): members from the
    ledger for all of them in one grouped query (two when comparing), never a query per child."""
    versions = list(versions)
    ids = [v.unit_id for v in versions]
    counts = members_by_unit(ids, day)
    before = members_by_unit(ids, since) if since is not None else {}
    # The links are built here, the day formatted once: two {% url %} and two date filters per
    # row were a third of the tree page's CPU (docs/performance.md "Session 9").
    at = f"?at={day.isoformat()}"
    return [
        {
            "url": reverse("web:unit", args=[v.unit.code]) + at,
            "tree_url": reverse("web:tree_unit", args=[v.unit.code]) + at if v.has_children else "",
            "code": v.unit.code,
            "name": v.name,
            "kind": presenters.kind_label(v.kind),
            "type": presenters.type_label(v.grassroots_type),
            "members": counts[v.unit_id],
            "members_then": before.get(v.unit_id),
            "change": counts[v.unit_id] - before[v.unit_id] if v.unit_id in before else None,
            "has_children": v.has_children,
        }
        for v in versions
    ]


class _CountedPaginator(Paginator):
    """A paginator told its count (the ledger's total) instead of running COUNT(*) over the list."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        return self._count


def _path(user, unit: Unit, day: dt.date) -> list[UnitVersion]:
    if unit.pk == access.scope_id(user) and not access.sees_everything(user):
        return []  # on one day nothing above the scope lies inside it
    path = ancestors_at(unit, day)
    keep = _visible_ids(user, day, [v.unit_id for v in path])
    return [v for v in path if v.unit_id in keep]


def unit_from_code(user, code: str, field: str) -> Unit:
    """A unit named in a form; outside the scope reads exactly like a wrong code."""
    try:
        return access.get_unit_for_user(user, code)
    except Http404:
        raise ValidationError(
            {field: [_("Không tìm thấy tổ chức có mã %(code)s.") % {"code": code}]}
        ) from None


def visible_code(user, unit: Unit | None) -> str:
    if unit is None:
        return ""
    seen = access.only_ever_visible(user, Unit.objects.filter(pk=unit.pk)).exists()
    return unit.code if seen else ""


def _unit_history(user, unit: Unit, periods) -> dict:
    """Decisions about the unit and its audit trail; codes of units outside the scope masked.
    `periods`: `access.unit_periods_readable(user, unit)`."""
    # Only what was decided and recorded while the unit lay in the scope (issue 20 §9).
    changes = [
        c
        for c in unit.changes.prefetch_related("related_units")
        if access.in_periods(c.date, periods)
    ]
    records = [
        r
        for r in AuditRecord.objects.filter(object_type="unit", object_id=str(unit.pk))[:200]
        if access.in_periods(timezone.localdate(r.at), periods)
    ]
    codes = presenters.audit_codes(records) | {
        u.code for c in changes for u in c.related_units.all()
    }
    seen = access.only_ever_visible(user, Unit.objects.filter(code__in=codes))
    visible = dict(seen.values_list("pk", "code"))
    visible_by_id = {str(pk): code for pk, code in visible.items()}
    return {
        "changes": presenters.change_rows(changes, set(visible.values())),
        "history": presenters.audit_rows(records, visible_by_id),
    }


def _member_history(member, event_ids: list[int]) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(
            Q(object_type="member", object_id=str(member.pk))
            | Q(object_type="memberevent", object_id__in=[str(pk) for pk in event_ids])
        )[:200]
    )


# --- pages ------------------------------------------------------------------------------------


@login_required
def tree(request, code: str | None = None):
    dates, date_errors = _dates(request, "at")
    at = dates["at"]
    if code is None and request.user.scope_id:
        unit = access.scope_unit(request.user)
    else:
        unit = access.get_unit_for_user(request.user, code) if code else None
    if unit is not None and not request.GET.get("at"):
        at = last_day(unit, at)  # an ended organization opens on its last day, not on empty
    context = {"at": at, "date_errors": date_errors, "unit": unit}
    if unit is not None:
        current = version_at(unit, at)  # display_version(unit, at) when there is one
        context["version"] = current if current is not None else display_version(unit, at)
        context["visible"] = current is not None and access.can_see_unit_on(request.user, unit, at)
        context["path"] = _path(request.user, unit, at) if context["visible"] else []
    if unit is None or context["visible"]:
        context["children"], context["children_page"] = _children_page(request, unit, at)
    return render(request, "web/tree.html", context)


@login_required
def unit_detail(request, code: str):
    unit = access.get_unit_for_user(request.user, code)
    dates, date_errors = _dates(request, "at", "since")
    at, since = dates["at"], dates["since"]
    if not request.GET.get("at"):
        at = last_day(unit, at)  # an ended organization opens on its last day, not on empty
    if since is not None and since > at:
        date_errors.append(_("Ngày so sánh phải trước ngày xem."))
        since = None
    # The periods in which the unit lay in the scope, read once for the days asked, the name
    # shown, the history, the write right and today's development deadlines (None: no limit);
    # the approver's right is the clerk's plus the higher role.
    periods = access.unit_periods_readable(request.user, unit)
    visible = access.can_see_unit_on(request.user, unit, at, periods)
    if since is not None and not access.can_see_unit_on(request.user, unit, since, periods):
        date_errors.append(
            _("Vào ngày %(day)s tổ chức chưa thuộc phạm vi của tài khoản.") % {"day": vdate(since)}
        )
        since = None
    can_record = access.may_write_unit(request.user, unit, Role.CLERK, periods)
    current = version_at(unit, at)
    shown_day = access.nearest_visible_day(request.user, unit, at, periods)
    context = {
        "unit": unit,
        "at": at,
        "since": since,
        "date_errors": date_errors,
        # display_version(unit, at) is the version of `at` when there is one: not read twice
        "version": current
        if shown_day == at and current is not None
        else display_version(unit, shown_day),
        "exists": current is not None,
        "visible": visible,
        "can_approve": can_record and request.user.has_role(Role.APPROVER),
        "can_record": can_record,
        "actions": ChangeAction.choices,
        "unit_periods": periods,
        **_unit_history(request.user, unit, periods),
    }
    if visible:
        fig = figures(unit, at, since)
        # Above the grassroots level a name-sorted list would sort a whole district or province
        # (docs/performance.md); the list lives on grassroots pages and in the member search.
        listed = context["version"].kind not in LISTLESS_KINDS
        stints = (
            members_at_query(unit, at)
            .select_related("member", "unit")
            .order_by(vietnamese("member__full_name"), "member_id")
            if listed
            else members_at_query(unit, at).none()
        )
        # The ledger already holds the number of members on that day: no COUNT(*) over the list.
        total = fig.members if listed else 0
        page = _CountedPaginator(stints, PAGE_SIZE, total).get_page(request.GET.get("page"))
        context["members_listed"] = listed
        context["members_total"] = fig.members
        names = dict(
            UnitVersion.objects.filter(on(at), unit_id__in={s.unit_id for s in page}).values_list(
                "unit_id", "name"
            )
        )
        children, children_page = _children_page(request, unit, at, since)
        earlier = figures(unit, since) if since is not None else None
        context.update(
            path=_path(request.user, unit, at),
            children=children,
            children_page=children_page,
            figure_rows=presenters.figure_rows(fig, earlier),
            flow_rows=presenters.flow_rows(fig),
            page=page,
            # links and days built here, not by a {% url %} and a date filter per row of 50
            # (docs/performance.md "Session 10"; the child rows' likewise, session 9)
            member_rows=[
                {
                    "pk": s.member_id,
                    "url": reverse("web:member", args=[s.member_id]),
                    "name": s.member.full_name,
                    "birth_date": vdate(s.member.birth_date),
                    "status": Status(s.status).label,
                    "exempt": s.exempt,
                    "cell": f"{names.get(s.unit_id, '')} ({s.unit.code})",
                }
                for s in page
            ],
        )
    return render(request, "web/unit.html", context)


@login_required
def member_detail(request, pk: int):
    member = access.get_member_for_user(request.user, pk)
    log_profile_view(user=request.user, member=member, address=Actor.from_request(request).address)
    # A user whose view of the member ended sees the member as of that last day: status,
    # seniority, profile and audit lines of later days stay hidden (issue 20 §9).
    # Read once: three decisions below depend on the part of the member's life in the scope,
    # the offer of the event forms also on the end of the latest stint (same read).
    periods, last_end = access.member_periods_and_last_end(request.user, member)
    until = access.member_visible_until(request.user, member, periods)
    today = until or timezone.localdate()
    # The whole history decides status and seniority; only the part lived inside the scope is
    # shown. Events dated after today (recorded ahead) are not today's state: they are listed
    # as coming, not applied (issue 12 §7: an exemption from 2030 showed "được miễn" today).
    recorded = member_services.live_events(member)
    live = [member_services.as_ev(e) for e in recorded if e.date <= today]
    upcoming = [
        (EventKind(e.kind).label, e.date) for e in recorded if e.date > today and until is None
    ]
    events = list(
        access.member_events_visible(request.user, member, periods).select_related("corrected_by")
    )
    state = lifecycle.final_state(live)
    unit_ids = {e.unit_id for e in events if e.unit_id} | (
        {state.unit_id} if state.unit_id else set()
    )
    seen = access.only_ever_visible(request.user, Unit.objects.filter(pk__in=unit_ids))
    unit_names = {u.pk: (u.code, display_version(u, today).name) for u in seen}
    history = _member_history(member, [e.pk for e in events])
    profile = {f: getattr(member, f) for f in member_services.PROFILE_FIELDS}
    if until is not None:
        moment = _start_of(until + dt.timedelta(days=1))
        history = [r for r in history if r.object_type != "member" or r.at < moment]
        profile = audit_queries.values_as_of(member, member_services.PROFILE_FIELDS, moment)
    history_units = access.only_ever_visible(
        request.user, Unit.objects.filter(pk__in=presenters.audit_unit_ids(history))
    )
    days = lifecycle.seniority_days(live, today)
    context = {
        "member": member,
        "status": Status(state.status).label if state.status else "",
        "phase": state.phase,
        "exempt": state.exempt,
        "end_kind": EventKind(state.end_kind).label if state.end_kind else "",
        "upcoming": upcoming,
        "seniority_days": days,
        "seniority_years": days // 365,
        "probation_end": lifecycle.probation_end(state.probation_start)
        if state.probation_start
        else None,
        "cell": unit_names.get(state.unit_id),
        "timeline": presenters.timeline_rows(events, unit_names),
        "history": presenters.audit_rows(history, {str(u.pk): u.code for u in history_units}),
        "can_record": access.may_write_member(request.user, member, Role.CLERK, periods, last_end),
        "event_kinds": [(k.value, k.label) for k in forms.RECORDABLE_KINDS],
        "profile": [
            (member._meta.get_field(f).verbose_name, _profile_value(member, f, profile[f]))
            for f in member_services.PROFILE_FIELDS
        ],
        # Sections of other modules (core.panels): posts and qualifications, ...
        "panels": member_panels(request.user, member, today),
    }
    return render(request, "web/member.html", context)


def _profile_value(member, field: str, value) -> str:
    if field == "gender":
        return dict(Gender.choices).get(value, value)
    if field == "birth_date":
        # values from the audit trail are ISO strings
        return vdate(dt.date.fromisoformat(value) if isinstance(value, str) else value)
    return value


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


SEARCH_STATUSES = [
    ("", gettext_lazy("Mọi tình trạng")),
    ("official", gettext_lazy("Chính thức")),
    ("probationary", gettext_lazy("Dự bị")),
    ("exempt", gettext_lazy("Được miễn sinh hoạt")),
    ("ended", gettext_lazy("Không còn sinh hoạt")),
]


@login_required
def member_search(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    status = status if status in dict(SEARCH_STATUSES) else ""
    unit_code = request.GET.get("unit", "").strip()
    unit = access.get_unit_for_user(request.user, unit_code) if unit_code else None
    page = found = None
    rows = []
    if query:
        found = access.find_members(request.user, query, _search_filter(unit, status))
        paginator = Paginator(found.members, PAGE_SIZE)
        paginator.count = found.count  # capped: never count a whole province's Nguyễn
        page = paginator.get_page(request.GET.get("page"))
        rows = presenters.search_rows(page, _current_places(request.user, page))
    return render(
        request,
        "web/member_search.html",
        {
            "q": query,
            "page": page,
            "found": found,
            "rows": rows,
            "statuses": SEARCH_STATUSES,
            "status": status,
            "unit_code": unit.code if unit else "",
        },
    )


def _search_filter(unit: Unit | None, status: str):
    """Today's organization (its subtree) and status, as one filter on Member."""
    if not unit and not status:
        return None
    today = timezone.localdate()
    under = subtree_ids(unit, today) if unit else None
    if status == "ended":
        return member_queries.no_longer_member(under, today)
    return member_queries.current_place(under, status, today)


def _current_places(user, members) -> dict[int, tuple[str, str]]:
    """member id → (cell name, status label) of the open membership, for cells the user sees
    today; members elsewhere or no longer members get nothing (nothing outside the scope)."""
    today = timezone.localdate()
    stints = list(
        MemberStint.objects.filter(
            member_queries.open_on(today), member_id__in=[m.pk for m in members]
        )
    )
    seen = access.only_visible_on(
        user, today, UnitVersion.objects.filter(on(today), unit_id__in={s.unit_id for s in stints})
    )
    names = dict(seen.values_list("unit_id", "name"))
    out = {}
    for s in stints:
        if s.unit_id in names:
            label = _("Được miễn sinh hoạt") if s.exempt else Status(s.status).label
            out[s.member_id] = (names[s.unit_id], str(label))
    return out


# --- forms: organizations (approver) ----------------------------------------------------------
