"""Who a meeting expects, derived from the registry on the meeting date (never typed).

domain.md §5 (the minutes' totals) and §2.7–2.8: a cell's list on day D is every member whose
stint lies in the cell on D — official or probationary; exempt members (§2.8) and members
temporarily attached elsewhere (§2.7, "đi sinh hoạt tạm thời") and suspended members (đình chỉ
sinh hoạt đảng, inspection.Suspension; domain-processes.md §3.7) are listed but not expected;
members of other cells temporarily attached to it are expected. A meeting of a committee-level
organization (đảng bộ cơ sở, đảng bộ bộ phận: a whole-organization meeting or a study session)
lists the members of every cell under it on D, through the closure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from grassroots.cadres.queries import holdings_on
from grassroots.core.text import sort_key
from grassroots.inspection.queries import suspended_ids
from grassroots.members import lifecycle
from grassroots.members.models import EventKind, Member, MemberEvent, MemberStint, Status
from grassroots.organizations.models import MEMBER_KINDS, Unit
from grassroots.organizations.queries import subtree_ids, version_at

from .models import EXPECTED_ROLES, Role

# The events that decide where a member takes part temporarily (lifecycle.final_state replays them).
_TEMP_KINDS = (
    EventKind.TEMP_ATTACH,
    EventKind.TEMP_RETURN,
    EventKind.TRANSFER_OUT,
    EventKind.DEATH,
    EventKind.EXPULSION,
    EventKind.REMOVAL,
    EventKind.LEAVING,
)


@dataclass(frozen=True)
class Person:
    member_id: int
    full_name: str
    profile_number: str
    role: str  # Role

    @property
    def expected(self) -> bool:
        return self.role in EXPECTED_ROLES

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def holds_meetings_on(unit: Unit, day: dt.date) -> str | None:
    """The unit's kind on `day`, or None if it did not exist then."""
    version = version_at(unit, day)
    return None if version is None else version.kind


def _cells(unit: Unit, day: dt.date) -> list[int]:
    version = version_at(unit, day)
    if version is not None and version.kind in MEMBER_KINDS:
        return [unit.pk]
    return list(subtree_ids(unit, day).values_list("descendant_id", flat=True))


def _temp_hosts(member_ids, day: dt.date) -> dict[int, int | None]:
    """Where each member is temporarily attached on `day` (None: nowhere)."""
    events: dict[int, list[lifecycle.Ev]] = defaultdict(list)
    rows = MemberEvent.objects.filter(
        member_id__in=member_ids, kind__in=_TEMP_KINDS, voided_at__isnull=True, date__lte=day
    ).values_list("member_id", "kind", "date", "unit_id", "pk")
    for member_id, kind, date, unit_id, pk in rows:
        events[member_id].append(lifecycle.Ev(kind, date, unit_id, key=pk))
    # Only the temporary state is read from the replay, so the member's other events are not
    # needed (final_state tracks temp_host from these kinds alone).
    return {m: lifecycle.final_state(evs).temp_host for m, evs in events.items()}


def expected_list(unit: Unit, day: dt.date) -> list[Person]:
    """Everyone the meeting's list names on `day`, in Vietnamese name order."""
    cells = _cells(unit, day)
    cell_ids = set(cells)
    stints = MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day), unit_id__in=cells, start__lte=day
    ).values_list("member_id", "status", "exempt")
    home = {m: (status, exempt) for m, status, exempt in stints}
    # Members of other cells attached here: an attach event into one of the cells, still open.
    attach = MemberEvent.objects.filter(
        kind=EventKind.TEMP_ATTACH, unit_id__in=cells, voided_at__isnull=True, date__lte=day
    ).values_list("member_id", flat=True)
    guests = set(attach) - set(home)
    hosts = _temp_hosts(list(home) + list(guests), day)
    # A suspended member is listed in their own cell and expected nowhere (not as a guest either).
    suspended = suspended_ids(list(home) + list(guests), day)
    guests -= suspended
    roles: dict[int, str] = {}
    for member_id, (status, exempt) in home.items():
        host = hosts.get(member_id)
        if member_id in suspended:
            roles[member_id] = Role.SUSPENDED
        elif exempt:
            roles[member_id] = Role.EXEMPT
        elif host is not None and host not in cell_ids:
            roles[member_id] = Role.AWAY
        else:
            roles[member_id] = Role.OFFICIAL if status == Status.OFFICIAL else Role.PROBATIONARY
    # A guest counts only while counted somewhere on the day (a stint in another cell).
    counted = set(
        MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=day), member_id__in=guests, start__lte=day
        ).values_list("member_id", flat=True)
    )
    for member_id in guests:
        if member_id in counted and hosts.get(member_id) in cell_ids:
            roles[member_id] = Role.ATTACHED
    people = Member.objects.filter(pk__in=list(roles)).values_list(
        "pk", "full_name", "profile_number"
    )
    out = [Person(pk, name, number, roles[pk]) for pk, name, number in people]
    return sorted(out, key=lambda p: (sort_key(p.full_name), p.member_id))


def committee_list(unit: Unit, day: dt.date) -> list[Person]:
    """A committee meeting lists the committee on the day: whoever holds a post of `unit`'s
    committee (cadres: the term, the post and the organization all open on `day`), once each
    whatever the number of posts held. Only official members are elected or appointed to a
    committee (Điều lệ Điều 5: a probationary member may not stand for election), so each is
    counted as official."""
    holders = holdings_on(day, unit=unit).values_list("member_id", flat=True).distinct()
    people = Member.objects.filter(pk__in=holders).values_list("pk", "full_name", "profile_number")
    out = [Person(pk, name, number, Role.OFFICIAL) for pk, name, number in people]
    return sorted(out, key=lambda p: (sort_key(p.full_name), p.member_id))


def meeting_list(unit: Unit, kind: str, day: dt.date) -> list[Person]:
    """The list a meeting of `kind` names on `day`: the committee's post holders for a committee
    meeting, the members of the cell(s) otherwise."""
    from .models import MeetingKind

    if kind == MeetingKind.COMMITTEE:
        return committee_list(unit, day)
    return expected_list(unit, day)


def totals(people: list[Person]) -> dict[str, int]:
    """The list's counts by role (the minutes' "tổng số")."""
    counts = dict.fromkeys(Role.values, 0)
    for person in people:
        counts[person.role] += 1
    return counts
