"""Inspection figures for any organization and period, through the restructured tree (the closure
on each record's own day, like grassroots/figures and development/queries.py).

`expelled` and `disciplined_members` count the registry's own facts: expulsions exactly as the
figures ledger counts its `expelled` flow (derived/ledger.py `_contribute`: a stint ending by
expulsion counts for the ancestors of its cell on its last day), discipline events (not voided) by
the cell the member was counted in on the event's day. So they equal the registry whatever path
recorded the event (one fact, one count; tests/test_inspection_queries.py checks `expelled`
against figures()). Cases, organization decisions and appeals are this app's own records, placed
through `unit` on `placed_on`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from grassroots.core.dates import add_months
from grassroots.figures.queries import ledger_between
from grassroots.members.models import EventKind, MemberEvent, MemberStint, Reason
from grassroots.organizations.models import Unit, UnitAncestry
from grassroots.organizations.queries import display_version

from . import rules
from .models import (
    INSPECTION_KINDS,
    MEMBER_FORMS,
    ORGANIZATION_FORMS,
    SUPERVISION_KINDS,
    Appeal,
    Case,
    CaseKind,
    Conclusion,
    Decision,
    Form,
    Outcome,
    ProgrammeItem,
    Recommendation,
    Suspension,
)


def _under_on(unit: Unit, day_field: str, unit_field: str = "unit_id") -> Exists:
    """The row's unit lies under `unit` on the row's own day (`day_field`)."""
    return Exists(
        UnitAncestry.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(day_field)),
            ancestor=unit,
            descendant_id=OuterRef(unit_field),
            valid_from__lte=OuterRef(day_field),
        )
    )


def cases_under(unit: Unit) -> QuerySet:
    return Case.objects.filter(_under_on(unit, "placed_on"))


def suspensions_under(unit: Unit) -> QuerySet:
    return Suspension.objects.filter(_under_on(unit, "placed_on"))


def decisions_under(unit: Unit) -> QuerySet:
    return Decision.objects.filter(_under_on(unit, "placed_on"))


def _ever_under(unit: Unit, column: str) -> dict:
    """On PostgreSQL, a necessary condition to add beside an exact "counted under `unit` on
    the day" test: `column` (a stint's unit, an event's member) is among the organizations ever
    under `unit` / the members of their stints. The rows are the same; PostgreSQL then reads a
    commune's few rows by index instead of scanning the registry for the window (a commune's
    review: 40 → a few ms per statement, issue 11). SQLite drives a province's statement from
    that list instead of its own index (7× slower), so nothing there."""
    if connection.vendor != "postgresql":
        return {}
    ever = UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
    if column == "unit_id":
        return {"unit_id__in": ever}
    return {column + "__in": MemberStint.objects.filter(unit_id__in=ever).values("member_id")}


def expelled_stints(unit: Unit, since: dt.date, at: dt.date) -> QuerySet:
    """The registry's expulsions under `unit` in (since, at]: a stint ending by expulsion whose
    cell lay under `unit` on its last day (the ledger's end flow: the closure interval reaches the
    stint's end)."""
    return MemberStint.objects.filter(
        Exists(
            UnitAncestry.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("end")),
                ancestor=unit,
                descendant_id=OuterRef("unit_id"),
                valid_from__lt=OuterRef("end"),
            )
        ),
        end_reason=Reason.EXPELLED,
        start__lt=F("end"),
        end__gt=since,
        end__lte=at,
        **_ever_under(unit, "unit_id"),
    )


def discipline_events(unit: Unit, since: dt.date, at: dt.date) -> QuerySet:
    """Live discipline events in (since, at] of members counted under `unit` that day."""
    counted = MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=OuterRef("date")),
        Exists(
            UnitAncestry.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(OuterRef("date"))),
                ancestor=unit,
                descendant_id=OuterRef("unit_id"),
                valid_from__lte=OuterRef(OuterRef("date")),
            )
        ),
        member_id=OuterRef("member_id"),
        start__lte=OuterRef("date"),
    )
    return MemberEvent.objects.filter(
        Exists(counted),
        kind=EventKind.DISCIPLINE,
        voided_at__isnull=True,
        date__gt=since,
        date__lte=at,
        **_ever_under(unit, "member_id"),
    )


# --- Lapse and "currently disciplined" ------------------------------------------------------


