"""Reads of committees, posts, qualifications and training, for any organization and date,
through the restructured tree (the closure on the day, `organizations.queries.subtree_ids`).

A post is open on day D when its own interval, its term's and its organization's life all
contain D: the committee of an organization that ended (merged, dissolved) ends with it, and
the successor's own terms begin (`committee_on`). Training is counted where the person
belonged on the course's closing day (`training_summary`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from grassroots.core.text import sort_key
from grassroots.members.models import Member, MemberStint
from grassroots.organizations.models import Unit, UnitAncestry
from grassroots.organizations.queries import subtree_ids

from . import config
from .models import (
    Course,
    CourseKind,
    Enrolment,
    Holding,
    Post,
    Qualification,
    QualKind,
    Result,
    Term,
)

POST_ORDER = {post: i for i, post in enumerate(Post.values)}


def _open_on(day: dt.date, prefix: str = "") -> Q:
    p = prefix
    return (
        Q(**{f"{p}start__lte": day, f"{p}voided_at__isnull": True})
        & (Q(**{f"{p}end__isnull": True}) | Q(**{f"{p}end__gt": day}))
        & (Q(**{f"{p}term__end__isnull": True}) | Q(**{f"{p}term__end__gt": day}))
        & (Q(**{f"{p}unit__ended__isnull": True}) | Q(**{f"{p}unit__ended__gt": day}))
        & Q(**{f"{p}term__voided_at__isnull": True})
    )


def holdings_on(day: dt.date, unit: Unit | None = None, subtree: Unit | None = None) -> QuerySet:
    """Posts held on `day` in `unit` itself, or anywhere in `subtree`'s subtree on that day."""
    qs = Holding.objects.filter(_open_on(day))
    if unit is not None:
        qs = qs.filter(unit=unit)
    if subtree is not None:
        qs = qs.filter(unit_id__in=subtree_ids(subtree, day))
    return qs


def holding_spans(member_ids, since: dt.date, until: dt.date) -> list[tuple]:
    """(member, organization, first day, day it stops or None) of each post these members held
    at some time of [since, until]: open on a day exactly when `holdings_on` lists it (the post,
    its term and the organization open; the stop is the earliest of the three ends). One query."""
    rows = Holding.objects.filter(
        Q(end__isnull=True) | Q(end__gt=since),
        member_id__in=list(member_ids), start__lte=until, voided_at__isnull=True,
        term__voided_at__isnull=True,
    ).values_list("member_id", "unit_id", "start", "end", "term__end", "unit__ended")  # fmt: skip
    out = []
    for member_id, unit_id, start, end, term_end, ended in rows:
        stops = [day for day in (end, term_end, ended) if day is not None]
        out.append((member_id, unit_id, start, min(stops) if stops else None))
    return out


def terms_on(day: dt.date, unit: Unit | None = None, subtree: Unit | None = None) -> QuerySet:
    qs = Term.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day),
        Q(unit__ended__isnull=True) | Q(unit__ended__gt=day),
        start__lte=day,
        voided_at__isnull=True,
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
    if subtree is not None:
        qs = qs.filter(unit_id__in=subtree_ids(subtree, day))
    return qs


@dataclass(frozen=True)
class Seat:
    holding_id: int
    unit_id: int
    post: str
    label: str
    member_id: int
    full_name: str
    start: dt.date
    end: dt.date | None
    how: str
    outsider: bool
    decision_number: str


def _seat(h: Holding, unit_kind: str = "") -> Seat:
    return Seat(
        h.pk, h.unit_id, h.post, config.post_label(h.post, unit_kind), h.member_id,
        h.member.full_name, h.start, h.end, h.how, h.outsider, h.decision_number,
    )  # fmt: skip


def committee_on(unit: Unit, day: dt.date, unit_kind: str = "") -> list[Seat]:
    """Who held which post of `unit` on `day`, secretary first."""
    rows = holdings_on(day, unit=unit).select_related("member")
    seats = [_seat(h, unit_kind) for h in rows]
    return sorted(seats, key=lambda s: (POST_ORDER[s.post], s.start, sort_key(s.full_name)))


