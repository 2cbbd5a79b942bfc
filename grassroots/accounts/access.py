"""Who may see and change what. Every view, export, search, API call and command goes through
these functions; nothing checks access on its own (style.md habit 4).

A user's scope is one organization; they see its subtree as it was on each date. Something
outside the scope is treated exactly like something that does not exist (404).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from grassroots.audit.models import ProfileView, Source
from grassroots.core.dates import FAR_FUTURE, vn
from grassroots.derived import name_index as search_index
from grassroots.members import queries as member_queries
from grassroots.members.models import Member, MemberEvent, MemberStint
from grassroots.organizations.models import Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .models import Role, User


def sees_everything(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def scope_id(user) -> int | None:
    """The organization whose subtree the user sees, or None (nothing; superusers see all)."""
    return _scope_id(user)


def _scope_id(user) -> int | None:
    if not user.is_authenticated or not user.is_active:
        return None
    if getattr(user, "role", None) == Role.MEMBER:
        return None  # a member's own account sees no subtree, only their record (issue 14)
    return user.scope_id


def units_ever_visible(user) -> QuerySet:
    """Units that were inside the user's scope at some time: the listing form.

    The scope's closure rows drive it (`pk IN (subquery)`), which is the cheap plan for listing a
    scope's units. To check a few rows already chosen (by code, by id, a page), use
    `only_ever_visible`: SQLite builds the whole subquery first, the scope's entire subtree (the
    country's 360,000 units for a national account), before keeping one row.
    """
    if sees_everything(user):
        return Unit.objects.all()
    scope = _scope_id(user)
    if scope is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        pk__in=UnitAncestry.objects.filter(ancestor_id=scope).values("descendant_id")
    )


def unit_ids_visible_on(user, day: dt.date) -> QuerySet | None:
    """Ids under the scope on `day` (a subquery), or None meaning no restriction.

    The listing form, like `units_ever_visible`; `only_visible_on` narrows rows already chosen.
    """
    if sees_everything(user):
        return None
    scope = _scope_id(user)
    if scope is None:
        return UnitAncestry.objects.none().values("descendant_id")
    return UnitAncestry.objects.filter(on(day), ancestor_id=scope).values("descendant_id")


# The same rules as the two functions above, as a test on each row of a queryset the caller has
# already narrowed: a correlated EXISTS probed through the closure's (descendant, valid_from)
# index, so the cost follows the rows kept, not the size of the scope. Same rows as
# `field__in=units_ever_visible(...)` / `field__in=unit_ids_visible_on(...)`.


def only_ever_visible(user, rows: QuerySet, field: str = "pk") -> QuerySet:
    """`rows` narrowed to those whose unit (in `field`) was inside the user's scope at some time."""
    if sees_everything(user):
        return rows
    scope = _scope_id(user)
    if scope is None:
        return rows.none()
    return rows.filter(
        Exists(UnitAncestry.objects.filter(ancestor_id=scope, descendant_id=OuterRef(field)))
    )


def only_visible_on(user, day: dt.date, rows: QuerySet, field: str = "unit_id") -> QuerySet:
    """`rows` narrowed to those whose unit (in `field`) lies inside the user's scope on `day`."""
    if sees_everything(user):
        return rows
    scope = _scope_id(user)
    if scope is None:
        return rows.none()
    return rows.filter(
        Exists(
            UnitAncestry.objects.filter(on(day), ancestor_id=scope, descendant_id=OuterRef(field))
        )
    )


def only_issuers_visible(user, rows: QuerySet, field: str = "issuer_id") -> QuerySet:
    """`rows` (documents) narrowed to those the user may read: issued by a central body (no
    issuer: every account with a scope reads them), by an organization that was inside the
    scope at some time, or by one that was above the scope at some time (the directives an
    organization receives from its superiors). A sibling district's documents stay hidden."""
    if sees_everything(user):
        return rows
    scope = _scope_id(user)
    if scope is None:
        return rows.none()
    # Two uncorrelated subqueries (the scope's descendants and ancestors, built once) rather
    # than EXISTS per row: a full-text search hitting 90,000 documents probed the closure twice
    # per hit (bench/documents_bench.py, docs/performance.md "Directives").
    below = UnitAncestry.objects.filter(ancestor_id=scope).values("descendant_id")
    above = UnitAncestry.objects.filter(descendant_id=scope).values("ancestor_id")
    return rows.filter(
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__in": below})
        | Q(**{f"{field}__in": above})
    )


