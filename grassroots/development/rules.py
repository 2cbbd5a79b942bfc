"""The admission rules of domain.md §2.2–2.3 as pure functions (no database).

Values come from the dated rule set in force (`config.rules_on`), never from constants here, so
QĐ 294 / HD 06 (2025, domain-processes.md §0) can change a number without touching the years
QĐ 24 / HD 01 governed. Each function returns a Vietnamese message (or raises) that the services
show as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from grassroots.core.dates import add_months, vn

from .models import Stage, StepKind


@dataclass(frozen=True)
class Rules:
    """One rule set's values (RuleValue keys are these field names)."""

    code: str = ""
    min_age_months: int = 216
    max_age_months: int = 720
    introducer_months: int = 12
    vote_numerator: int = 2
    vote_denominator: int = 3
    max_failed_votes: int = 3
    ceremony_working_days: int = 30
    recognition_working_days: int = 30
    stale_file_months: int = 12
    certificate_validity_years: int = 5
    probation_months: int = 12


def age_months(birth: dt.date, day: dt.date) -> int:
    """Full months of age on `day` (domain.md §2.2: age is counted by month)."""
    months = (day.year - birth.year) * 12 + day.month - birth.month
    if day.day < birth.day and add_months(birth, months) > day:
        months -= 1
    return months


def age_problem(birth: dt.date, day: dt.date, rules: Rules, exception: str = "") -> str | None:
    # domain.md §2.2 (QĐ 24 §1.1; kept by QĐ 294): 18 to 60 full years, counted by month, on
    # the day the cell considers; over 60 needs a committee directly under the Centre.
    months = age_months(birth, day)
    if months < rules.min_age_months:
        return (
            f"Người vào Đảng phải đủ {rules.min_age_months // 12} tuổi (tính theo tháng) vào ngày "
            f"chi bộ xét ({vn(day)}); hiện mới {months // 12} tuổi {months % 12} tháng."
        )
    if months > rules.max_age_months and not exception.strip():
        return (
            f"Người vào Đảng quá {rules.max_age_months // 12} tuổi (tính theo tháng) vào ngày "
            f"{vn(day)}: cần quyết định của cấp ủy trực thuộc Trung ương cho phép."
        )
    return None


def age_limit_day(birth: dt.date, rules: Rules) -> dt.date:
    """The first day on which the person is over the age limit."""
    return add_months(birth, rules.max_age_months + 1)


def vote_passes(votes_for: int, official_members: int, rules: Rules) -> bool:
    # domain.md §2.2 (Điều lệ Điều 4): at least two thirds of official members approve.
    return official_members > 0 and (
        votes_for * rules.vote_denominator >= rules.vote_numerator * official_members
    )


def add_working_days(day: dt.date, count: int, holidays: Iterable[dt.date]) -> dt.date:
    """The `count`-th working day after `day` (Monday–Friday, not a public holiday)."""
    # A caller counting thousands of cases passes its holidays as a set once.
    off = holidays if isinstance(holidays, set | frozenset) else set(holidays)
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def ceremony_deadline(decision: dt.date, rules: Rules, holidays: Iterable[dt.date]) -> dt.date:
    # domain.md §2.2: the ceremony within 30 working days of receiving the admission decision.
    return add_working_days(decision, rules.ceremony_working_days, holidays)


def probation_end(ceremony: dt.date, rules: Rules) -> dt.date:
    # domain.md §2.3: 12 months from the ceremony.
    return add_months(ceremony, rules.probation_months)


def recognition_deadline(ceremony: dt.date, rules: Rules, holidays: Iterable[dt.date]) -> dt.date:
    # domain.md §2.3: the cell considers official status within 30 working days of the end.
    return add_working_days(
        probation_end(ceremony, rules), rules.recognition_working_days, holidays
    )


def certificate_valid_until(issued: dt.date, rules: Rules) -> dt.date:
    # domain.md §2.2: CN-NTVĐ validity "5 years" [UNCONFIRMED] — a configurable rule value.
    return add_months(issued, rules.certificate_validity_years * 12)


def stale_file_day(compiled: dt.date, rules: Rules) -> dt.date:
    # domain.md §2.2 (HD 01, succeeded by HD 06): 12 months without the cell proposing admission
    # and the introductions must be redone.
    return add_months(compiled, rules.stale_file_months)


@dataclass(frozen=True)
class IntroducerFacts:
    """What the registry says about an introducer on the introduction day."""

    name: str
    official: bool
    # Day since which they have been, without a break, in cells of the applicant's grassroots
    # organization (None: not there on the day).
    in_grassroots_since: dt.date | None


def introducer_problem(facts: IntroducerFacts, day: dt.date, rules: Rules) -> str | None:
    # domain.md §2.2 (Điều lệ Điều 4; QĐ 24): two official members who worked with the applicant
    # for ≥ 12 months in a unit under the same grassroots organization.
    if not facts.official:
        return f"{facts.name} không phải đảng viên chính thức vào ngày {vn(day)}."
    need = add_months(day, -rules.introducer_months)
    if facts.in_grassroots_since is None or facts.in_grassroots_since > need:
        return (
            f"{facts.name} chưa sinh hoạt đủ {rules.introducer_months} tháng trong cùng tổ chức "
            f"cơ sở đảng với người vào Đảng tính đến ngày {vn(day)}."
        )
    return None


