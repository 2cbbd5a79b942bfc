"""The demo's committees and courses obey the module's own rules (small scale): terms of one
committee never overlap, single-holder posts have one holder at a time, every holder belonged to
the organization's subtree on the first day, completed courses are counted in full."""

import datetime as dt
import random
from collections import defaultdict

import pytest

from grassroots.cadres import config, queries, registry, standards
from grassroots.cadres.config import SINGLE_HOLDER
from grassroots.cadres.demo import seed_demo_cadres
from grassroots.cadres.models import Enrolment, Holding, Qualification, Result, Start, Term
from grassroots.core.text import sort_key
from grassroots.demo.build import build_demo
from grassroots.organizations.models import Unit, UnitVersion
from grassroots.organizations.queries import on

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


def _overlap(rows):
    rows = sorted(rows)
    return any(b[0] < (a[1] or dt.date.max) for a, b in zip(rows, rows[1:], strict=False))


def test_demo_committees_and_courses():
    build_demo(seed=11, scale=0.05)
    counts = seed_demo_cadres("LS", seed=3, today=TODAY)
    assert counts["terms"] > 50 and counts["holdings"] > 100 and counts["enrolments"] > 100
    terms = defaultdict(list)
    for unit_id, start, end in Term.objects.values_list("unit_id", "start", "end"):
        terms[unit_id].append((start, end))
    assert not any(_overlap(rows) for rows in terms.values())
    single = defaultdict(list)
    for unit_id, post, start, end in Holding.objects.filter(post__in=SINGLE_HOLDER).values_list(
        "unit_id", "post", "start", "end"
    ):
        single[(unit_id, post)].append((start, end))
    assert not any(_overlap(rows) for rows in single.values())
    rng = random.Random(1)
    holdings = list(Holding.objects.select_related("unit", "term"))
    for h in rng.sample(holdings, min(150, len(holdings))):
        assert h.outsider or registry.in_subtree_on(h.member_id, h.unit, h.start), h.pk
        assert h.term.start <= h.start and (h.term.end is None or h.start < h.term.end)
    # A merged organization's committee ends with it.
    for unit in Unit.objects.filter(ended__isnull=False, cadre_terms__isnull=False)[:20]:
        assert queries.committee_on(unit, unit.ended) == []
    ls = Unit.objects.get(code="LS")
    completed = Enrolment.objects.filter(result=Result.COMPLETED, course__end__year__lte=2017,
                                         course__end__year__gte=2010).count()  # fmt: skip
    summary = queries.training_summary(ls, dt.date(2010, 1, 1), dt.date(2017, 12, 31))
    assert summary["trained_turns"] + summary["fostered_turns"] == completed > 0
    assert Qualification.objects.filter(enrolment__isnull=False).count() > 0
    # The standards check (plain rows, names sorted by the database) equals the obvious one.
    checked = vacancies = 0
    for day in (dt.date(2008, 6, 1), dt.date(2019, 2, 23), dt.date(2025, 9, 1), TODAY):
        for unit in (ls, *Unit.objects.filter(code__startswith="LS-H").order_by("code")[:2]):
            rows = standards.check(unit, day)
            assert _plain(rows) == _plain(_reference_check(unit, day)), (unit.code, day)
            checked += len(rows)
            # the summary's vacancies count the checks' rows; the database's grouped count of
            # the same posts (`vacancies_on`) must agree
            by_post = standards.summary(unit, day, rows)["by_post"]
            vacant = {post: row["vacant"] for post, row in by_post.items() if row["vacant"]}
            assert vacant == queries.vacancies_on(unit, day, subtree=True), (unit.code, day)
            vacancies += sum(vacant.values())
    assert checked > 100 and vacancies > 0


def _plain(rows):
    return [(vars(r) | {"gaps": [vars(g) for g in r.gaps]}) for r in rows]


def _reference_check(unit, day):
    """`standards.check` the obvious way: model objects, one holder at a time, sort_key."""
    from django.utils.translation import gettext

    rules = config.standards_on(day)
    out = []
    for h in queries.holdings_on(day, subtree=unit).select_related("member", "unit", "term"):
        version = UnitVersion.objects.filter(on(day), unit=h.unit).first()
        name, kind, gtype = (
            (version.name, version.kind, version.grassroots_type)
            if version
            else (h.unit.code, "", "")
        )
        row = standards.HolderCheck(
            h.unit.code, name, h.post, gettext(config.post_label(h.post, kind)), h.member_id,
            h.member.full_name, kind, gtype, unit_id=h.unit_id,
        )  # fmt: skip
        have = queries.levels_on([h.member_id], day).get(h.member_id, {})
        courses = [
            e.course
            for e in Enrolment.objects.filter(
                member_id=h.member_id, result=Result.IN_PROGRESS, voided_at__isnull=True,
                course__voided_at__isnull=True, course__start__lte=day, course__end__gte=day,
            ).exclude(course__grants_kind="")
        ]  # fmt: skip
        for q_kind, required in standards._applicable(rules, h.post, kind, gtype):
            level = have.get(q_kind, "")
            if not level or config.rank(q_kind, level) < config.rank(q_kind, required):
                row.gaps.append(standards.Gap(q_kind, required, level))
                row.closing += [
                    f"{c.code} (đến {c.end:%d/%m/%Y})"
                    for c in courses
                    if c.grants_kind == q_kind
                    and config.rank(q_kind, c.grants_level) >= config.rank(q_kind, required)
                ]
        term = h.term
        if (
            h.post in config.AGE_POSTS
            and h.how == Start.ELECTED
            and term.how == Start.ELECTED
            and h.start == term.start
        ):
            reelected = Holding.objects.filter(
                member_id=h.member_id, unit_id=h.unit_id, start__lt=term.start,
                voided_at__isnull=True,
            ).exists()  # fmt: skip
            congress = term.congress_date or term.start
            for r_kind, first, again, source in config.age_rules_on(congress):
                if r_kind in ("", kind):
                    needed = again if reelected else first
                    retire = config.retirement_day(h.member.birth_date, h.member.gender)
                    left = config.months_between(congress, retire)
                    if left < needed:
                        row.gaps.append(standards.AgeGap(needed, left, reelected, congress, source))
                        break
        out.append(row)
    return sorted(
        out, key=lambda r: (r.unit_code, queries.POST_ORDER[r.post], sort_key(r.full_name))
    )