def versions_visible_on(user, day: dt.date) -> QuerySet:
    qs = UnitVersion.objects.filter(on(day))
    ids = unit_ids_visible_on(user, day)
    return qs if ids is None else qs.filter(unit_id__in=ids)


def can_see_unit_on(user, unit: Unit, day: dt.date, periods=None) -> bool:
    """`unit` lies inside the user's scope on `day`. `periods`: `visible_period(user, unit)` when
    the caller has read it already (the closure rows of the scope and the unit: a page asking
    about several days reads them once instead of probing once per day)."""
    if sees_everything(user):
        return True
    scope = _scope_id(user)
    if scope is None:
        return False
    if periods is not None:
        return any(start <= day and (end is None or day < end) for start, end in periods)
    return UnitAncestry.objects.filter(on(day), ancestor_id=scope, descendant=unit).exists()


def visible_period(user, unit: Unit) -> list[tuple[dt.date, dt.date | None]]:
    """The intervals in which `unit` was inside the user's scope (all of its life for superusers)."""
    if sees_everything(user):
        return [(unit.established, unit.ended)]
    rows = UnitAncestry.objects.filter(ancestor_id=_scope_id(user), descendant=unit).order_by(
        "valid_from"
    )
    return list(rows.values_list("valid_from", "valid_to"))


def require_unit_visible_on(user, unit: Unit, day: dt.date) -> None:
    """404 unless `unit` lay inside the user's scope on `day` (pages about one date)."""
    if not can_see_unit_on(user, unit, day):
        raise Http404("Không tìm thấy tổ chức.")


def years_visible(user, unit: Unit, years) -> list[int]:
    """The years among `years` at whose end (31/12, the day an annual rating counts members and
    organizations, domain.md §3) `unit` lay inside the user's scope."""
    periods = visible_period(user, unit)
    out = []
    for year in years:
        day = dt.date(year, 12, 31)
        if any(start <= day and (end is None or day < end) for start, end in periods):
            out.append(year)
    return out


# --- Reading through time: nothing after the user's view ended, nothing before it began ------


def nearest_visible_day(user, unit: Unit, day: dt.date, periods=None) -> dt.date:
    """`day` if `unit` lay inside the scope then; otherwise the nearest day it did: the last day
    of an earlier visible period (a district clerk after the 2025 dissolution sees the commune
    as it was on 30/06/2025, not its name today), else the first day of a later one.
    `periods`: `visible_period(user, unit)` when the caller has read it already."""
    if sees_everything(user):
        return day
    periods = visible_period(user, unit) if periods is None else periods
    if not periods or any(s <= day and (e is None or day < e) for s, e in periods):
        return day
    before = [e - dt.timedelta(days=1) for _, e in periods if e is not None and e <= day]
    return max(before) if before else min(s for s, _ in periods)


def unit_periods_readable(user, unit: Unit) -> list[tuple[dt.date, dt.date | None]] | None:
    """The periods whose dated decisions and audit lines about `unit` the user may read (end day
    included, like member events); None means no limit (superusers)."""
    return None if sees_everything(user) else visible_period(user, unit)


def unit_periods_visible_many(user, unit_ids) -> dict[int, list] | None:
    """`visible_period` for many units in one query (exports); None means no limit."""
    if sees_everything(user):
        return None
    scope = _scope_id(user)
    out: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    if scope is None:
        return out
    rows = UnitAncestry.objects.filter(ancestor_id=scope, descendant_id__in=list(unit_ids))
    for unit_id, start, end in rows.order_by("valid_from").values_list(
        "descendant_id", "valid_from", "valid_to"
    ):
        out.setdefault(unit_id, []).append((start, end))
    return out


