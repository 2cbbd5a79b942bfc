"""A realistic pipeline for the demo province, consistent with the registry's admissions.

- Every member admitted (first admission, through a ceremony in the province) from six months
  before 23/02/2019 to 31/03/2020 and in the 15 months before `today` gets the case that led to
  it: proposal, class certificate, 1-KNĐ, 2-KNĐ, introduction (by two official members of the
  cell chosen from the registry's stints, or by the Youth Union / trade union), verification, a
  passing cell vote (a few after a failed one), the grassroots proposal, the decision (the
  registry's own number and date) and the ceremony (the registry's admission date), then
  recognition when the registry has it. So on 23/02/2019 cases stand at every stage up to
  probation, and `admitted` stays the registry's own count.
- A few members admitted late in 2017 were recognized only after 23/02/2019: their cases are
  overdue for recognition on that day (the registry's recognition decision date is set to match;
  the recognition itself, effective at the end of probation, and every figure are unchanged).
- Today, the registry's demo leaves three probationers unrecognized whose probation ended 55–75
  days before (grassroots/members/demo.py `LATE_RECOGNITIONS_TODAY`): their cases stand in
  probation, overdue for recognition, without a recognition step.
- People never admitted fill the pipeline at every stage on 23/02/2019 and today, with a few
  overdue (a ceremony past its 30 working days, stale files), a few waiting for the upper
  committee after three failed votes and a few refused; the 2019 ones leave the list afterwards
  (moved away, file lapsed, decision withdrawn, refused), so nobody is admitted outside the
  registry.

Rows are written in bulk (like the registry's demo loader) and derived with the same
`rules.replay`/`rules.spans` as the services; one audit record covers the batch.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from grassroots.audit.models import Source
from grassroots.audit.services import Actor, record
from grassroots.core.dates import add_months
from grassroots.core.text import fold
from grassroots.members.models import EventKind, MemberEvent, MemberStint, Status
from grassroots.organizations.models import MEMBER_KINDS, Unit, UnitAncestry, UnitVersion
from grassroots.organizations.queries import on

from . import config, rules
from .models import Candidate, CaseSpan, CaseStep, IntroducedBy, ProposalSource, StepKind

ANCHOR = dt.date(2019, 2, 23)  # Resolution 2019's reference day (domain.md)
# From six months before the anchor, so that probationers stand on it.
WINDOW_2019 = (dt.date(2018, 8, 24), dt.date(2020, 3, 31))
LATE_RECOGNITIONS = 4  # per anchor: members whose recognition came after the anchor
SOURCES = (
    [ProposalSource.YOUTH_UNION] * 6
    + [ProposalSource.TRADE_UNION] * 2
    + [
        ProposalSource.MASS_ORGANIZATION,
        ProposalSource.CELL,
    ]
)
CASE_PROFILE = [
    "full_name", "gender", "birth_date", "ethnicity", "religion", "hometown", "residence",
    "education", "expertise", "theory_level", "occupation", "citizen_id",
]  # fmt: skip
# Days before the ceremony at which each step happened (a typical file, jittered).
PLAN = [
    (StepKind.PROPOSED, 420),
    (StepKind.CERTIFICATE, 360),
    (StepKind.APPLICATION, 300),
    (StepKind.BACKGROUND, 280),
    (StepKind.INTRODUCTION, 250),
    (StepKind.VERIFICATION, 150),
    (StepKind.CELL_VOTE, 90),
    (StepKind.GRASSROOTS_PROPOSAL, 60),
    (StepKind.DECISION, None),  # the registry's decision date
    (StepKind.CEREMONY, 0),
]


class _Writer:
    def __init__(self, rng: random.Random, rule_values: rules.Rules) -> None:
        self.rng = rng
        self.rules = rule_values
        self.steps: list[tuple[Candidate, list[CaseStep]]] = []

    def case(self, candidate: Candidate, steps: list[CaseStep]) -> None:
        self.steps.append((candidate, steps))

    def flush(self) -> int:
        candidates = [c for c, _ in self.steps]
        Candidate.objects.bulk_create(candidates, batch_size=2000)
        all_steps, spans = [], []
        for candidate, steps in self.steps:
            for step in steps:
                step.candidate = candidate
            all_steps += steps
            replayable = [
                rules.St(s.kind, s.date, s.unit_id, s.passed, i) for i, s in enumerate(steps)
            ]
            _, timeline = rules.replay(replayable, self.rules)
            spans += [
                CaseSpan(candidate=candidate, unit_id=u, stage=s, start=a, end=b)
                for u, s, a, b in rules.spans(timeline)
            ]
        CaseStep.objects.bulk_create(all_steps, batch_size=5000)
        CaseSpan.objects.bulk_create(spans, batch_size=5000)
        return len(candidates)


def _step(kind, day, **fields) -> CaseStep:
    return CaseStep(kind=kind, date=day, **fields)


class _Introducers:
    """Official members who may introduce an applicant of a cell on a day: an official stint in
    that very cell that began at least `introducer_months` before (domain.md §2.2: ≥ 12 months
    working with the applicant in the same grassroots organization; a cell lies in one). Read in
    one query; tests check every pick again through `registry.introducer_facts`, as the service
    does."""

    def __init__(self, unit: Unit, since: dt.date, months: int) -> None:
        self.months = months
        self.by_cell: dict[int, list[tuple]] = defaultdict(list)
        subtree = UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
        rows = MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=since), status=Status.OFFICIAL, unit_id__in=subtree
        ).values_list("unit_id", "start", "end", "member_id")
        for cell_id, start, end, member_id in rows:
            self.by_cell[cell_id].append((start, end, member_id))

    def pick(self, rng: random.Random, cell_id: int, day: dt.date) -> tuple[int, int] | None:
        need = add_months(day, -self.months)
        pool = sorted(
            {m for s, e, m in self.by_cell.get(cell_id, ()) if s <= need and (e is None or e > day)}
        )
        return tuple(rng.sample(pool, 2)) if len(pool) >= 2 else None


def _introduction(rng, introducers: _Introducers, cell_id: int, day: dt.date, youth: bool) -> dict:
    """Two official members of the cell (about half the files), else the Youth Union (members of
    it) or the trade union."""
    pair = introducers.pick(rng, cell_id, day) if rng.random() < 0.5 else None
    if pair:
        return {"introduced_by": IntroducedBy.MEMBERS, "introducer_1_id": pair[0],
                "introducer_2_id": pair[1]}  # fmt: skip
    if youth:
        return {"introduced_by": IntroducedBy.YOUTH_UNION,
                "document_number": f"{rng.randint(1, 90)}-NQ/ĐTN"}  # fmt: skip
    return {"introduced_by": IntroducedBy.TRADE_UNION,
            "document_number": f"{rng.randint(1, 90)}-NQ/CĐ"}  # fmt: skip


def _file_steps(rng, cell_id: int, ceremony: dt.date, decision: dt.date, number: str, body: str,
                floor: dt.date, failed_vote: bool, introduce) -> list[CaseStep]:  # fmt: skip
    """The steps of an admitted person's file, none before `floor` (the cell's first day);
    `introduce(day)` gives the introduction's fields."""
    steps = []
    for kind, before in PLAN:
        if kind == StepKind.DECISION:
            day = decision
        else:
            jitter = rng.randint(-15, 15) if before else 0
            day = ceremony - dt.timedelta(days=before + jitter) if before else ceremony
            day = min(day, decision - dt.timedelta(days=1)) if kind != StepKind.CEREMONY else day
        day = max(day, floor)
        fields = {}
        if kind == StepKind.PROPOSED:
            fields["unit_id"] = cell_id
        elif kind == StepKind.CERTIFICATE:
            fields.update(
                course="Lớp bồi dưỡng nhận thức về Đảng", issuing_body="Trung tâm Chính trị"
            )
        elif kind == StepKind.INTRODUCTION:
            fields.update(introduce(day))
        elif kind == StepKind.VERIFICATION:
            fields["passed"] = True
        elif kind == StepKind.CELL_VOTE:
            official = rng.randint(5, 30)
            if failed_vote:
                # A month before the passing vote, but never before the file's previous step
                # (a young cell's steps are all pulled up to its first day).
                failed_on = max(day - dt.timedelta(days=30), floor, steps[-1].date)
                steps.append(_step(kind, failed_on, official_members=official,
                                   votes_for=official // 2, passed=False))  # fmt: skip
            fields.update(official_members=official, votes_for=official - rng.randint(0, official // 4),
                          passed=True)  # fmt: skip
        elif kind in (StepKind.DECISION, StepKind.GRASSROOTS_PROPOSAL):
            fields.update(document_number=number, issuing_body=body)
        steps.append(_step(kind, day, **fields))
    steps.sort(key=lambda s: s.date)
    return steps


def _late_recognitions(writer: _Writer, admissions, anchor: dt.date) -> list[MemberEvent]:
    """Admissions whose recognition deadline passed before `anchor`, the registry's recognition
    decision being moved to just after it (its effect, the end of probation, is unchanged)."""
    lo, hi = add_months(anchor, -17), add_months(anchor, -14)
    events = list(admissions.filter(date__gte=lo, date__lte=hi).order_by("date", "id")[:200])
    officials = {
        e.member_id: e
        for e in MemberEvent.objects.filter(
            kind=EventKind.OFFICIAL, voided_at__isnull=True,
            member_id__in=[e.member_id for e in events],
        )
    }  # fmt: skip
    holidays = config.holidays()
    chosen = []
    for event in writer.rng.sample(events, len(events)):
        official = officials.get(event.member_id)
        deadline = rules.recognition_deadline(event.date, writer.rules, holidays)
        if (
            official is None
            or deadline >= anchor
            or official.date != rules.probation_end(event.date, writer.rules)
        ):
            continue
        official.decision_date = anchor + dt.timedelta(days=writer.rng.randint(7, 40))
        official.save(update_fields=["decision_date"])
        chosen.append(event)
        if len(chosen) == LATE_RECOGNITIONS:
            break
    return chosen


def _admitted_cases(writer: _Writer, unit: Unit, today: dt.date, introducers: _Introducers) -> int:
    rng = writer.rng
    subtree = UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
    windows = [WINDOW_2019, (add_months(today, -15), today)]
    admissions = MemberEvent.objects.filter(
        kind=EventKind.ADMISSION, voided_at__isnull=True, unit_id__in=subtree,
    ).select_related("member", "unit")  # fmt: skip
    late = _late_recognitions(writer, admissions, ANCHOR)
    batches = [late] + [
        list(admissions.filter(date__gte=lo, date__lte=hi).order_by("date", "id"))
        for lo, hi in windows
    ]
    n = 0
    for events in batches:
        recognized = dict(
            MemberEvent.objects.filter(
                kind=EventKind.OFFICIAL, voided_at__isnull=True,
                member_id__in=[e.member_id for e in events],
            ).values_list("member_id", "decision_date")
        )  # fmt: skip
        for event in events:
            member = event.member
            youth = rng.random() < 0.7
            decision = event.decision_date or event.date - dt.timedelta(days=20)
            steps = _file_steps(
                rng, event.unit_id, event.date, decision, event.decision_number or "",
                event.issuing_body or "", event.unit.established, rng.random() < 0.03,
                lambda day, cell=event.unit_id, y=youth: _introduction(rng, introducers, cell, day, y),
            )  # fmt: skip
            end = rules.probation_end(event.date, writer.rules)
            if member.pk in recognized and end <= today:
                steps.append(_step(StepKind.RECOGNITION, recognized[member.pk] or end))
            profile = {f: getattr(member, f) for f in CASE_PROFILE}
            writer.case(
                Candidate(
                    **profile, search_name=fold(member.full_name), youth_union=youth,
                    cell_id=event.unit_id, proposed_on=steps[0].date, source=rng.choice(SOURCES),
                    member=member, profile_number=member.profile_number,
                ),
                steps,
            )  # fmt: skip
            n += 1
    return n


FIRST = ["Hoàng", "Nông", "Lương", "Vi", "Lộc", "Hà", "Triệu", "Lý", "Nguyễn", "Đinh"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức", "Hồng"]
LAST = ["An", "Bình", "Chiến", "Dung", "Giang", "Hạnh", "Khánh", "Linh", "Mai", "Nam", "Phương",
        "Quân", "Sơn", "Thảo", "Tú", "Vân", "Yến"]  # fmt: skip
ETHNIC = ["Tày"] * 5 + ["Nùng"] * 4 + ["Kinh"] * 3 + ["Dao", "Sán Chay"]

# Open cases today: (stage reached, how many days ago each step happened).
OPEN_SHAPES = [
    ("proposed", [(StepKind.PROPOSED, 40)]),
    ("certified", [(StepKind.PROPOSED, 200), (StepKind.CERTIFICATE, 120)]),
    ("applied", [(StepKind.PROPOSED, 260), (StepKind.CERTIFICATE, 200), (StepKind.APPLICATION, 90),
                 (StepKind.BACKGROUND, 80)]),
    ("introduced", [(StepKind.PROPOSED, 300), (StepKind.CERTIFICATE, 250), (StepKind.APPLICATION, 150),
                    (StepKind.BACKGROUND, 140), (StepKind.INTRODUCTION, 100)]),
    ("verified", [(StepKind.PROPOSED, 330), (StepKind.CERTIFICATE, 280), (StepKind.APPLICATION, 200),
                  (StepKind.BACKGROUND, 190), (StepKind.INTRODUCTION, 170), (StepKind.VERIFICATION, 40)]),
    ("cell_passed", [(StepKind.PROPOSED, 360), (StepKind.CERTIFICATE, 300), (StepKind.APPLICATION, 220),
                     (StepKind.BACKGROUND, 210), (StepKind.INTRODUCTION, 200), (StepKind.VERIFICATION, 90),
                     (StepKind.CELL_VOTE, 20)]),
    ("proposed_up", [(StepKind.PROPOSED, 380), (StepKind.CERTIFICATE, 320), (StepKind.APPLICATION, 240),
                     (StepKind.BACKGROUND, 230), (StepKind.INTRODUCTION, 220), (StepKind.VERIFICATION, 110),
                     (StepKind.CELL_VOTE, 45), (StepKind.GRASSROOTS_PROPOSAL, 15)]),
    ("decided", [(StepKind.PROPOSED, 400), (StepKind.CERTIFICATE, 340), (StepKind.APPLICATION, 260),
                 (StepKind.BACKGROUND, 250), (StepKind.INTRODUCTION, 240), (StepKind.VERIFICATION, 130),
                 (StepKind.CELL_VOTE, 70), (StepKind.GRASSROOTS_PROPOSAL, 40), (StepKind.DECISION, 10)]),
    # Overdue: a ceremony 60 days after the decision has not been held; a stale file.
    ("decided_late", [(StepKind.PROPOSED, 460), (StepKind.CERTIFICATE, 400), (StepKind.APPLICATION, 320),
                      (StepKind.BACKGROUND, 310), (StepKind.INTRODUCTION, 300), (StepKind.VERIFICATION, 190),
                      (StepKind.CELL_VOTE, 130), (StepKind.GRASSROOTS_PROPOSAL, 100), (StepKind.DECISION, 60)]),
    ("stale", [(StepKind.PROPOSED, 700), (StepKind.CERTIFICATE, 650), (StepKind.APPLICATION, 500),
               (StepKind.BACKGROUND, 490), (StepKind.INTRODUCTION, 420)]),
    # Failed at the vote three times: waiting for the upper committee's ruling.
    ("escalated", [(StepKind.PROPOSED, 500), (StepKind.CERTIFICATE, 450), (StepKind.APPLICATION, 350),
                   (StepKind.BACKGROUND, 340), (StepKind.INTRODUCTION, 330), (StepKind.VERIFICATION, 230),
                   (StepKind.CELL_VOTE, 200), (StepKind.CELL_VOTE, 140), (StepKind.CELL_VOTE, 60)]),
    # Refused at the vote three times, then by the upper committee: off the list.
    ("refused", [(StepKind.PROPOSED, 600), (StepKind.CERTIFICATE, 550), (StepKind.APPLICATION, 450),
                 (StepKind.BACKGROUND, 440), (StepKind.INTRODUCTION, 430), (StepKind.VERIFICATION, 330),
                 (StepKind.CELL_VOTE, 300), (StepKind.CELL_VOTE, 240), (StepKind.CELL_VOTE, 180),
                 (StepKind.UPPER_RULING, 150)]),
]  # fmt: skip
REFUSED = "Cấp ủy cấp trên không đồng ý kết nạp"
# How the cases open on 23/02/2019 left the list afterwards (none of them was admitted: every
# admission is the registry's). "decided" is left out: on-time decisions come from the registry.
CLOSED_LATER = {
    "proposed": "Quần chúng chuyển đi nơi khác",
    "certified": "Quần chúng chuyển công tác ra ngoài tỉnh",
    "applied": "Quần chúng xin rút khỏi danh sách",
    "introduced": "Chưa đủ tiêu chuẩn, chi bộ đưa ra khỏi danh sách",
    "verified": "Quần chúng chuyển đi nơi khác",
    "cell_passed": "Đảng ủy cơ sở chưa đồng ý đề nghị kết nạp",
    "proposed_up": REFUSED,
    "decided_late": "Quyết định kết nạp bị thu hồi: quần chúng chuyển công tác trước lễ kết nạp",
    "stale": "Hồ sơ quá 12 tháng chưa được đề nghị kết nạp, chi bộ đưa ra khỏi danh sách",
    "escalated": REFUSED,
}


def _open_cases(writer: _Writer, unit: Unit, today: dt.date, per_shape: int,
                introducers: _Introducers, closed_later: dict | None = None) -> int:  # fmt: skip
    """`per_shape` cases of each shape open on `today`; with `closed_later`, only those shapes,
    each leaving the list within months after `today` for the reason given."""
    rng = writer.rng
    horizon = today + dt.timedelta(days=200 if closed_later else 0)
    cells = list(
        UnitVersion.objects.filter(on(today), kind__in=MEMBER_KINDS)
        .filter(
            unit_id__in=UnitAncestry.objects.filter(on(today), ancestor=unit).values(
                "descendant_id"
            )
        )
        .filter(Q(unit__ended__isnull=True) | Q(unit__ended__gt=horizon))
        .values_list("unit_id", "unit__established")
    )
    if not cells:
        return 0
    n = 0
    for shape, plan in OPEN_SHAPES:
        if closed_later is not None and shape not in closed_later and shape != "refused":
            continue
        for _ in range(per_shape):
            cell_id, established = rng.choice(cells)
            youth = rng.random() < 0.8
            steps = []
            for kind, ago in plan:
                day = max(today - dt.timedelta(days=ago + rng.randint(0, 5)), established)
                fields = {}
                if kind == StepKind.PROPOSED:
                    fields["unit_id"] = cell_id
                elif kind == StepKind.INTRODUCTION:
                    fields.update(_introduction(rng, introducers, cell_id, day, youth))
                elif kind == StepKind.VERIFICATION:
                    fields["passed"] = True
                elif kind == StepKind.CELL_VOTE:
                    passed = shape not in ("refused", "escalated")
                    fields.update(official_members=12, votes_for=10 if passed else 6, passed=passed)
                elif kind == StepKind.UPPER_RULING:
                    fields.update(passed=False, document_number="7-TB/ĐU")
                elif kind == StepKind.DECISION:
                    fields.update(
                        document_number=f"{rng.randint(100, 999)}-QĐ/ĐU", issuing_body="Đảng ủy xã"
                    )
                steps.append(_step(kind, day, **fields))
            steps.sort(key=lambda s: s.date)
            closed, reason = None, ""
            if shape == "refused":
                closed, reason = steps[-1].date, REFUSED
            elif closed_later:
                closed = today + dt.timedelta(days=rng.randint(20, 150))
                reason = closed_later[shape]
                if shape == "escalated":
                    steps.append(_step(StepKind.UPPER_RULING, closed, passed=False,
                                       document_number="12-TB/ĐU"))  # fmt: skip
                else:
                    steps.append(_step(StepKind.CLOSED, closed, note=reason))
            gender = rng.choice("MF")
            name = f"{rng.choice(FIRST)} {'Thị' if gender == 'F' else rng.choice(MIDDLE)} {rng.choice(LAST)}"
            birth = today - dt.timedelta(days=rng.randint(19 * 365, 35 * 365))
            writer.case(
                Candidate(
                    full_name=name, search_name=fold(name), gender=gender, birth_date=birth,
                    ethnicity=rng.choice(ETHNIC), education="12/12", occupation="Nông dân",
                    youth_union=youth, cell_id=cell_id, proposed_on=steps[0].date,
                    source=rng.choice(SOURCES), closed_on=closed, close_reason=reason,
                ),
                steps,
            )  # fmt: skip
            n += 1
    return n


@transaction.atomic
def seed_demo_pipeline(code: str = "LS", seed: int = 2019, today: dt.date | None = None,
                       per_shape: int = 12) -> dict:  # fmt: skip
    """Write the demo's development cases under organization `code`; returns counts."""
    from django.utils import timezone

    today = today or timezone.localdate()
    config.ensure_seeded()
    unit = Unit.objects.get(code=code)
    writer = _Writer(random.Random(seed), config.rules_on(today))
    introducers = _Introducers(unit, add_months(ANCHOR, -36), writer.rules.introducer_months)
    admitted = _admitted_cases(writer, unit, today, introducers)
    anchor_cases = _open_cases(
        writer, unit, ANCHOR, max(1, per_shape // 3), introducers, CLOSED_LATER
    )
    open_cases = _open_cases(writer, unit, today, per_shape, introducers)
    writer.flush()
    record(
        Actor(None, Source.CLI),
        obj=unit,
        action="bulk_load",
        object_type="candidate",
        changes={"cases": [None, admitted + anchor_cases + open_cases]},
        reason=f"demo: hồ sơ phát triển đảng viên (seed {seed})",
    )
    return {"admitted_cases": admitted, "anchor_cases": anchor_cases, "open_cases": open_cases}
