"""Every figure of the pipeline, for any organization, as of any date or between two dates,
through the restructured tree (the closure on the day, like grassroots/figures).

`admissions` counts the registry's own admission stints exactly as the figures ledger does (a
stint that starts by admission under the organization on its first day), so its `admitted`
equals `figures(...).since.admitted` for the same organization and window: one fact, one count.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase

from grassroots.core.text import fold, sort_key
from grassroots.figures.queries import flow_stints
from grassroots.members.categories import classify
from grassroots.members.models import Gender, MemberStint, Status
from grassroots.organizations.models import Unit, UnitAncestry
from grassroots.organizations.queries import display_version, on
from grassroots.territory.models import CellArrangement, VillageVersion

from . import config, rules
from .models import Candidate, CaseSpan, CaseStep, Stage, StepKind

DUE_SOON_DAYS = 30  # how far ahead "sắp đến hạn" looks (a display choice, not a rule)


def _under_on(unit: Unit, day_field: str | None, day: dt.date | None = None) -> Exists:
    """The row's unit lies under `unit` on a day (a fixed day, or the row's own date column)."""
    if day is not None:
        return Exists(
            UnitAncestry.objects.filter(on(day), ancestor=unit, descendant_id=OuterRef("unit_id"))
        )
    return Exists(
        UnitAncestry.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day_field)),
            ancestor=unit,
            descendant_id=OuterRef("unit_id"),
            valid_from__lte=OuterRef(day_field),
        )
    )


def _live_stints(at: dt.date) -> QuerySet:
    return MemberStint.objects.filter(Q(end__isnull=True) | Q(end__gt=at), start__lte=at)


def _member_stint(at: dt.date) -> QuerySet:
    """The probationer's stint on `at` (for a span's row: its case's member)."""
    return _live_stints(at).filter(member_id=OuterRef("candidate__member_id"))


def _placed_under(unit: Unit, at: dt.date) -> Q:
    """A case lies under `unit` on `at` through its cell; a case in probation through the cell
    its member is counted in that day in the registry (the cell that considers the recognition):
    a probationer who transferred, or whose cell was merged, is followed there, and one who
    died, moved out of the system or left has left the pipeline too (no recognition is due),
    whatever path recorded it. Read here, not stored in the spans, because the registry's
    writers may not call this module (layers) and an event can be recorded or voided any time."""
    stint_under = _member_stint(at).filter(
        Exists(
            UnitAncestry.objects.filter(on(at), ancestor=unit, descendant_id=OuterRef("unit_id"))
        )
    )
    return (~Q(stage=Stage.PROBATION) & Q(_under_on(unit, None, at))) | Q(
        Q(stage=Stage.PROBATION), Exists(stint_under)
    )


def _cell_code(at: dt.date):
    """The case's cell code on `at`: the probationer's registry cell, else the span's."""
    stint_code = Subquery(_member_stint(at).values("unit__code")[:1])
    return DbCase(When(stage=Stage.PROBATION, then=stint_code), default=F("unit__code"))


def open_spans(unit: Unit, at: dt.date) -> QuerySet:
    """Cases in the pipeline under `unit` on `at`, with their cell and stage then."""
    return CaseSpan.objects.filter(
        Q(end__isnull=True) | Q(end__gt=at), _placed_under(unit, at), start__lte=at
    )