def overlaps_periods(
    start: dt.date, end: dt.date | None, periods: list[tuple[dt.date, dt.date | None]] | None
) -> bool:
    """Whether [start, end) shares a day with one of `periods` (None: no limit)."""
    if periods is None:
        return True
    return any(
        (end is None or p_start < end) and (p_end is None or start < p_end)
        for p_start, p_end in periods
    )


def in_periods(day: dt.date, periods: list[tuple[dt.date, dt.date | None]] | None) -> bool:
    """`event_in_periods`, where None (no limit) admits every day."""
    return periods is None or event_in_periods(day, periods)


def get_unit_for_user(user, code: str, *, role: str = Role.VIEWER) -> Unit:
    """The unit with this code if it was ever inside the user's scope; 404 otherwise.

    `role` is the least role needed for what the caller is about to do (403 if the user lacks it).
    """
    unit = _visible_unit_by_code(user, code)
    if unit is None:
        raise Http404("Không tìm thấy tổ chức.")
    require_role(user, role)
    if role != Role.VIEWER:
        require_writable_unit(user, unit)
    return unit


def scope_unit(user) -> Unit:
    """`get_unit_for_user(user, user.scope.code)` without probing the closure: a scope lies in its
    own subtree for its whole life (the closure's depth-0 row), so the user's own scope is
    visible whenever the user reads a subtree; 404 otherwise (a member's own account), as the
    lookup by code answers."""
    if user.scope_id is None or (_scope_id(user) is None and not sees_everything(user)):
        raise Http404("Không tìm thấy tổ chức.")
    require_role(user, Role.VIEWER)
    return user.scope


def get_report_unit_for_user(user, code: str, days: list[dt.date]) -> Unit:
    """The unit of a report over these dates: in the user's scope on every one of them, so its
    figures on each date (its subtree then) are the user's to read; 404 otherwise."""
    unit = get_unit_for_user(user, code)
    if not all(can_see_unit_on(user, unit, day) for day in days):
        raise Http404("Không tìm thấy tổ chức.")
    return unit


def _visible_unit_by_code(user, code: str) -> Unit | None:
    """The visible unit whose code matches `code` regardless of case.

    Codes are unique (an index) and the services write them in upper case, so the code as typed,
    then in upper case, are two index lookups, each probing the scope for the one unit found.
    Only when neither finds a visible unit does the case-insensitive match run (LIKE on SQLite,
    UPPER() on PostgreSQL: every unit of the scope is read), as the lookup always did.
    """
    units = only_ever_visible(user, Unit.objects.all())
    for candidate in dict.fromkeys([code, code.upper()] if code.isascii() else [code]):
        unit = units.filter(code=candidate).first()
        if unit is not None:
            return unit
    if code.lower() == code.upper():  # nothing that case could change: the exact match was it
        return None
    return units_ever_visible(user).filter(code__iexact=code).first()


def require_role(user, role: str) -> None:
    """The user holds `role`; any role above viewer also needs a scope that still exists."""
    if not getattr(user, "has_role", None) or not user.has_role(role):
        raise PermissionDenied("Tài khoản không có quyền thực hiện thao tác này.")
    if role != Role.VIEWER and not _scope_alive(user):
        raise PermissionDenied(READ_ONLY_PAST)


# Writes need more than reads: the past of a scope stays readable (a district dissolved in 2025
# can read its history), but only what lies in the scope today may be changed.
READ_ONLY_PAST = "Tổ chức này không còn thuộc phạm vi của tài khoản: chỉ xem được lịch sử."


def _scope_alive(user) -> bool:
    if sees_everything(user):
        return True
    scope = user.scope if _scope_id(user) is not None else None
    return scope is not None and scope.exists_on(timezone.localdate())