def lapse_on(decision: Decision, later: list[Decision] | None = None) -> dt.date | None:
    """The day the discipline stops being in force, or None if it never lapses (expulsion,
    dissolution). One year (rules.py, dated) after it was announced — or after the ruling on a
    complaint against it — unless the subject is disciplined again within that year: then it
    lapses with the later decision (QĐ 30 Điều 40 §3.2; [UNCONFIRMED] since QĐ 22)."""
    if not rules.lapses(decision.form):
        return None
    if later is None:
        later = list(_same_subject(decision).filter(announced_on__gt=decision.announced_on))
    start = decision.announced_on
    for appeal in decision.appeals.all():
        if appeal.outcome in (Outcome.UPHELD, Outcome.CHANGED) and appeal.decided_on:
            start = max(start, appeal.decided_on)
    end = add_months(start, rules.rules_on(decision.announced_on).lapse_months)
    for other in sorted(later, key=lambda d: (d.announced_on, d.pk)):
        if decision.announced_on < other.announced_on < end:
            rest = [d for d in later if d.announced_on > other.announced_on]
            other_end = lapse_on(other, rest)
            return None if other_end is None else max(end, other_end)
    return end


def _same_subject(decision: Decision) -> QuerySet:
    qs = Decision.objects.filter(annulled_on__isnull=True)
    if decision.subject_member_id:
        return qs.filter(subject_member_id=decision.subject_member_id)
    return qs.filter(subject_unit_id=decision.subject_unit_id)


def in_force(subject_qs: QuerySet, day: dt.date) -> list[Decision]:
    """The decisions (of one subject's queryset) in force on `day`."""
    decisions = list(
        subject_qs.filter(annulled_on__isnull=True, announced_on__lte=day).order_by(
            "announced_on", "id"
        )
    )
    out = []
    for i, decision in enumerate(decisions):
        end = lapse_on(decision, decisions[i + 1 :] + _later_than(subject_qs, day))
        if end is None or day < end:
            out.append(decision)
    return out


def _later_than(subject_qs: QuerySet, day: dt.date) -> list[Decision]:
    return list(subject_qs.filter(annulled_on__isnull=True, announced_on__gt=day))


def member_disciplined_on(member, day: dt.date) -> list[Decision]:
    """ "Currently disciplined as of D": the member's decisions in force on `day`."""
    return in_force(Decision.objects.filter(subject_member=member), day)


# --- Programmes -----------------------------------------------------------------------------


@dataclass
class Progress:
    planned: int  # items whose period has ended by the day
    due_later: int
    done: int  # items whose case was concluded by the day
    done_late: int


def suspended_ids(member_ids, day: dt.date) -> set[int]:
    """The members among `member_ids` whose party activity is suspended on `day` (đình chỉ sinh
    hoạt đảng: from `start` to `last_day`, unless lifted earlier)."""
    return set(
        Suspension.objects.filter(
            Q(lifted_on__isnull=True) | Q(lifted_on__gt=day),
            subject_member_id__in=member_ids, start__lte=day, last_day__gte=day,
        ).values_list("subject_member_id", flat=True)
    )  # fmt: skip


def suspensions_of(member) -> QuerySet:
    return Suspension.objects.filter(subject_member=member).select_related("body")


def programme_progress(programme, day: dt.date) -> Progress:
    items = list(programme.items.all())
    concluded = dict(
        Case.objects.filter(
            programme_item__in=items, concluded_on__isnull=False, concluded_on__lte=day
        ).values_list("programme_item_id", "concluded_on")
    )
    by_id = {i.pk: i for i in items}
    return Progress(
        planned=sum(1 for i in items if i.end <= day),
        due_later=sum(1 for i in items if i.end > day),
        done=len(concluded),
        done_late=sum(1 for pk, c in concluded.items() if c > by_id[pk].end),
    )


@dataclass
class ItemState:
    item: object
    case: Case | None  # the case opened for the item by the day (the latest)
    state: str  # "done", "late" (period over, not concluded), "under_way", "later"
    target_name: str = ""  # the target organization's name in the item's period, not its code

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])


STATE_LABELS = {
    "done": _("Đã kết luận"),
    "late": _("Quá hạn, chưa kết luận"),
    "under_way": _("Đang thực hiện"),
    "later": _("Chưa đến hạn"),
}


def programme_items_on(programme, day: dt.date) -> list[ItemState]:
    """Each item of the programme as it stood on `day`: done when its case was concluded by
    then (the same rule as `programme_progress`), under way when a case was opened."""
    items = list(programme.items.select_related("target_unit", "target_member", "document"))
    cases: dict[int, Case] = {}
    for case in Case.objects.filter(programme_item__in=items, opened_on__lte=day).order_by(
        "opened_on", "pk"
    ):
        cases[case.programme_item_id] = case
    rows = []
    for item in items:
        case = cases.get(item.pk)
        if case is not None and case.concluded_on is not None and case.concluded_on <= day:
            state = "done"
        elif item.end <= day:
            state = "late"
        elif case is not None:
            state = "under_way"
        else:
            state = "later"
        name = (
            display_version(item.target_unit, min(item.end, day)).name if item.target_unit else ""
        )
        rows.append(ItemState(item, case, state, name))
    return rows


# --- What is due (dashboard) ----------------------------------------------------------------