def pipeline_counts(unit: Unit, at: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(rules.OPEN_STAGES, 0)
    for stage, n in Counter(open_spans(unit, at).values_list("stage", flat=True)).items():
        counts[stage] = n
    return {str(k): v for k, v in counts.items()}


def pipeline_by_child(children: list[Unit], at: dt.date) -> dict[int, dict[str, int]]:
    """`pipeline_counts(child, at)` for each of `children`, from one read of their open cases:
    a case counts for each child whose subtree holds its place on `at` — its cell, or for a
    case in probation the registry cell of its member that day (`_placed_under`; none when the
    probationer left the registry)."""
    ids = [c.pk for c in children]
    out = {pk: {str(k): 0 for k in rules.OPEN_STAGES} for pk in ids}
    member_cell = Subquery(_member_stint(at).values("unit_id")[:1])
    place = DbCase(
        When(stage=Stage.PROBATION, then=member_cell),
        default=F("unit_id"),
        output_field=BigIntegerField(),
    )
    below = UnitAncestry.objects.filter(on(at), ancestor_id__in=ids).values("descendant_id")
    spans = (
        CaseSpan.objects.filter(Q(end__isnull=True) | Q(end__gt=at), start__lte=at)
        .annotate(place=place)
        .filter(place__in=below)
    )
    found = list(spans.values_list("stage", "place"))
    # Only the closure rows of the places found, on the day: reading every closure row of the
    # children (most of the closure for a country) was a third of the development section of
    # a 500,000-member country with no open case at all (issue 18 session 10).
    closure = _closure(ids, sorted({place_id for _stage, place_id in found}), at)
    for stage, place_id in found:
        for pk in _holders(closure, place_id, at):
            out[pk][str(stage)] = out[pk].get(str(stage), 0) + 1
    return out


def admitted_stints(unit: Unit, since: dt.date, at: dt.date) -> QuerySet:
    """The registry's admissions under `unit` in (since, at], as the figures ledger counts them
    (figures.queries.flow_stints)."""
    return flow_stints(unit, since, at, "admitted")


def _years(birth: dt.date, day: dt.date) -> int:
    return rules.age_months(birth, day) // 12


CATEGORIES = ["women", "ethnic_minority", "religious", "youth_union", "age_18_30"]
NO_RELIGION = {"", "khong"}


@dataclass
class Admissions:
    admitted: int
    by: dict[str, int]
    average_age: float | None
    occupation: dict[str, int]  # coded category (members/categories.py) → count
    education: dict[str, int]


def admissions(unit: Unit, since: dt.date, at: dt.date) -> Admissions:
    """Admissions in the window by the categories of the statistics report (domain.md §4.1,
    domain-processes.md §4). Youth Union membership is known from the candidate's file only.
    Occupation and education are counted in the coded lists of the member statistics
    (members/categories.py), so the groups are those of `grassroots statistics`."""
    return admissions_by_unit([unit], since, at)[unit.pk]


class _DayNumber(Func):
    """A date as the integer YYYYMMDD, so a full year of age is integer arithmetic in SQL on both
    databases (Django's Extract* are Python functions called per row on SQLite)."""

    arity = 1
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite keeps a date as its ISO text
        template = "CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        template = "CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra)


# Full years of age on the admission day from the two YYYYMMDD numbers, as `_years` counts them
# (rules.age_months // 12, domain.md §2.2: by month, the anniversary clamped to the month's end):
# a year less while the day's MMDD is before the birthday's, except that one born on 29/02
# turns a year older on 28/02 of a common year. Plain integer SQL (`/` truncates, both numbers
# are positive), the same text on SQLite and PostgreSQL.
_COMMON_YEAR = "NOT ({y} %% 4 = 0 AND ({y} %% 100 <> 0 OR {y} %% 400 = 0))"
_FULL_YEARS = (
    "(i.day_key / 10000 - i.birth_key / 10000 - CASE WHEN i.day_key %% 10000 < i.birth_key"
    " %% 10000 AND NOT (i.day_key %% 10000 = 228 AND i.birth_key %% 10000 = 229 AND "
    + _COMMON_YEAR.format(y="(i.day_key / 10000)")
    + ") THEN 1 ELSE 0 END)"
)