def require_writable_unit(user, unit: Unit, periods=None) -> None:
    """The unit lies in the scope today (or, if it has ended, did on its last day). `periods`:
    `visible_period(user, unit)` when the caller has read it already."""
    if sees_everything(user):
        return
    today = timezone.localdate()
    day = today if unit.ended is None or unit.ended > today else unit.ended - dt.timedelta(days=1)
    if not (_scope_alive(user) and can_see_unit_on(user, unit, day, periods)):
        raise PermissionDenied(READ_ONLY_PAST)


_UNREAD = object()


def require_writable_member(user, member: Member, periods=None, last=_UNREAD) -> None:
    """The member's most recent membership lies in the scope, and the scope still exists.
    `periods`: `member_periods_visible(user, member)` when the caller has read it already;
    `last`: the end of the member's latest stint too (`member_periods_and_last_end`)."""
    if sees_everything(user):
        return
    if periods is None:
        stints, periods = _member_view(user, member)
        last = stints[-1][3] if stints else None
    elif last is _UNREAD:
        last = member.stints.order_by("-start").values_list("end", flat=True).first()
    _require_last_in_scope(user, periods, last)


def _require_last_in_scope(user, periods, last: dt.date | None) -> None:
    """`require_writable_member` once the member's visible periods and the end of their latest
    stint (None: still open) are read."""
    if not (_scope_alive(user) and periods and periods[-1][1] == last):
        raise PermissionDenied(READ_ONLY_PAST)


def _stint_in_scope(scope_id: int, member: str = "pk"):
    """A correlated EXISTS: the member's stint lay in a unit while that unit was in scope.
    `member`: the outer column holding the member's id."""
    far = Value(FAR_FUTURE)
    overlap = UnitAncestry.objects.filter(
        ancestor_id=scope_id,
        descendant_id=OuterRef("unit_id"),
        valid_from__lt=Coalesce(OuterRef("end"), far),
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("start")))
    return MemberStint.objects.filter(member_id=OuterRef(member)).filter(Exists(overlap))


def members_visible(user) -> QuerySet:
    """Members who were counted somewhere inside the user's scope at some time."""
    if sees_everything(user):
        return Member.objects.all()
    scope = _scope_id(user)
    if scope is None:
        return Member.objects.none()
    return Member.objects.filter(Exists(_stint_in_scope(scope)))


def only_members_visible(user, rows: QuerySet, field: str = "member_id") -> QuerySet:
    """`rows` narrowed to those whose member (in `field`) is in `members_visible(user)`: one
    probe per row. `member__in=members_visible(user)` made SQLite test every member of the
    registry first (a province course's page: 0,8 s of CPU for its few hundred learners)."""
    if sees_everything(user):
        return rows
    scope = _scope_id(user)
    if scope is None:
        return rows.none()
    return rows.filter(Exists(_stint_in_scope(scope, member=field)))


def search_places(user) -> list[int]:
    """The places of the name index (members.search_index) that can hold a member the user sees.

    A pre-filter for speed only: `members_visible` stays the exact rule.
    """
    if sees_everything(user):
        return search_index.all_places()
    scope = _scope_id(user)
    return [] if scope is None else search_index.places_under(scope)


def scope_members(user) -> QuerySet | None:
    """Ids (a subquery) of the members with a stint in a unit that was ever under the user's
    scope: a superset of `members_visible`, to pre-filter a search in a small scope; None for
    superusers (the whole registry) and accounts without a scope."""
    if sees_everything(user):
        return None
    scope = _scope_id(user)
    if scope is None:
        return None
    units = UnitAncestry.objects.filter(ancestor_id=scope).values("descendant_id")
    return MemberStint.objects.filter(unit_id__in=units).values("member_id")


def find_members(user, text: str, narrow=None):
    """A search box's members (name or identifiers) among those the user may see; `narrow`, a
    filter on Member (the search page's organization and status), applies before the cap."""
    qs = members_visible(user)
    if narrow is not None:
        qs = qs.filter(narrow)
    return member_queries.find_members(qs, text, search_places(user), scope_members(user))