def leaders_on(unit: Unit, day: dt.date, unit_kind: str = "") -> list[Seat]:
    """ "Who led this organization on day D": its secretary and deputy secretaries."""
    return [s for s in committee_on(unit, day, unit_kind) if s.post in config.LEADERS]


class _TermSeats(NamedTuple):
    unit_id: int
    seats: dict


def vacancies(
    terms: list[Term] | list[_TermSeats], held: dict[tuple[int, str], int]
) -> dict[str, int]:
    """Seats planned by each term less the posts held, by post (never below zero)."""
    out: dict[str, int] = defaultdict(int)
    for term in terms:
        for post, seats in (term.seats or {}).items():
            out[post] += max(0, seats - held.get((term.unit_id, post), 0))
    return {p: n for p, n in out.items() if n}


def _held_counts(holdings: QuerySet) -> dict[tuple[int, str], int]:
    return {
        (u, p): n for u, p, n in holdings.values_list("unit_id", "post").annotate(n=Count("id"))
    }


def term_seats_on(day: dt.date, **where) -> list[_TermSeats]:
    """(organization, seats planned) of the terms `terms_on(day, **where)` lists, as plain rows:
    a province has ~4,000 committees, too many model objects for the dashboard."""
    return [
        _TermSeats(u, seats) for u, seats in terms_on(day, **where).values_list("unit_id", "seats")
    ]


def vacancies_on(unit: Unit, day: dt.date, subtree: bool = False) -> dict[str, int]:
    """Vacant seats on `day` of `unit`'s committee (or of every committee of its subtree)."""
    where = {"subtree": unit} if subtree else {"unit": unit}
    return vacancies(term_seats_on(day, **where), _held_counts(holdings_on(day, **where)))


def vacancy_rows(unit: Unit, day: dt.date) -> list[tuple[Unit, str, int]]:
    """(organization, post, vacant seats) for every committee of the subtree on `day`."""
    terms = list(terms_on(day, subtree=unit).select_related("unit"))
    held = _held_counts(holdings_on(day, subtree=unit))
    rows = []
    for term in terms:
        for post, n in vacancies([term], held).items():
            rows.append((term.unit, post, n))
    return sorted(rows, key=lambda r: (r[0].code, POST_ORDER[r[1]]))


def holders_who_left(unit: Unit, day: dt.date) -> QuerySet:
    """Posts open on `day` in `unit`'s subtree whose holder no longer belonged to the post's
    organization then (transferred out, died, expelled, removed) and was not appointed from
    outside: the registry's events flag the post here until it is ended with its decision."""
    belongs = MemberStint.objects.filter(
        Q(end__isnull=True) | Q(end__gt=day),
        Exists(
            UnitAncestry.objects.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gt=day),
                ancestor_id=OuterRef(OuterRef("unit_id")),
                descendant_id=OuterRef("unit_id"),
                valid_from__lte=day,
            )
        ),
        member_id=OuterRef("member_id"),
        start__lte=day,
    )
    return (
        holdings_on(day, subtree=unit)
        .filter(outsider=False)
        .exclude(Exists(belongs))
        .select_related("member", "unit")
        .order_by("unit__code", "post")
    )


def history(unit: Unit) -> list[tuple[Term, list[Holding]]]:
    """Every term of `unit`'s committee with the posts held in it."""
    terms = list(Term.objects.filter(unit=unit, voided_at__isnull=True).order_by("start"))
    by_term: dict[int, list[Holding]] = defaultdict(list)
    for h in (
        Holding.objects.filter(unit=unit, voided_at__isnull=True)
        .select_related("member")
        .order_by("start", "id")
    ):
        by_term[h.term_id].append(h)
    for rows in by_term.values():
        rows.sort(key=lambda h: (POST_ORDER[h.post], h.start))
    return [(t, by_term[t.pk]) for t in terms]


def member_posts(member: Member) -> QuerySet:
    return (
        Holding.objects.filter(member=member, voided_at__isnull=True)
        .select_related("unit", "term")
        .order_by("-start")
    )


# --- Qualifications ---------------------------------------------------------------------------


def member_qualifications(member: Member) -> QuerySet:
    return Qualification.objects.filter(member=member, voided_at__isnull=True).order_by(
        "kind", "obtained_on"
    )