def admissions_by_unit(units: list[Unit], since: dt.date, at: dt.date) -> dict[int, Admissions]:
    """`admissions(u, since, at)` for each of `units` (the review report: the unit and its
    children at once), counted by one GROUP BY: an admission counts for each of the units
    whose subtree held its cell on the admission day (figures.queries.flow_ancestry) — a cell
    under two of them that day (one then under the other) counts for both.

    Each admission stint is read with what its categories need (the typed ethnicity, religion,
    occupation and education, whether the member is a woman and was in the Youth Union as a
    candidate, the age in full years on the admission day), joined to the closure rows of the
    units that hold its cell that day, and grouped by unit and the typed values; the typed
    values of each group are classified once in Python (`fold`, the coded lists), the rest are
    SQL sums. Before, every admission was a Python row, read once for the unit and once for its
    children (3 s of CPU of the country's report on 500,000 members, most of the report;
    docs/performance.md, issue 18 session 10). `_admissions_by_row` is the row-by-row count
    kept as the tests' reference."""
    ids = list(dict.fromkeys(u.pk for u in units))
    if not ids:
        return {}
    totals = {pk: _Tally() for pk in ids}
    youth = Candidate.objects.filter(
        member_id=OuterRef("member_id"), former_member__isnull=True, youth_union=True
    )
    rows = (
        flow_stints(None, since, at, "admitted", any_of=ids)
        .order_by()
        .annotate(
            cell=F("unit_id"),
            woman=DbCase(When(member__gender=Gender.FEMALE, then=Value(1)), default=Value(0)),
            youth=DbCase(When(Exists(youth), then=Value(1)), default=Value(0)),
            day_key=_DayNumber("start"),
            birth_key=_DayNumber("member__birth_date"),
            ethnicity=F("member__ethnicity"),
            religion=F("member__religion"),
            occupation=F("member__occupation"),
            education=F("member__education"),
        )
        .values(
            "cell", "day", "woman", "youth", "day_key", "birth_key",
            "ethnicity", "religion", "occupation", "education",
        )
    )  # fmt: skip
    inner, params = rows.query.sql_with_params()
    # The ORM has no join from a stint to the closure rows (UnitAncestry has no reverse
    # relation), and a subquery picks one holder where a cell can have two: the join is SQL.
    # PostgreSQL computes the inner row (its date conversions, the age) once only when the
    # subquery is kept apart by OFFSET 0: flattened, it repeated them at every reference, twice
    # the statement's time on 500,000 members (1,0 → 0,5 s). SQLite has no OFFSET without LIMIT
    # and reads the stints through the closure index only when it flattens the subquery.
    apart = " OFFSET 0" if connection.vendor == "postgresql" else ""
    sql = (
        "SELECT a.ancestor_id, r.ethnicity, r.religion, r.occupation, r.education, COUNT(*),"
        " SUM(r.woman), SUM(r.youth), SUM(r.years),"
        " SUM(CASE WHEN r.years BETWEEN 18 AND 30 THEN 1 ELSE 0 END)"
        f" FROM (SELECT i.*, {_FULL_YEARS} AS years FROM ({inner}) i{apart}) r"
        f" JOIN {UnitAncestry._meta.db_table} a ON a.descendant_id = r.cell"
        ' AND a.valid_from <= r."day" AND (a.valid_to IS NULL OR a.valid_to > r."day")'
        f" WHERE a.ancestor_id IN ({', '.join(['%s'] * len(ids))})"
        " GROUP BY a.ancestor_id, r.ethnicity, r.religion, r.occupation, r.education"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
        groups = cursor.fetchall()
    minority = _memo(lambda v: fold(v or "Kinh") != "kinh")
    religious = _memo(lambda v: fold(v or "") not in NO_RELIGION)
    occupation_of = _memo(lambda v: classify("occupation", v))
    education_of = _memo(lambda v: classify("education", v))
    for pk, ethnicity, religion, occ, edu, n, women, youths, years, young in groups:
        t = totals[pk]
        t.admitted += n
        t.by["women"] += int(women)
        t.by["ethnic_minority"] += n * minority(ethnicity)
        t.by["religious"] += n * religious(religion)
        t.by["youth_union"] += int(youths)
        t.by["age_18_30"] += int(young)
        t.years += int(years)
        t.occupation[occupation_of(occ)] += n
        t.education[education_of(edu)] += n
    return {pk: t.admissions() for pk, t in totals.items()}


@dataclass
class _Tally:
    admitted: int = 0
    by: dict = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    years: int = 0
    occupation: Counter = field(default_factory=Counter)
    education: Counter = field(default_factory=Counter)

    def admissions(self) -> Admissions:
        average = round(self.years / self.admitted, 1) if self.admitted else None
        return Admissions(
            self.admitted, self.by, average, dict(self.occupation), dict(self.education)
        )


def _closure(
    ids: list[int], descendants: list[int], day: dt.date
) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    """descendant → [(one of `ids` above it, from, to)]: the closure rows on `day` between these
    units and these descendants (500 descendants a statement)."""
    rows = defaultdict(list)
    for i in range(0, len(descendants), 500):
        for ancestor, descendant, start, end in UnitAncestry.objects.filter(
            on(day), ancestor_id__in=ids, descendant_id__in=descendants[i : i + 500]
        ).values_list("ancestor_id", "descendant_id", "valid_from", "valid_to"):
            rows[descendant].append((ancestor, start, end))
    return rows


def _holders(closure, unit_id: int, day: dt.date) -> list[int]:
    """The units of the closure that hold `unit_id` on `day` (figures.queries.flow_ancestry
    for an admission, `on(day)` for a stock: from ≤ day < to)."""
    return [
        a
        for a, start, end in closure.get(unit_id, ())
        if start <= day and (end is None or end > day)
    ]


# The admissions one row each, as they were counted before the GROUP BY: the tests' reference
# (tests/test_development_report.py proves `admissions_by_unit` equal to it on generated data).

_ADMISSION_COLUMNS = (
    "member_id", "start", "member__gender", "member__ethnicity", "member__religion",
    "member__birth_date", "member__occupation", "member__education",
)  # fmt: skip


def _admissions_by_row(unit: Unit, since: dt.date, at: dt.date) -> Admissions:
    stints = admitted_stints(unit, since, at)
    rows = list(stints.values_list(*_ADMISSION_COLUMNS))
    youth = set(
        Candidate.objects.filter(
            member_id__in=stints.values("member_id"), former_member__isnull=True, youth_union=True
        ).values_list("member_id", flat=True)
    )
    by = dict.fromkeys(CATEGORIES, 0)
    occupation: Counter = Counter()
    education: Counter = Counter()
    ages = []
    for member_id, start, gender, ethnicity, religion, birth, occ, edu in rows:
        age = _years(birth, start)
        ages.append(age)
        by["women"] += gender == "F"
        by["ethnic_minority"] += fold(ethnicity or "Kinh") != "kinh"
        by["religious"] += fold(religion or "") not in NO_RELIGION
        by["youth_union"] += member_id in youth
        by["age_18_30"] += 18 <= age <= 30
        occupation[classify("occupation", occ)] += 1
        education[classify("education", edu)] += 1
    average = round(sum(ages) / len(ages), 1) if ages else None
    return Admissions(len(rows), by, average, dict(occupation), dict(education))


def _memo(f):
    seen: dict = {}

    def once(value):
        if value not in seen:
            seen[value] = f(value)
        return seen[value]

    return once


def durations(unit: Unit, since: dt.date, at: dt.date) -> tuple[float | None, float | None]:
    """Median days application → decision and decision → ceremony, over the cases whose
    ceremony in (since, at] took place in a cell under `unit`."""
    admitted = CaseSpan.objects.filter(
        _under_on(unit, "start"), stage=Stage.PROBATION, start__gt=since, start__lte=at
    ).values("candidate_id")
    firsts: dict[int, dict[str, dt.date]] = defaultdict(dict)
    steps = CaseStep.objects.filter(
        candidate_id__in=admitted,
        voided_at__isnull=True,
        kind__in=[StepKind.APPLICATION, StepKind.DECISION, StepKind.CEREMONY],
    ).order_by("date", "id")
    for candidate_id, kind, day in steps.values_list("candidate_id", "kind", "date"):
        firsts[candidate_id].setdefault(kind, day)
    to_decision, to_ceremony = [], []
    for days in firsts.values():
        if StepKind.APPLICATION in days and StepKind.DECISION in days:
            to_decision.append((days[StepKind.DECISION] - days[StepKind.APPLICATION]).days)
        if StepKind.DECISION in days and StepKind.CEREMONY in days:
            to_ceremony.append((days[StepKind.CEREMONY] - days[StepKind.DECISION]).days)
    med = lambda xs: float(statistics.median(xs)) if xs else None  # noqa: E731
    return med(to_decision), med(to_ceremony)


# --- Deadlines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    candidate_id: int
    name: str
    cell: str
    rule: str
    label: str
    due: dt.date
    overdue: bool


RULE_LABELS = {
    "stale_file": "Hồ sơ quá 12 tháng chưa được chi bộ đề nghị kết nạp (làm lại giới thiệu)",
    "certificate": "Giấy chứng nhận học lớp nhận thức về Đảng hết hạn",
    "age": "Quá tuổi vào Đảng (trên 60 tuổi, tính theo tháng)",
    "ceremony": "Hạn tổ chức lễ kết nạp (30 ngày làm việc từ ngày quyết định)",
    "recognition": "Hạn xét công nhận đảng viên chính thức (30 ngày làm việc sau 12 tháng dự bị)",
}
_BEFORE_VOTE = {Stage.PROPOSED, Stage.CERTIFIED, Stage.APPLIED, Stage.INTRODUCED, Stage.VERIFIED}
_BEFORE_DECISION = _BEFORE_VOTE | {Stage.CELL_PASSED, Stage.ESCALATED, Stage.PROPOSED_UP}


def case_deadlines(
    candidate: Candidate,
    steps: list[CaseStep],
    at: dt.date,
    holidays,
    cell_code: str = "",
    rule_values: rules.Rules | None = None,
) -> list[Due]:
    """The time limits that apply to a case on `at` (steps after `at` are ignored)."""
    known = [rules.St(s.kind, s.date, s.unit_id, s.passed, s.pk) for s in steps if s.date <= at]
    admitted = candidate.member_id and any(s.kind == StepKind.CEREMONY for s in known)
    if admitted and not _live_stints(at).filter(member_id=candidate.member_id).exists():
        return []  # the probationer left the registry (died, moved out): nothing is due
    return _limits(
        (candidate.pk, candidate.full_name, candidate.birth_date, candidate.age_exception),
        known,
        at,
        holidays,
        cell_code,
        rule_values or config.rules_on(at),
    )


def _limits(case, known: list[rules.St], at, holidays, cell_code, rule_values) -> list[Due]:
    """`case_deadlines` of one case: `case` is (candidate id, name, birth date, age exception),
    `known` its steps up to `at` in date order."""
    candidate_id, full_name, birth_date, age_exception = case
    state, _ = rules.replay(known, rule_values)
    if state.closed or state.stage == Stage.OFFICIAL:
        return []
    out: list[tuple[str, dt.date]] = []
    stage = state.stage
    intro = state.last.get(StepKind.INTRODUCTION)
    if stage in _BEFORE_VOTE and intro:
        out.append(("stale_file", rules.stale_file_day(intro, rule_values)))
    cert = state.last.get(StepKind.CERTIFICATE)
    if stage in _BEFORE_DECISION and cert:
        out.append(("certificate", rules.certificate_valid_until(cert, rule_values)))
    if stage in _BEFORE_VOTE and not age_exception:
        out.append(("age", rules.age_limit_day(birth_date, rule_values)))
    if stage == Stage.DECIDED:
        decision = state.last[StepKind.DECISION]
        deadline = rules.ceremony_deadline(decision, rule_values, holidays)
        out.append(("ceremony", deadline + dt.timedelta(days=1)))
    if stage == Stage.PROBATION:
        ceremony = state.first[StepKind.CEREMONY]
        deadline = rules.recognition_deadline(ceremony, rule_values, holidays)
        out.append(("recognition", deadline + dt.timedelta(days=1)))
    # `due` is the first day on which the limit is passed.
    return [
        Due(candidate_id, full_name, cell_code, rule, RULE_LABELS[rule], day, day <= at)
        for rule, day in out
        if day <= at + dt.timedelta(days=DUE_SOON_DAYS)
    ]


def _recognized_later(unit: Unit, at: dt.date) -> QuerySet:
    """Probations under `unit` that ended by `at` only because the recognition, recorded after
    `at`, takes effect at the end of probation (domain.md §2.3): on `at` the cell had still to
    consider them, so the recognition deadline applies to them that day."""
    later = CaseStep.objects.filter(
        candidate_id=OuterRef("candidate_id"),
        kind=StepKind.RECOGNITION,
        voided_at__isnull=True,
        date__gt=at,
    )
    return CaseSpan.objects.filter(
        Exists(later), _placed_under(unit, at), stage=Stage.PROBATION, end__lte=at
    )


def _due_spans(unit: Unit, at: dt.date) -> QuerySet:
    """`open_spans(unit, at) | _recognized_later(unit, at)`, written as one filter: combining the
    two querysets with `|` cost ~10 ms of CPU on every organization page (load test, docs/
    performance.md), for the same rows (tests/test_development_deadlines_query.py)."""
    later = CaseStep.objects.filter(
        candidate_id=OuterRef("candidate_id"),
        kind=StepKind.RECOGNITION,
        voided_at__isnull=True,
        date__gt=at,
    )
    still_open = (Q(end__isnull=True) | Q(end__gt=at)) & Q(start__lte=at)
    recognized_later = Q(Exists(later), stage=Stage.PROBATION, end__lte=at)
    return CaseSpan.objects.filter(_placed_under(unit, at)).filter(still_open | recognized_later)


# Candidates passed to the steps query as bound ids up to this many (a commune's few cases);
# beyond, as a subquery (a province's ~2,300: thousands of parameters cost more to compile).
_BOUND_IDS = 500


def _may_fall_due(at: dt.date, rule_values: rules.Rules) -> Q:
    """Spans whose case can have a limit within `DUE_SOON_DAYS` of `at`: every stage but
    probation, and probations whose ceremony is early enough. A probationer's only limit is the
    recognition, at least `probation_months` after the first ceremony (domain.md §2.3); a
    province's ~2,000 probationers are mostly months from it, and replaying each one's steps
    was most of the dashboard's time (issue 11). Conservative: add_months(c, m) − c is at least
    365 days a year plus 28 a month, less 3 for the clamp to a month's end (31 → 28)."""
    months = rule_values.probation_months
    shortest = (months // 12) * 365 + (months % 12) * 28 - 3
    latest = at + dt.timedelta(days=DUE_SOON_DAYS - shortest)
    early_ceremony = CaseStep.objects.filter(
        candidate_id=OuterRef("candidate_id"),
        kind=StepKind.CEREMONY,
        voided_at__isnull=True,
        date__lte=min(at, latest),
    )
    return ~Q(stage=Stage.PROBATION) | Q(Exists(early_ceremony))


def deadlines(unit: Unit, at: dt.date) -> list[Due]:
    """Due and overdue limits for the cases open under `unit` on `at`, overdue first.

    Read as plain rows, not model instances: a province has ~2,300 open cases (most of them
    members on probation) with ~13 steps each, and building 30,000 model objects took seconds
    of the dashboard and the development board (issue 11 §9). Only the cases that can fall due
    are read (`_may_fall_due`; the same list as all of them, tests/test_development_queries.py).
    """
    rule_values = config.rules_on(at)
    return _deadlines(_due_spans(unit, at).filter(_may_fall_due(at, rule_values)), at, rule_values)


def _deadlines(due_spans: QuerySet, at: dt.date, rule_values: rules.Rules) -> list[Due]:
    """`deadlines` of the cases of these spans."""
    spans = list(
        due_spans.annotate(cell_code=_cell_code(at)).values_list(
            "candidate_id",
            "cell_code",
            "candidate__full_name",
            "candidate__birth_date",
            "candidate__age_exception",
        )
    )
    if not spans:
        return []  # nothing open: no steps, rules or holidays to read
    ids = {span[0] for span in spans}
    steps: dict[int, list[rules.St]] = defaultdict(list)
    rows = (
        CaseStep.objects.filter(
            candidate_id__in=ids if len(ids) <= _BOUND_IDS else due_spans.values("candidate_id"),
            voided_at__isnull=True,
            date__lte=at,
        )
        .order_by("date", "id")
        .values_list("candidate_id", "kind", "date", "unit_id", "passed", "id")
    )
    for candidate_id, *step in rows:
        steps[candidate_id].append(rules.St(*step))
    holidays = frozenset(config.holidays())
    out: list[Due] = []
    for candidate_id, code, *case in spans:
        out += _limits((candidate_id, *case), steps[candidate_id], at, holidays, code, rule_values)
    return sorted(out, key=lambda d: (not d.overdue, d.due, sort_key(d.name)))


# --- Cases ----------------------------------------------------------------------------------


@dataclass
class CaseRow:
    id: int
    full_name: str
    cell: str
    stage: str
    stage_label: str
    since: dt.date
    proposed_on: dt.date
    overdue: list[str] = field(default_factory=list)

    @property
    def overdue_labels(self) -> list[str]:
        """The rules passed, in words (the page never shows a rule's code)."""
        return [RULE_LABELS[rule] for rule in self.overdue]

    def as_json(self) -> dict:
        data = asdict(self)
        data["since"] = self.since.isoformat()
        data["proposed_on"] = self.proposed_on.isoformat()
        return data


def cases(
    unit: Unit, at: dt.date, stage: str | None = None, due: list[Due] | None = None
) -> list[CaseRow]:
    """The cases open under `unit` on `at` (optionally at one stage), overdue first. `due`:
    `deadlines(unit, at)` when the caller has it already (the board shows both)."""
    spans = open_spans(unit, at).annotate(cell_code=_cell_code(at))
    if stage:
        spans = spans.filter(stage=stage)
    overdue: dict[int, list[str]] = defaultdict(list)
    for row in deadlines(unit, at) if due is None else due:
        if row.overdue:
            overdue[row.candidate_id].append(row.rule)
    rows = [
        CaseRow(
            candidate_id,
            full_name,
            code,
            span_stage,
            str(Stage(span_stage).label),
            start,
            proposed_on,
            overdue.get(candidate_id, []),
        )  # fmt: skip
        for candidate_id, full_name, code, span_stage, start, proposed_on in spans.values_list(
            "candidate_id",
            "candidate__full_name",
            "cell_code",
            "stage",
            "start",
            "candidate__proposed_on",
        )  # fmt: skip
    ]
    return sorted(rows, key=lambda r: (not r.overdue, rules.RANK[r.stage], sort_key(r.full_name)))


# --- Villages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageRow:
    code: str
    name: str
    arrangement: str
    commune: str
    cell: str
    official_members_living: int


def village_versions(unit: Unit, at: dt.date) -> list:
    """The versions on `at` of the villages under `unit` with no member's cell of their own (no
    cell, or a joint cell), in order: cheap, so that a page counts only the villages it shows."""
    versions = (
        VillageVersion.objects.filter(on(at), _under_on(unit, None, at))
        .filter(arrangement__in=[CellArrangement.NONE, CellArrangement.JOINT])
        .select_related("village", "unit", "cell")
        .order_by("unit__code", "village__code")
    )
    return list(versions)


def villages_to_develop(unit: Unit, at: dt.date) -> list[VillageRow]:
    """Villages under `unit` on `at` with no member's cell of their own: no cell, or a joint cell,
    with the official members who live there (residence beginning with the village's name, in
    the commune's organization), so that a commission sees where an own cell can be founded."""
    return village_rows(village_versions(unit, at), at)


def village_rows(versions, at: dt.date) -> list[VillageRow]:
    """`villages_to_develop`'s rows for these versions: the residences are read only for the
    communes among them (a province's board pages its villages: reading its 65 communes'
    residences for every page was half of the page, issue 11 §9)."""
    rows = []
    official_by_commune: dict[int, Counter] = {}
    for v in versions:
        if v.unit_id not in official_by_commune:
            subtree = UnitAncestry.objects.filter(on(at), ancestor_id=v.unit_id).values(
                "descendant_id"
            )
            # From the stints that lie in the commune (index on unit), not from every member
            # tested for a stint there: SQLite read the province's 90,000 members for that.
            residences = dict(
                MemberStint.objects.filter(
                    Q(end__isnull=True) | Q(end__gt=at),
                    unit_id__in=subtree,
                    start__lte=at,
                    status=Status.OFFICIAL,
                ).values_list("member_id", "member__residence")
            )
            # "lives in the village": the residence, folded, begins with "<village>," — the
            # folded text up to the first comma, folded once per distinct text (a commune's
            # members share a few dozen), not each member's whole address.
            heads = Counter(r.partition(",")[0] for r in residences.values() if "," in r)
            by_village: Counter = Counter()
            for head, n in heads.items():
                by_village[fold(head + ",")] += n
            official_by_commune[v.unit_id] = by_village
        living = official_by_commune[v.unit_id][fold(v.village.name) + ","]
        rows.append(
            VillageRow(
                v.village.code,
                v.village.name,
                v.arrangement,
                v.unit.code,
                v.cell.code if v.cell else "",
                living,
            )  # fmt: skip
        )
    return rows


# --- Summary (CLI, API) ---------------------------------------------------------------------


@dataclass
class Summary:
    unit: dict
    at: dt.date
    since: dt.date
    stages: dict[str, int]
    overdue: int
    admitted: int
    admitted_by: dict[str, int]
    average_age_at_admission: float | None
    median_days_application_to_decision: float | None
    median_days_decision_to_ceremony: float | None

    def as_json(self) -> dict:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data.pop("since")
        return data


def default_since(at: dt.date) -> dt.date:
    """Without --since the window is the year so far: (31/12 of last year, at]."""
    return dt.date(at.year - 1, 12, 31)


def summary(unit: Unit, at: dt.date, since: dt.date | None = None) -> Summary:
    since = since or default_since(at)
    if since > at:
        raise ValueError("since must not be after at")
    adm = admissions(unit, since, at)
    by = dict(adm.by)
    by.update({f"occupation:{k}": v for k, v in sorted(adm.occupation.items())})
    by.update({f"education:{k}": v for k, v in sorted(adm.education.items())})
    to_decision, to_ceremony = durations(unit, since, at)
    version = display_version(unit, at)
    return Summary(
        unit={"code": unit.code, "name": version.name, "kind": version.kind},
        at=at,
        since=since,
        stages=pipeline_counts(unit, at),
        overdue=sum(d.overdue for d in deadlines(unit, at)),
        admitted=adm.admitted,
        admitted_by=by,
        average_age_at_admission=adm.average_age,
        median_days_application_to_decision=to_decision,
        median_days_decision_to_ceremony=to_ceremony,
    )