# --- The state of a case, replayed from its steps ------------------------------------------

STAGE_ORDER = [
    Stage.PROPOSED,
    Stage.CERTIFIED,
    Stage.APPLIED,
    Stage.INTRODUCED,
    Stage.VERIFIED,
    Stage.ESCALATED,
    Stage.CELL_PASSED,
    Stage.PROPOSED_UP,
    Stage.DECIDED,
    Stage.PROBATION,
    Stage.OFFICIAL,
]
RANK = {s: i for i, s in enumerate(STAGE_ORDER)}
# Stages in which the case is in the pipeline (counted by the board and the figures).
OPEN_STAGES = STAGE_ORDER[: STAGE_ORDER.index(Stage.OFFICIAL)]


@dataclass(frozen=True)
class St:
    """A step as the rules see it."""

    kind: str
    date: dt.date
    unit_id: int | None = None
    passed: bool | None = None
    key: int = 0


@dataclass
class CaseState:
    stage: str = Stage.PROPOSED
    unit_id: int | None = None
    failed_votes: int = 0
    first: dict | None = None  # kind → date of its first live step
    last: dict | None = None  # kind → date of its latest live step
    closed: dt.date | None = None


_ADVANCE = {
    StepKind.CERTIFICATE: Stage.CERTIFIED,
    StepKind.APPLICATION: Stage.APPLIED,
    StepKind.BACKGROUND: Stage.APPLIED,
    StepKind.INTRODUCTION: Stage.INTRODUCED,
    StepKind.GRASSROOTS_PROPOSAL: Stage.PROPOSED_UP,
    StepKind.DECISION: Stage.DECIDED,
    StepKind.CEREMONY: Stage.PROBATION,
}


def replay(steps: list[St], rules: Rules) -> tuple[CaseState, list[tuple[dt.date, int, str]]]:
    """The case's state after its steps and its timeline: (day, cell, stage) from that day on;
    stage "" = out of the pipeline (official or closed)."""
    state = CaseState(first={}, last={})
    timeline: list[tuple[dt.date, int, str]] = []

    def mark(day: dt.date) -> None:
        stage = "" if state.closed or state.stage == Stage.OFFICIAL else state.stage
        timeline.append((day, state.unit_id, stage))

    for st in sorted(steps, key=lambda s: (s.date, s.key)):
        state.first.setdefault(st.kind, st.date)
        state.last[st.kind] = st.date
        kind = st.kind
        target = _ADVANCE.get(kind)
        if kind in (StepKind.PROPOSED, StepKind.MOVED):
            state.unit_id = st.unit_id
        elif kind == StepKind.VERIFICATION and st.passed:
            target = Stage.VERIFIED
        elif kind == StepKind.CELL_VOTE:
            if st.passed:
                target = Stage.CELL_PASSED
            else:
                state.failed_votes += 1
                if state.failed_votes >= rules.max_failed_votes:
                    target = Stage.ESCALATED
        elif kind == StepKind.UPPER_RULING:
            if st.passed:
                target = Stage.CELL_PASSED
            else:
                state.closed = st.date
        elif kind == StepKind.CLOSED:
            state.closed = st.date
        if target and RANK[target] > RANK[state.stage]:
            state.stage = target
        if kind == StepKind.RECOGNITION:
            # domain.md §2.3: official from the end of probation, even when the vote is late.
            state.stage = Stage.OFFICIAL
            ceremony = state.first.get(StepKind.CEREMONY)
            mark(probation_end(ceremony, rules) if ceremony else st.date)
            continue
        mark(st.date)
    return state, timeline


def spans(
    timeline: list[tuple[dt.date, int, str]],
) -> list[tuple[int, str, dt.date, dt.date | None]]:
    """(cell, stage, start, end) intervals from a timeline; the last change of a day wins."""
    by_day: dict[dt.date, tuple[int, str]] = {}
    for day, unit_id, stage in sorted(timeline, key=lambda t: t[0]):
        by_day[day] = (unit_id, stage)
    out: list[list] = []
    for day in sorted(by_day):
        unit_id, stage = by_day[day]
        if out and out[-1][3] is None:
            if (out[-1][0], out[-1][1]) == (unit_id, stage):
                continue
            out[-1][3] = day
        if stage:
            out.append([unit_id, stage, day, None])
    return [tuple(s) for s in out if s[3] is None or s[2] < s[3]]


def _need(state: CaseState, kind: str, label: str, day: dt.date) -> dt.date:
    seen = state.last.get(kind)
    if seen is None:
        raise ValidationError(f"Chưa có bước “{label}”.")
    if seen > day:
        raise ValidationError(f"Ngày này ({vn(day)}) trước bước “{label}” ({vn(seen)}).")
    return seen