def get_member_for_user(user, pk: int, *, role: str = Role.VIEWER) -> Member:
    member = members_visible(user).filter(pk=pk).first()
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    require_role(user, role)
    if role != Role.VIEWER:
        require_writable_member(user, member)
    return member


# --- Through time: what part of a member's life lies inside the scope -----------------------


def member_periods_visible(user, member: Member) -> list[tuple[dt.date, dt.date | None]]:
    """The merged intervals [start, end) in which the member was counted inside the user's scope.

    A user of a district dissolved in 2025 sees its members' lives up to the dissolution and
    nothing after; a member who moved away is seen up to the move.
    """
    return member_periods_visible_many(user, [member.pk]).get(member.pk, [])


def member_periods_visible_many(
    user, member_ids
) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """`member_periods_visible` for many members in two queries (exports, reports)."""
    member_ids = list(member_ids)
    stints = list(
        MemberStint.objects.filter(member_id__in=member_ids)
        .order_by("start")
        .values_list("member_id", "unit_id", "start", "end")
    )
    return _periods_of_stints(user, stints)


def member_periods_and_last_end(user, member: Member) -> tuple[list, dt.date | None]:
    """`member_periods_visible(user, member)` and the end of the member's latest stint (None:
    still open, or no stint), from one read of the stints: the member page shows the first and
    decides with both whether it offers the event forms (`may_write_member`)."""
    stints, periods = _member_view(user, member)
    return periods, (stints[-1][3] if stints else None)


def _member_view(user, member: Member) -> tuple[list[tuple], list[tuple[dt.date, dt.date | None]]]:
    """The member's stints (member, unit, start, end) in start order, and the periods of
    `member_periods_visible`: one read of the stints and one of the closure, for the write
    checks that need both (a member's stints never share a start day: a stint lasting no day
    is dropped, members.lifecycle)."""
    stints = list(
        MemberStint.objects.filter(member_id=member.pk)
        .order_by("start")
        .values_list("member_id", "unit_id", "start", "end")
    )
    return stints, _periods_of_stints(user, stints).get(member.pk, [])


def _periods_of_stints(user, stints) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    """`member_periods_visible_many` from the members' stints already read (start order)."""
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    if sees_everything(user):
        for member_id, _, start, end in stints:
            spans.setdefault(member_id, []).append((start, end))
    else:
        scope = _scope_id(user)
        if scope is None:
            return {}
        ancestry: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
        rows = UnitAncestry.objects.filter(
            ancestor_id=scope, descendant_id__in={s[1] for s in stints}
        )
        for unit_id, start, end in rows.values_list("descendant_id", "valid_from", "valid_to"):
            ancestry.setdefault(unit_id, []).append((start, end))
        for member_id, unit_id, start, end in stints:
            for a_start, a_end in ancestry.get(unit_id, []):
                lo = max(start, a_start)
                hi = min(end or FAR_FUTURE, a_end or FAR_FUTURE)
                if lo < hi:
                    spans.setdefault(member_id, []).append((lo, None if hi == FAR_FUTURE else hi))
    return {member_id: _merge(member_spans) for member_id, member_spans in spans.items()}


def _merge(spans: list[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    merged: list[tuple[dt.date, dt.date | None]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], span[1] or FAR_FUTURE)):
        if merged and (merged[-1][1] is None or merged[-1][1] >= start):
            last_start, last_end = merged[-1]
            hi = None if last_end is None or end is None else max(last_end, end)
            merged[-1] = (last_start, hi)
        else:
            merged.append((start, end))
    return merged


def member_visible_until(user, member: Member, periods=None) -> dt.date | None:
    """The last day of the member's life the user sees, or None while the member is still
    counted inside the scope (or for superusers): the member page shows status, seniority and
    profile as of that day (issue 20 §9). `periods`: as in `require_writable_member`."""
    if sees_everything(user):
        return None
    periods = member_periods_visible(user, member) if periods is None else periods
    if not periods or periods[-1][1] is None:
        return None
    return periods[-1][1] - dt.timedelta(days=1)


