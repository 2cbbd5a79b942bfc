"""Inspection, supervision and discipline for the demo province, consistent with the registry.

Every discipline and expulsion event recorded in the registry since 2008 gets the decision that
made it (linked to the event — no new event, so the published figures hold) and the inspection
case it came from: opened a few months before, concluded with a violation, decided by the
inspection commission of the district (or, without one, the province) above the member's cell.
A few members appeal; the ruling upholds the decision (the registry is untouched). Each year
each district-level committee and the province adopt a programme whose items are supervisions
of grassroots organizations, concluded (most of them "no violation") as cases. Every third
expulsion was preceded by a suspension of party activity (đình chỉ sinh hoạt đảng, up to 90 days
from one to two months before the decision, by the same inspection commission), only in years
without demo meetings (2009–2016, 2020–2024: the recorded meeting totals stay those of the
expected lists).

Rows are written in bulk (like the registry's demo loader and development/demo.py) with the same
placement as the services (unit = the member's cell / the organization, on the record's day);
one audit record covers the batch.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right

from django.db import transaction
from django.db.models import F

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.members.models import EventKind, MemberEvent, MemberStint
from grassroots.organizations.models import GRASSROOTS_KINDS, Kind, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from .models import (
    Appeal,
    Case,
    CaseKind,
    Conclusion,
    Decision,
    Form,
    Organ,
    Outcome,
    Programme,
    ProgrammeItem,
    Recommendation,
    Severity,
    Suspension,
    SuspensionGround,
)

FIRST_YEAR = 2008
# Suspensions only where no demo meeting was recorded (meetings/demo.py: 2017–2019, 2025 on;
# directives/demo.py: the study sessions of 2008).
SUSPENSION_YEARS = ((dt.date(2009, 1, 1), dt.date(2016, 12, 31)),
                    (dt.date(2020, 1, 1), dt.date(2024, 12, 31)))  # fmt: skip
SUBJECTS = [
    "Việc thực hiện Nghị quyết 22-NQ/TW về nâng cao năng lực lãnh đạo của tổ chức cơ sở đảng",
    "Việc duy trì sinh hoạt chi bộ và chất lượng sinh hoạt",
    "Việc thu, nộp, quản lý đảng phí",
    "Việc kê khai tài sản, thu nhập",
    "Việc thực hiện nhiệm vụ kiểm tra, giám sát của cấp ủy cơ sở",
]
FINDINGS = [
    "Vi phạm quy định về những điều đảng viên không được làm.",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao.",
    "Vi phạm chính sách dân số, kế hoạch hóa gia đình.",
    "Vi phạm trong quản lý đất đai.",
]


class _Tree:
    """Which committee stands above a cell on a day: the district-level one, else the province
    (closure and versions read once)."""

    def __init__(self, root: Unit) -> None:
        upper = UnitVersion.objects.filter(kind__in=(Kind.DISTRICT, Kind.PROVINCE))
        self.kind = dict(upper.values_list("unit_id", "kind"))
        self.spans: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
        rows = UnitAncestry.objects.filter(ancestor_id__in=list(self.kind)).exclude(
            ancestor_id=F("descendant_id")
        )
        for anc, desc, start, end in rows.values_list(
            "ancestor_id", "descendant_id", "valid_from", "valid_to"
        ):
            self.spans.setdefault(desc, []).append((anc, start, end))
        self.root = root

    def body(self, cell_id: int, day: dt.date) -> int:
        found = [
            a for a, s, e in self.spans.get(cell_id, []) if s <= day and (e is None or day < e)
        ]
        district = [a for a in found if self.kind[a] == Kind.DISTRICT]
        return (district or found or [self.root.pk])[0]


class _Stints:
    def __init__(self, member_ids) -> None:
        self.by_member: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
        rows = MemberStint.objects.filter(member_id__in=member_ids).order_by("member_id", "start")
        for member_id, start, end, unit_id in rows.values_list(
            "member_id", "start", "end", "unit_id"
        ):
            self.by_member.setdefault(member_id, []).append((start, end, unit_id))

    def cell(
        self, member_id: int, day: dt.date, ending: bool = False
    ) -> tuple[int, dt.date] | None:
        """(cell, day) on `day`; for an expulsion (`ending`), the stint that ends that day."""
        stints = self.by_member.get(member_id, [])
        for start, end, unit_id in stints:
            if ending and end == day and start < day:
                return unit_id, day - dt.timedelta(days=1)
            if start <= day and (end is None or day < end):
                return unit_id, day
        starts = [s for s, _, _ in stints]
        i = bisect_right(starts, day)
        if i < len(stints):  # not yet a member that day: the first day after it
            return stints[i][2], stints[i][0]
        return None


@transaction.atomic
def seed_demo_inspection(
    root_code: str = "LS", *, seed: int = 1, today: dt.date | None = None
) -> dict:
    rng = random.Random(seed * 16 + 16)
    today = today or dt.date.today()
    root = Unit.objects.get(code=root_code)
    tree = _Tree(root)
    events = list(
        MemberEvent.objects.filter(
            kind__in=(EventKind.DISCIPLINE, EventKind.EXPULSION),
            voided_at__isnull=True,
            date__gte=dt.date(FIRST_YEAR, 1, 1),
        ).order_by("date", "id")
    )
    stints = _Stints({e.member_id for e in events})
    cases, decisions, recs = [], [], []
    suspensions: list[tuple[int, Suspension]] = []  # (index of its case, row)
    srng, expulsions = random.Random(seed * 16 + 17), 0  # its own stream: the rest is unchanged
    for ev in events:
        signed = min(ev.decision_date or ev.date, ev.date)
        placed = stints.cell(ev.member_id, signed, ending=ev.kind == EventKind.EXPULSION)
        if placed is None:
            continue
        cell, placed_on = placed
        body = tree.body(cell, placed_on)
        opened = signed - dt.timedelta(days=rng.randint(45, 150))
        case_cell, case_day = stints.cell(ev.member_id, opened) or (cell, placed_on)
        opened = max(opened, case_day)
        kind = CaseKind.DENUNCIATION if rng.random() < 0.25 else CaseKind.VIOLATION_SIGNS
        severity = Severity.VERY_SERIOUS if ev.kind == EventKind.EXPULSION else (
            Severity.SERIOUS if ev.discipline_form == "dismissal" else Severity.MINOR
        )  # fmt: skip
        case = Case(
            kind=kind, title="Kiểm tra đảng viên khi có dấu hiệu vi phạm"
            if kind == CaseKind.VIOLATION_SIGNS else "Giải quyết đơn tố cáo đối với đảng viên",
            subject_member_id=ev.member_id, unit_id=case_cell, placed_on=opened, body_id=body,
            organ=Organ.INSPECTION_COMMISSION, number=f"{rng.randint(1, 300)}-QĐ/UBKT",
            opened_on=opened, period_start=dt.date(opened.year - 1, 1, 1),
            period_end=dt.date(opened.year - 1, 12, 31),
            team="Đoàn kiểm tra của Ủy ban Kiểm tra",
            content="Đơn tố cáo (minh họa)." if kind == CaseKind.DENUNCIATION else "",
            findings=rng.choice(FINDINGS), conclusion=Conclusion.VIOLATION, severity=severity,
            concluded_on=max(opened, signed - dt.timedelta(days=rng.randint(5, 30))),
        )  # fmt: skip
        cases.append(case)
        form = Form.EXPULSION if ev.kind == EventKind.EXPULSION else ev.discipline_form
        if ev.kind == EventKind.EXPULSION:
            expulsions += 1
            start = signed - dt.timedelta(days=srng.randint(30, 60))
            last = min(start + dt.timedelta(days=89), ev.date - dt.timedelta(days=1))
            where = stints.cell(ev.member_id, start)
            if (
                expulsions % 3 == 1
                and where is not None
                and where[1] == start
                and any(lo <= start and last <= hi for lo, hi in SUSPENSION_YEARS)
            ):
                suspensions.append((len(cases) - 1, Suspension(
                    subject_member_id=ev.member_id, unit_id=where[0], placed_on=start,
                    body_id=body, organ=Organ.INSPECTION_COMMISSION, ground=SuspensionGround.VIOLATION,
                    number=f"{srng.randint(1, 300)}-QĐ/UBKT", signed_on=start, start=start,
                    last_day=last, reason="Có dấu hiệu vi phạm nghiêm trọng, cản trở việc kiểm tra.",
                )))  # fmt: skip
        decisions.append(Decision(
            form=form, subject_member_id=ev.member_id, unit_id=cell, placed_on=placed_on,
            body_id=body, organ=Organ.INSPECTION_COMMISSION,
            number=ev.decision_number or f"{rng.randint(1, 300)}-QĐ/UBKT",
            signed_on=signed, announced_on=ev.date,
            member_event_id=ev.pk, reason=case.findings,
        ))  # fmt: skip
    Case.objects.bulk_create(cases, batch_size=500)
    for case, decision in zip(cases, decisions, strict=True):
        decision.case_id = case.pk
        if rng.random() < 0.5:
            recs.append(Recommendation(
                case_id=case.pk, text="Kiểm điểm, rút kinh nghiệm; khắc phục vi phạm",
                deadline=case.concluded_on + dt.timedelta(days=90),
                done_on=min(today, case.concluded_on + dt.timedelta(days=rng.randint(30, 120))),
            ))  # fmt: skip
    Decision.objects.bulk_create(decisions, batch_size=500)
    for index, suspension in suspensions:
        suspension.case_id = cases[index].pk
    Suspension.objects.bulk_create([s for _i, s in suspensions], batch_size=500)
    # The province's committee rules on complaints against its inspection commissions' decisions
    # (the district's, from above; its own commission's, as first instance).
    appeals = [
        Appeal(decision_id=d.pk, filed_on=d.announced_on + dt.timedelta(days=rng.randint(5, 25)),
               complainant="Đảng viên bị kỷ luật", body_id=root.pk, outcome=Outcome.UPHELD,
               decided_on=d.announced_on + dt.timedelta(days=rng.randint(40, 90)),
               number=f"{rng.randint(1, 99)}-QĐ/TU")
        for d in decisions if rng.random() < 0.05
    ]  # fmt: skip
    Appeal.objects.bulk_create(appeals, batch_size=500)
    programmes, items, supervisions = _programmes(rng, root, tree, today)
    Recommendation.objects.bulk_create(recs, batch_size=500)
    counts = {
        "cases": len(cases) + supervisions, "decisions": len(decisions), "appeals": len(appeals),
        "programmes": programmes, "programme_items": items, "suspensions": len(suspensions),
    }  # fmt: skip
    record(
        Actor(None, Source.CLI), obj=root, action="demo_inspection",
        changes={k: [None, v] for k, v in counts.items()},
    )  # fmt: skip
    return counts


def _programmes(rng, root: Unit, tree: _Tree, today: dt.date) -> tuple[int, int, int]:
    """Each year, each district-level committee's (and the province's) inspection commission
    adopts a programme of supervisions of a few grassroots organizations under it."""
    grassroots = UnitVersion.objects.filter(kind__in=GRASSROOTS_KINDS)
    ended = dict(Unit.objects.filter(ended__isnull=False).values_list("pk", "ended"))
    programmes = items = cases = 0
    for year in range(FIRST_YEAR, today.year + 1):
        day = dt.date(year, 1, 15)
        if day > today:
            break
        bodies = list(
            UnitVersion.objects.filter(on(day), kind__in=(Kind.DISTRICT, Kind.PROVINCE))
            .values_list("unit_id", flat=True)
        )  # fmt: skip
        under = {}
        for unit_id in grassroots.filter(on(day)).values_list("unit_id", flat=True):
            if unit_id in ended and ended[unit_id] <= dt.date(year, 12, 31):
                continue  # supervised over the year: organizations that last it
            under.setdefault(tree.body(unit_id, day), []).append(unit_id)
        plan_rows = [Programme(unit_id=b, organ=Organ.INSPECTION_COMMISSION, year=year,
                               adopted_on=day, number=f"{rng.randint(1, 20)}-CTr/UBKT")
                     for b in bodies]  # fmt: skip
        Programme.objects.bulk_create(plan_rows)
        programmes += len(plan_rows)
        item_rows, case_rows = [], []
        for programme in plan_rows:
            targets = under.get(programme.unit_id, [])
            for target in rng.sample(targets, min(len(targets), rng.randint(2, 4))):
                start = dt.date(year, rng.randint(3, 9), rng.randint(1, 28))
                end = start + dt.timedelta(days=rng.randint(20, 60))
                item = ProgrammeItem(programme=programme, kind=CaseKind.THEMATIC_SUPERVISION,
                                     target_unit_id=target, subject=rng.choice(SUBJECTS),
                                     start=start, end=end, team="Tổ giám sát")  # fmt: skip
                item_rows.append(item)
        ProgrammeItem.objects.bulk_create(item_rows)
        items += len(item_rows)
        for item in item_rows:
            if item.start > today or rng.random() < 0.1:
                continue  # not done (yet)
            concluded = item.end + dt.timedelta(days=rng.randint(-5, 20))
            if concluded > today:
                concluded = None
            violation = rng.random() < 0.08
            case_rows.append(Case(
                kind=item.kind, title=item.subject, subject_unit_id=item.target_unit_id,
                unit_id=item.target_unit_id, placed_on=item.start,
                body_id=item.programme.unit_id, organ=Organ.INSPECTION_COMMISSION,
                opened_on=item.start, period_start=dt.date(year - 1, 1, 1),
                period_end=item.start, team=item.team, programme_item=item,
                findings="Tổ chức thực hiện cơ bản tốt; còn một số hạn chế." if concluded else "",
                conclusion=(Conclusion.VIOLATION if violation else Conclusion.NO_VIOLATION)
                if concluded else "",
                severity=Severity.MINOR if concluded and violation else "",
                concluded_on=concluded,
            ))  # fmt: skip
        Case.objects.bulk_create(case_rows, batch_size=500)
        cases += len(case_rows)
    return programmes, items, cases