def recommendations_overdue(unit: Unit, day: dt.date) -> QuerySet:
    return Recommendation.objects.filter(
        Q(done_on__isnull=True) | Q(done_on__gt=day),
        Exists(cases_under(unit).filter(pk=OuterRef("case_id"))),
        deadline__lt=day,
    )


def appeals_waiting(unit: Unit, day: dt.date) -> QuerySet:
    return Appeal.objects.filter(
        Q(decided_on__isnull=True) | Q(decided_on__gt=day),
        Exists(decisions_under(unit).filter(pk=OuterRef("decision_id"))),
        filed_on__lte=day,
    )


# --- The summary (CLI, API, report) ---------------------------------------------------------


@dataclass
class Summary:
    unit: dict
    since: dt.date
    at: dt.date
    supervised_organizations: int
    supervised_members: int
    inspections: int
    violations: int
    disciplined_members: dict
    disciplined_organizations: dict
    appeals: int
    expelled: int
    cases_by_kind: dict
    appeals_by_outcome: dict
    programme_items: dict
    # Members whose party activity was suspended (đình chỉ sinh hoạt đảng) from a day in the
    # window, by the cell they were counted in on the first day.
    suspended_members: int = 0

    def as_json(self) -> dict:
        data = asdict(self)
        data["from"] = data.pop("since").isoformat()
        data["to"] = data.pop("at").isoformat()
        return data


def summary(unit: Unit, since: dt.date, at: dt.date) -> Summary:
    """Figures of (since, at] for `unit`'s subtree as it was on each record's day."""
    if since > at:
        raise ValueError("since must not be after at")
    cases = cases_under(unit).filter(opened_on__gt=since, opened_on__lte=at)
    supervision = cases.filter(kind__in=SUPERVISION_KINDS)
    by_kind = Counter(cases.values_list("kind", flat=True))
    # The ledger's expelled flow: the rule of `expelled_stints` (figures.queries.flow_stints: one
    # fact, one count; tests/test_inspection_queries.py compares both on generated data), read as
    # the difference of two ledger sums instead of counting the stints: that count scanned every
    # stint (13.5M nationally) for a country's report (issue 18 session 10).
    expelled = ledger_between(unit.pk, since, at)[2]["expelled"]
    members = {str(f): 0 for f in MEMBER_FORMS}
    for form, n in Counter(
        discipline_events(unit, since, at).values_list("discipline_form", flat=True)
    ).items():
        members[form] = members.get(form, 0) + n
    members[Form.EXPULSION.value] = expelled
    organizations = {str(f): 0 for f in ORGANIZATION_FORMS}
    org_decisions = decisions_under(unit).filter(
        subject_unit__isnull=False, annulled_on__isnull=True,
        announced_on__gt=since, announced_on__lte=at,
    )  # fmt: skip
    for form, n in Counter(org_decisions.values_list("form", flat=True)).items():
        organizations[form] = n
    appeals = Appeal.objects.filter(
        Exists(decisions_under(unit).filter(pk=OuterRef("decision_id"))),
        filed_on__gt=since,
        filed_on__lte=at,
    )
    outcomes = Counter(appeals.values_list("outcome", flat=True))
    items = ProgrammeItem.objects.filter(
        Exists(
            UnitAncestry.objects.filter(
                ancestor=unit, descendant_id=OuterRef("programme__unit_id"),
                valid_from__lte=OuterRef("programme__adopted_on"),
            ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("programme__adopted_on")))
        ),
        end__gt=since, end__lte=at,
    )  # fmt: skip
    done = items.filter(cases__concluded_on__isnull=False, cases__concluded_on__lte=at).distinct()
    version = display_version(unit, at)
    return Summary(
        unit={"code": unit.code, "name": version.name, "kind": version.kind},
        since=since,
        at=at,
        supervised_organizations=supervision.filter(subject_unit__isnull=False)
        .values("subject_unit")
        .distinct()
        .count(),
        supervised_members=supervision.filter(subject_member__isnull=False)
        .values("subject_member")
        .distinct()
        .count(),
        inspections=cases.filter(kind__in=INSPECTION_KINDS).count(),
        violations=cases_under(unit)
        .filter(conclusion=Conclusion.VIOLATION, concluded_on__gt=since, concluded_on__lte=at)
        .count(),
        disciplined_members=members,
        disciplined_organizations=organizations,
        appeals=appeals.count(),
        expelled=expelled,
        cases_by_kind={str(k): by_kind.get(k, 0) for k in CaseKind.values},
        appeals_by_outcome={
            "waiting": outcomes.get("", 0),
            **{str(o): outcomes.get(o, 0) for o in Outcome.values},
        },
        programme_items={"planned": items.count(), "done": done.count()},
        suspended_members=Suspension.objects.filter(
            _under_on(unit, "placed_on"), start__gt=since, start__lte=at
        )
        .values("subject_member")
        .distinct()
        .count(),
    )