def check_step(state: CaseState, kind: str, day: dt.date, rules: Rules) -> None:
    """Refuse a step that the file does not allow yet (order of domain.md §2.2)."""
    if state.closed:
        raise ValidationError(f"Hồ sơ đã đưa ra khỏi danh sách ngày {vn(state.closed)}.")
    proposed = state.first.get(StepKind.PROPOSED)
    if proposed and day < proposed:
        raise ValidationError(
            f"Ngày {vn(day)} trước ngày đưa vào danh sách quần chúng ưu tú ({vn(proposed)})."
        )
    after_ceremony = {StepKind.RECOGNITION, StepKind.CLOSED}
    if StepKind.CEREMONY in state.last and kind not in after_ceremony:
        raise ValidationError("Đã kết nạp: các việc tiếp theo được ghi trong hồ sơ đảng viên.")
    if state.stage == Stage.OFFICIAL:
        raise ValidationError("Đã công nhận đảng viên chính thức.")
    if kind == StepKind.BACKGROUND or kind == StepKind.INTRODUCTION:
        _need(state, StepKind.APPLICATION, "Đơn xin vào Đảng", day)
    elif kind == StepKind.VERIFICATION:
        _need(state, StepKind.BACKGROUND, "Lý lịch người xin vào Đảng", day)
    elif kind == StepKind.CELL_VOTE:
        if state.stage == Stage.ESCALATED:
            raise ValidationError(
                f"Chi bộ đã biểu quyết {state.failed_votes} lần không đạt: hồ sơ phải chuyển "
                "cấp ủy cấp trên xem xét."
            )
        if RANK[state.stage] >= RANK[Stage.CELL_PASSED]:
            raise ValidationError("Chi bộ đã biểu quyết đề nghị kết nạp.")
        _need(state, StepKind.CERTIFICATE, "Giấy chứng nhận học lớp nhận thức về Đảng", day)
        _need(state, StepKind.INTRODUCTION, "Giới thiệu người vào Đảng", day)
        if RANK[state.stage] < RANK[Stage.VERIFIED]:
            raise ValidationError("Chưa có kết quả thẩm tra lý lịch đạt yêu cầu.")
    elif kind == StepKind.UPPER_RULING:
        if state.stage != Stage.ESCALATED:
            raise ValidationError(
                f"Chỉ chuyển cấp trên sau {rules.max_failed_votes} lần biểu quyết không đạt."
            )
    elif kind == StepKind.GRASSROOTS_PROPOSAL:
        if state.stage != Stage.CELL_PASSED:
            raise ValidationError("Chi bộ chưa biểu quyết đề nghị kết nạp (đạt 2/3).")
    elif kind == StepKind.DECISION:
        application = _need(state, StepKind.APPLICATION, "Đơn xin vào Đảng", day)
        if day < application:
            raise ValidationError("Quyết định kết nạp không thể trước ngày làm đơn xin vào Đảng.")
        if state.stage != Stage.PROPOSED_UP:
            raise ValidationError("Chưa có nghị quyết đề nghị kết nạp của đảng ủy cơ sở.")
    elif kind == StepKind.CEREMONY:
        if state.stage != Stage.DECIDED:
            raise ValidationError("Chưa có quyết định kết nạp.")
        _need(state, StepKind.DECISION, "Quyết định kết nạp", day)
    elif kind == StepKind.RECOGNITION:
        ceremony = _need(state, StepKind.CEREMONY, "Lễ kết nạp", day)
        end = probation_end(ceremony, rules)
        if day < end:
            raise ValidationError(
                f"Chưa hết 12 tháng dự bị (đến {vn(end)}): chưa thể xét công nhận chính thức."
            )


def ceremony_problem(
    decision: dt.date, day: dt.date, rules: Rules, holidays, upper_approval: str
) -> str | None:
    deadline = ceremony_deadline(decision, rules, holidays)
    if day > deadline and not upper_approval.strip():
        return (
            f"Lễ kết nạp phải tổ chức trong {rules.ceremony_working_days} ngày làm việc kể từ "
            f"ngày quyết định (hạn {vn(deadline)}); quá hạn cần văn bản đồng ý của cấp ủy cấp "
            "trên trực tiếp."
        )
    return None


def stale_problem(state: CaseState, day: dt.date, rules: Rules) -> str | None:
    """The file's introductions are older than the stale limit on the vote day."""
    intro = state.last.get(StepKind.INTRODUCTION)
    if intro and stale_file_day(intro, rules) <= day:
        return (
            f"Giới thiệu ngày {vn(intro)} đã quá {rules.stale_file_months} tháng mà chi bộ chưa "
            "đề nghị kết nạp: phải làm lại giới thiệu (HD 06-HD/TW)."
        )
    return None


def certificate_problem(state: CaseState, day: dt.date, rules: Rules) -> str | None:
    issued = state.last.get(StepKind.CERTIFICATE)
    if issued and certificate_valid_until(issued, rules) <= day:
        return (
            f"Giấy chứng nhận học lớp nhận thức về Đảng ngày {vn(issued)} đã hết hạn "
            f"({rules.certificate_validity_years} năm) vào ngày {vn(day)}."
        )
    return None