def event_in_periods(day: dt.date, periods: list[tuple[dt.date, dt.date | None]]) -> bool:
    """Whether an event dated `day` lies in the readable part of a history (end day included)."""
    return any(start <= day and (end is None or day <= end) for start, end in periods)


def member_events_visible(user, member: Member, periods=None) -> QuerySet:
    """The member's events (voided ones included) dated inside a visible period.

    The end day is included: the event that took the member out of the scope (a transfer, the
    unit's dissolution) belongs to the part of the history the user may read. `periods`: as in
    `require_writable_member`.
    """
    periods = member_periods_visible(user, member) if periods is None else periods
    if not periods:
        return MemberEvent.objects.none()
    condition = Q()
    for start, end in periods:
        condition |= Q(date__gte=start) & (Q(date__lte=end) if end else Q())
    return member.events.filter(condition).order_by("date", "id")


# --- Writes through the services: every caller (form, import, CLI, API) ---------------------
#
# The services call these with their `Actor` (audit.services) so the role and the time rules hold
# whichever door the write comes through (issue 20 §2, §5). An actor without a user is the system
# (the demo, `createadmin`, a CLI import run without --user): it is trusted. A UI or API actor
# without a user is never trusted.

ROLE_TOO_LOW = "Tài khoản không có quyền thực hiện thao tác này."


def _acting_user(actor):
    """The user to check, or None for a trusted system actor."""
    user = getattr(actor, "user", None)
    if user is None:
        if getattr(actor, "source", Source.SYSTEM) in (Source.UI, Source.API):
            raise PermissionDenied(ROLE_TOO_LOW)
        return None
    return user


def _outside_period(day: dt.date, what: str) -> ValidationError:
    return ValidationError(
        {
            "date": [
                f"Ngày {vn(day)} nằm ngoài thời gian {what} thuộc phạm vi của tài khoản: "
                "không thể ghi thay đổi vào lịch sử của tổ chức khác."
            ]
        }
    )


def require_unit_write(
    actor, unit: Unit | None, day: dt.date, *, role: str = Role.APPROVER, periods=None
):
    """`actor` may change `unit` with effect from `day` (organization changes: approvers).

    The unit lies in the scope today (`require_writable_unit`) and on `day`: a change dated when
    the unit belonged to another scope would rewrite that scope's history. `unit` None is a new
    root, which only a superuser (or the system) may establish. `periods`: `write_periods` read
    once for many units (a day's moves), instead of two probes per unit.
    """
    user = _acting_user(actor)
    if user is None:
        return
    require_role(user, role)
    if sees_everything(user):
        return
    if unit is None:
        raise PermissionDenied(ROLE_TOO_LOW)
    mine = None if periods is None else periods.get(unit.pk, [])
    require_writable_unit(user, unit, mine)
    # A day on which the unit did not exist is the service's own message to give.
    if unit.exists_on(day) and not can_see_unit_on(user, unit, day, mine):
        raise _outside_period(day, f"tổ chức {unit.code}")


def write_periods(actor, unit_ids) -> dict[int, list] | None:
    """The periods in which each unit lay in the actor's scope, read in one query, for
    `require_unit_write(periods=)`; None when nothing limits the actor."""
    user = _acting_user(actor)
    return None if user is None else unit_periods_visible_many(user, unit_ids)


def require_admission(actor, unit: Unit, day: dt.date) -> None:
    """`actor` may admit a member into `unit` on `day` (clerks; the cell in scope then and today)."""
    require_unit_write(actor, unit, day, role=Role.CLERK)


