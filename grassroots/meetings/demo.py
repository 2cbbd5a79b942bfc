"""Demo meetings: every cell of Đình Lập district (LS-H189) meets monthly in 2017–2019 and in the
months since 01/2025 (after 01/07/2025, the cells its members sit in under the new communes),
with attendance; a few cells skip months, a few members stop coming (the watch list), some
meetings after Chỉ thị 50 run short or post their documents late.

Rows are written in bulk like the other demo builders: the expected list of each meeting is
derived in memory with the same rules as `expected.expected_list` (stints on the day; exempt and
temporarily away not expected; attached expected), the totals computed like the services do,
and one audit record covers the batch. `queries.drift` is empty on every demo meeting.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.members import lifecycle
from grassroots.members.models import Member, MemberEvent, MemberStint, Status
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .expected import _TEMP_KINDS
from .forms import AGENDA_TEMPLATE
from .models import Attendance, Mark, Meeting, MeetingKind, MinutesState, Role

DISTRICT = "LS-H189"  # Huyện Đình Lập
RESTRUCTURED = dt.date(2025, 7, 1)
REASONS = ["Ốm", "Đi công tác", "Việc gia đình", "Đi làm ăn xa", "Nằm viện"]
TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Xây dựng nông thôn mới",
    "Phòng, chống tác hại của ma túy",
    "Bảo vệ rừng và phòng cháy chữa cháy rừng",
    "Phát triển kinh tế hộ gia đình",
]


def _months(today: dt.date) -> list[tuple[int, int]]:
    months = [(y, m) for y in (2017, 2018, 2019) for m in range(1, 13)]
    y, m = 2025, 1
    while (y, m) < (today.year, today.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _cells_on(day: dt.date, district: Unit, area_members: set[int], stints) -> set[int]:
    """The area's cells on `day`: under the district while it exists; after the restructuring,
    the cells where the district's members of 30/06/2025 are counted."""
    if day < RESTRUCTURED:
        under = UnitAncestry.objects.filter(on(day), ancestor=district).values("descendant_id")
        return set(
            UnitVersion.objects.filter(
                on(day), unit_id__in=under, kind__in=MEMBER_KINDS
            ).values_list("unit_id", flat=True)
        )
    return {
        s[1] for m in area_members for s in stints.get(m, ()) if s[2] <= day < (s[3] or dt.date.max)
    }