def levels_on(member_ids, day: dt.date) -> dict[int, dict[str, str]]:
    """Each member's highest level of each kind obtained by `day` (their current values)."""
    out: dict[int, dict[str, str]] = defaultdict(dict)
    rows = Qualification.objects.filter(
        member_id__in=member_ids, obtained_on__lte=day, voided_at__isnull=True
    ).values_list("member_id", "kind", "level")
    for member_id, kind, level in rows:
        have = out[member_id].get(kind)
        if have is None or config.rank(kind, level) > config.rank(kind, have):
            out[member_id][kind] = level
    return out


def current_values(member: Member, day: dt.date) -> list[tuple[str, str]]:
    """(kind label, level label) of the member's qualifications on `day`, in the kinds' order."""
    levels = levels_on([member.pk], day).get(member.pk, {})
    return [
        (str(QualKind(k).label), config.level_label(k, levels[k]))
        for k in QualKind.values
        if k in levels
    ]


# --- Training and fostering -------------------------------------------------------------------


def _belonged_on_course_day(unit: Unit) -> Exists:
    """The enrolled member was counted under `unit` on the course's closing day."""
    day = OuterRef(OuterRef("course__end"))
    under = UnitAncestry.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        ancestor=unit,
        descendant_id=OuterRef("unit_id"),
        valid_from__lte=day,
    )
    return Exists(
        MemberStint.objects.filter(
            Q(end__isnull=True) | Q(end__gt=OuterRef("course__end")),
            Exists(under),
            member_id=OuterRef("member_id"),
            start__lte=OuterRef("course__end"),
        )
    )


def completed_enrolments(unit: Unit, since: dt.date, until: dt.date) -> QuerySet:
    """Completed enrolments ("lượt") of courses closing in [since, until] whose member belonged
    under `unit` on the closing day."""
    qs = Enrolment.objects.filter(
        _belonged_on_course_day(unit),
        result=Result.COMPLETED,
        voided_at__isnull=True,
        course__voided_at__isnull=True,
        course__end__gte=since,
        course__end__lte=until,
    )
    if connection.vendor == "postgresql":
        # A necessary condition (belonging on the closing day implies a stint in an
        # organization that lay under `unit` at some time): the rows are the same, but
        # PostgreSQL then probes the few enrolments' stints by index instead of hashing every
        # stint of the registry (a commune's review: 90 → 3 ms per statement, issue 11).
        # SQLite builds the whole list for a province (25 → 430 ms), so not there.
        ever_under = MemberStint.objects.filter(
            unit_id__in=UnitAncestry.objects.filter(ancestor=unit).values("descendant_id")
        ).values("member_id")
        qs = qs.filter(member_id__in=ever_under)
    return qs


def training_summary(unit: Unit, since: dt.date, until: dt.date) -> dict:
    """Trained and fostered, in turns (completed enrolments) and distinct people, by subject."""
    qs = completed_enrolments(unit, since, until)
    names = {CourseKind.TRAINING: "trained", CourseKind.FOSTERING: "fostered"}
    out: dict = {"unit": unit.code, "from": since.isoformat(), "to": until.isoformat()}
    for name in names.values():
        out[f"{name}_turns"] = 0
        out[f"{name}_people"] = 0
    by_subject: dict[str, dict[str, int]] = {}
    rows = qs.values_list("course__kind", "course__subject").annotate(
        turns=Count("id"), people=Count("member_id", distinct=True)
    )
    for kind, subject, turns, people in rows:
        entry = by_subject.setdefault(
            subject, {f"{n}_{w}": 0 for n in names.values() for w in ("turns", "people")}
        )
        entry[f"{names[kind]}_turns"] += turns
        entry[f"{names[kind]}_people"] += people
        out[f"{names[kind]}_turns"] += turns
    people = qs.values_list("course__kind").annotate(n=Count("member_id", distinct=True))
    for kind, n in people:
        out[f"{names[kind]}_people"] = n
    out["by_subject"] = dict(sorted(by_subject.items()))
    return out


def courses_visible(unit_ids) -> QuerySet:
    return Course.objects.filter(unit_id__in=unit_ids, voided_at__isnull=True)