def unit_visible_on_checker(user):
    """A function (unit id, day) → whether the unit lay in the user's scope that day, answered
    from the scope's closure rows read once (bulk writers such as the importer)."""
    if user is None or sees_everything(user):
        return lambda unit_id, day: True
    scope = _scope_id(user)
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    if scope is not None:
        rows = UnitAncestry.objects.filter(ancestor_id=scope)
        for unit_id, start, end in rows.values_list("descendant_id", "valid_from", "valid_to"):
            spans.setdefault(unit_id, []).append((start, end))

    def visible(unit_id: int, day: dt.date) -> bool:
        return any(
            start <= day and (end is None or day < end) for start, end in spans.get(unit_id, [])
        )

    return visible


def member_write_from(user, member: Member) -> dt.date | None:
    """The first day from which the rest of the member's recorded life lies in the user's view.

    An event dated D re-derives the member's stints from D on, so a write dated D is safe only
    when every stint after D was inside the scope; None means the whole life was.
    """
    stints, periods = _member_view(user, member)
    return _write_from([(start, end) for _, _, start, end in stints], periods)


def _write_from(stints, periods) -> dt.date | None:
    """`member_write_from` from the member's (start, end) stints in start order and periods."""
    latest = None
    for start, end in stints:
        end, cursor = end or FAR_FUTURE, start
        for p_start, p_end in periods:
            p_end = p_end or FAR_FUTURE
            if p_end <= cursor or p_start >= end:
                continue
            if p_start > cursor:  # [cursor, p_start) lay outside the scope
                latest = p_start if latest is None else max(latest, p_start)
            cursor = max(cursor, p_end)
        if cursor < end:
            latest = end if latest is None else max(latest, end)
    return latest


def require_members_write(actor, member_ids, *days: dt.date | None) -> None:
    """`require_member_write` for many members (a bulk restructure): a trusted system actor
    (a plan, the importer) reads no member at all; a person's rights are checked member by
    member, on their rows."""
    if _acting_user(actor) is None:
        return
    ids = list(member_ids)
    for i in range(0, len(ids), 5000):
        for member in Member.objects.filter(pk__in=ids[i : i + 5000]):
            require_member_write(actor, member, *days)


def require_member_write(actor, member: Member, *days: dt.date | None) -> None:
    """`actor` may change `member` (clerks), with every event date in `days` inside the part of
    the member's life the writer sees from then on (`member_write_from`).

    A clerk whose view of a member begins on 01/07/2025 may not record a death dated 2010: it
    would change another district's figures of 2019 and could not be read or undone by them.
    """
    user = _acting_user(actor)
    if user is None:
        return
    require_role(user, Role.CLERK)
    if sees_everything(user):
        return
    # the stints and periods read once for both checks (they were read three times)
    stints, periods = _member_view(user, member)
    _require_last_in_scope(user, periods, stints[-1][3] if stints else None)
    start = _write_from([(s, e) for _, _, s, e in stints], periods)
    for day in days:
        if day is not None and start is not None and day < start:
            raise ValidationError(
                {
                    "date": [
                        f"Ngày {vn(day)} nằm ngoài thời gian đảng viên thuộc phạm vi của tài "
                        f"khoản (từ ngày {vn(start)}): không thể ghi thay đổi vào lịch sử của "
                        "tổ chức khác."
                    ]
                }
            )


# --- Accounts: administrators manage accounts inside their own scope, never above it ----------


def _inside_for_whole_life(scope_id: int, unit_path: str = "") -> Exists:
    """The unit (the row, or the one at `unit_path`) lay under `scope_id` for its whole life: one
    closure row (they are maximal intervals) covers it.

    An account scoped to a unit reads that unit's subtree on every date of its life, so only such
    a unit is no wider in time than the scope: a cell that joined a commune in 2025 is not (its
    account would read the cell's members before 2025, which the commune cannot; issue 20 §7).
    """
    prefix = f"{unit_path}__" if unit_path else ""
    covering = UnitAncestry.objects.filter(
        ancestor_id=scope_id,
        descendant_id=OuterRef(f"{unit_path}_id" if unit_path else "pk"),
        valid_from__lte=OuterRef(f"{prefix}established"),
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef(f"{prefix}ended")))
    return Exists(covering)