@transaction.atomic
def seed_demo_meetings(seed: int = 14, today: dt.date | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or timezone.localdate()
    district = Unit.objects.filter(code=DISTRICT).first()
    if district is None:
        return {"meetings": 0, "attendance_rows": 0, "dropouts": 0, "account": ""}
    before = dt.date(2025, 6, 30)
    under = UnitAncestry.objects.filter(on(before), ancestor=district).values("descendant_id")
    first = UnitAncestry.objects.filter(ancestor=district).values("descendant_id")
    # Every stint that ever touched the area's cells, and of the members concerned.
    area_stints = MemberStint.objects.filter(unit_id__in=first)
    members = set(area_stints.values_list("member_id", flat=True))
    stints: dict[int, list[tuple]] = defaultdict(list)
    by_cell: dict[int, list[tuple]] = defaultdict(list)
    for row in MemberStint.objects.filter(member_id__in=members).values_list(
        "member_id", "unit_id", "start", "end", "status", "exempt"
    ):
        stints[row[0]].append(row)
        by_cell[row[1]].append(row)
    area_members = set(
        MemberStint.objects.filter(on_day(before), unit_id__in=under).values_list(
            "member_id", flat=True
        )
    )
    temp: dict[int, list[lifecycle.Ev]] = defaultdict(list)
    attach_into: dict[int, set[int]] = defaultdict(set)
    for member_id, kind, date, unit_id, pk in MemberEvent.objects.filter(
        kind__in=_TEMP_KINDS, voided_at__isnull=True
    ).values_list("member_id", "kind", "date", "unit_id", "pk"):
        temp[member_id].append(lifecycle.Ev(kind, date, unit_id, key=pk))
        if kind == "temp_attach" and unit_id is not None:
            attach_into[unit_id].add(member_id)

    def host(member_id: int, day: dt.date):
        events = temp.get(member_id)
        if not events:
            return None
        return lifecycle.final_state([e for e in events if e.date <= day]).temp_host

    def listed(cell: int, day: dt.date) -> dict[int, str]:
        roles = {}
        for member_id, _u, start, end, status, exempt in by_cell.get(cell, ()):
            if not start <= day < (end or dt.date.max):
                continue
            away = host(member_id, day)
            if exempt:
                roles[member_id] = Role.EXEMPT
            elif away is not None and away != cell:
                roles[member_id] = Role.AWAY
            else:
                roles[member_id] = Role.OFFICIAL if status == Status.OFFICIAL else Role.PROBATIONARY
        for member_id in attach_into.get(cell, ()):
            if member_id in roles or host(member_id, day) != cell:
                continue
            counted = any(s[2] <= day < (s[3] or dt.date.max) for s in stints.get(member_id, ()))
            if counted:
                roles[member_id] = Role.ATTACHED
        return roles

    names = dict(Member.objects.filter(pk__in=members).values_list("pk", "full_name"))
    cell_names = dict(
        UnitVersion.objects.filter(unit_id__in=set(by_cell)).values_list("unit_id", "name")
    )
    # Stories: a few cells skip a run of months; a few members stop coming for months.
    gap_cells, dropouts = set(), {}
    meetings, marks_by_meeting = [], []
    last_month = _months(today)[-1]
    for year, month in _months(today):
        day_one = dt.date(year, month, 1)
        cells = sorted(_cells_on(day_one + dt.timedelta(days=27), district, area_members, stints))
        if not gap_cells and cells:
            gap_cells = set(rng.sample(cells, min(4, len(cells))))
        if not dropouts and cells:
            candidates = sorted(m for m in area_members)
            for m in rng.sample(candidates, min(8, len(candidates))):
                dropouts[m] = rng.choice([2018, 2025])
        for cell in cells:
            if cell in gap_cells and (month in (4, 5) or (year == 2025 and month == 9)):
                continue  # the stories' gaps
            if rng.random() < 0.02:
                continue
            day = dt.date(year, month, rng.choice([3, 3, 3, 5, 8, 10]))
            if day > today:
                continue
            ct50 = day >= dt.date(2025, 7, 23)
            thematic = month % 3 == 0
            start = dt.time(rng.choice([8, 14, 19]), 0)
            length = (120 if thematic else 90) + rng.choice([0, 0, 15, 30])
            if ct50 and rng.random() < 0.08:
                length = rng.choice([60, 75])  # a short meeting (flagged)
            end = dt.time(start.hour + length // 60, length % 60)
            roles = listed(cell, day)
            marks = []
            for member_id, role in roles.items():
                if role in (Role.EXEMPT, Role.AWAY):
                    if rng.random() < 0.08:
                        marks.append((member_id, role, Mark.PRESENT, ""))
                    continue
                if dropouts.get(member_id) == year and month in (3, 4, 6, 7):
                    marks.append((member_id, role, Mark.UNEXCUSED, ""))
                    continue
                roll = rng.random()
                if roll < 0.05:
                    marks.append((member_id, role, Mark.EXCUSED, rng.choice(REASONS)))
                elif roll < 0.065:
                    marks.append((member_id, role, Mark.UNEXCUSED, ""))
            expected = [m for m, r in roles.items() if r not in (Role.EXEMPT, Role.AWAY)]
            leaders = sorted(expected, key=lambda m: names.get(m, ""))[:2]
            absent = {m: r for m, r, mark, _ in marks if mark != Mark.PRESENT}
            count = defaultdict(int)
            for r in roles.values():
                count[r] += 1
            gone = defaultdict(int)
            for r in absent.values():
                gone[r] += 1
            lead = None if ct50 and rng.random() < 0.1 else rng.choice([1, 2, 3])
            meetings.append(
                Meeting(
                    unit_id=cell, kind=MeetingKind.REGULAR, with_thematic=thematic,
                    subject=rng.choice(TOPICS) if thematic else "", date=day, start=start,
                    end=end, duration=length,
                    place=f"Nhà văn hóa {cell_names.get(cell, '').removeprefix('Chi bộ ')}",
                    chair=names.get(leaders[0], "") if leaders else "",
                    secretary=names.get(leaders[1], "") if len(leaders) > 1 else "",
                    agenda=AGENDA_TEMPLATE, conclusions="Chi bộ thống nhất nhiệm vụ tháng tới.",
                    resolutions="Nghị quyết tháng được thông qua.",
                    votes_for=len(expected) - len(absent), votes_against=0,
                    documents="Dự thảo nghị quyết tháng" if lead else "",
                    documents_posted_on=day - dt.timedelta(days=lead) if lead else None,
                    documents_lead_days=lead,
                    expected_official=count[Role.OFFICIAL],
                    expected_probationary=count[Role.PROBATIONARY],
                    expected_attached=count[Role.ATTACHED], exempt=count[Role.EXEMPT],
                    away=count[Role.AWAY],
                    present_official=count[Role.OFFICIAL] - gone[Role.OFFICIAL],
                    present_probationary=count[Role.PROBATIONARY] - gone[Role.PROBATIONARY],
                    present_attached=count[Role.ATTACHED] - gone[Role.ATTACHED],
                    present_extra=sum(1 for *_, mark, _r in marks if mark == Mark.PRESENT),
                    absent_excused=sum(1 for *_, mark, _r in marks if mark == Mark.EXCUSED),
                    absent_unexcused=sum(1 for *_, mark, _r in marks if mark == Mark.UNEXCUSED),
                    minutes_state=MinutesState.DRAFT
                    if (year, month) == last_month
                    else MinutesState.APPROVED,
                )
            )  # fmt: skip
            marks_by_meeting.append(marks)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    rows = [
        Attendance(
            meeting_id=meeting.pk,
            member_id=member_id,
            role=role,
            mark=mark,
            reason=reason,
            unit_id=meeting.unit_id,
            date=meeting.date,
        )  # fmt: skip
        for meeting, marks in zip(meetings, marks_by_meeting, strict=True)
        for member_id, role, mark, reason in marks
    ]
    Attendance.objects.bulk_create(rows, batch_size=5000)
    counts = {"meetings": len(meetings), "attendance_rows": len(rows), "dropouts": len(dropouts)}
    counts["account"] = _member_account(sorted(dropouts), area_members, stints, today)
    if meetings:
        record(
            Actor(None, Source.SYSTEM), obj=meetings[0], action="demo",
            changes={"demo_meetings": [0, counts["meetings"]]}, object_type="meeting",
        )  # fmt: skip
    return counts


MEMBER_ACCOUNT = "dangvien_dinhlap"


def _member_account(dropouts: list[int], area: set[int], stints, today: dt.date) -> str:
    """A member's own account (role "đảng viên") for the demo: a member of the area still
    counted today, one who stopped coming for a while if there is one."""
    from grassroots.accounts.models import Role, User
    from grassroots.demo.build import PASSWORD

    def alive(m):
        return any(s[3] is None or s[3] > today for s in stints.get(m, ()))

    chosen = next((m for m in dropouts if alive(m)), None) or next(
        (m for m in sorted(area) if alive(m)), None
    )
    if chosen is None or User.objects.filter(username=MEMBER_ACCOUNT).exists():
        return ""
    cell = max(stints[chosen], key=lambda s: s[2])[1]
    User.objects.create_user(
        MEMBER_ACCOUNT, password=PASSWORD, role=Role.MEMBER, member_id=chosen, scope_id=cell
    )
    return MEMBER_ACCOUNT


def on_day(day: dt.date):
    from django.db.models import Q

    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day))