def accounts_visible(user) -> QuerySet:
    """Accounts the user may manage: administrators, accounts scoped inside their own scope for
    the whole life of the account's scope (`_inside_for_whole_life`).

    Superusers are never managed from inside the app's scope rules (only another superuser sees
    them), so a province administrator cannot lock out or reset the people above them.
    """
    if sees_everything(user):
        return User.objects.all()
    scope = _scope_id(user)
    if scope is None or not user.has_role(Role.ADMIN):
        return User.objects.none()
    return User.objects.filter(is_superuser=False).filter(_inside_for_whole_life(scope, "scope"))


def get_account_for_user(user, pk: int) -> User:
    require_role(user, Role.ADMIN)
    account = accounts_visible(user).filter(pk=pk).first()
    if account is None:
        raise Http404("Không tìm thấy tài khoản.")
    return account


def scopes_assignable(user) -> QuerySet:
    """Units an administrator may give as a scope: units inside their own scope for the whole of
    the unit's life, so the new account sees nothing its creator cannot."""
    if not user.is_authenticated or not user.has_role(Role.ADMIN):
        return Unit.objects.none()
    if sees_everything(user):
        return Unit.objects.all()
    scope = _scope_id(user)
    if scope is None:
        return Unit.objects.none()
    return Unit.objects.filter(_inside_for_whole_life(scope))


def roles_assignable(user) -> list[str]:
    if not user.is_authenticated or not user.has_role(Role.ADMIN):
        return []
    # A member account needs its Member link (the account form's profile number, issue 14).
    return list(Role)


# --- Audit reads ---------------------------------------------------------------------------


def profile_views_visible(user) -> QuerySet:
    """Who opened which member's record: for administrators, views of members in their scope by
    accounts they manage (or themselves): the names and addresses of the staff above them and of
    superusers are not theirs to read (issue 20 §18)."""
    require_role(user, Role.ADMIN)
    if sees_everything(user):
        qs = ProfileView.objects.all()
    else:
        viewers = accounts_visible(user).values("pk")
        scope = _scope_id(user)
        # The member test correlated on each view row, not `member IN members_visible(user)`:
        # SQLite built that list of every member of the scope (a province's 90,000) per page.
        qs = ProfileView.objects.filter(
            Q(viewer_id__in=viewers) | Q(viewer_id=user.pk),
            Exists(_stint_in_scope(scope, member="member_id")),
        )
    return qs.select_related("viewer", "member")


# --- What a page may offer: the same decisions as the require_* functions, as booleans -------
# Views compute these once and hand them to templates, so a button is shown only when pressing
# it would be allowed (issue 11: no button that leads to a 403).


def may_write_unit(user, unit: Unit, role: str = Role.CLERK, periods=None) -> bool:
    """`get_unit_for_user(user, unit.code, role=role)` would pass for a unit already visible.
    `periods`: `visible_period(user, unit)` when the caller has read it already."""
    try:
        require_role(user, role)
        require_writable_unit(user, unit, periods)
    except PermissionDenied:
        return False
    return True


def may_write_member(
    user, member: Member, role: str = Role.CLERK, periods=None, last=_UNREAD
) -> bool:
    """`get_member_for_user(user, member.pk, role=role)` would pass for a visible member.
    `periods`, `last`: as `require_writable_member` takes them."""
    try:
        require_role(user, role)
        require_writable_member(user, member, periods, last)
    except PermissionDenied:
        return False
    return True


def may_act_for(user, authority: Unit | int | None, day: dt.date, role: str) -> bool:
    """The user holds `role` (with a living scope) and the body with the power to act
    (`authority`, e.g. the superior that approves a round) lies in the scope on `day`; only a
    superuser acts where no authority exists (assessments.services._authorize)."""
    try:
        require_role(user, role)
    except PermissionDenied:
        return False
    if sees_everything(user):
        return True
    if authority is None:
        return False
    unit = authority if isinstance(authority, Unit) else Unit.objects.filter(pk=authority).first()
    return unit is not None and can_see_unit_on(user, unit, day)
