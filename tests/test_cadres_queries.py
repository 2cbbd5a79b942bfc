"""Training figures against a slow reference on generated data; standards and the CLI."""

import datetime as dt
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from grassroots.cadres import queries, standards
from grassroots.cadres import services as cadres
from grassroots.cadres.models import Course, Enrolment, Result
from grassroots.members.models import Member
from grassroots.members.services import as_ev
from grassroots.organizations import services as orgs
from grassroots.organizations.models import Kind, Unit, UnitVersion
from grassroots.restructure.services import unit_merge

from . import reference
from .cadres_world import hold, term, world
from .factories import SYSTEM, admit, d, event, unit

pytestmark = pytest.mark.django_db


def _slow_summary(unit, since, until) -> dict:
    """Replay each enrolled member's events to the course's closing day and walk the tree
    through UnitVersion.parent on that day (no stints, no closure)."""
    versions = list(UnitVersion.objects.all())
    histories = {
        m.pk: [as_ev(e) for e in m.events.filter(voided_at__isnull=True)]
        for m in Member.objects.filter(enrolments__isnull=False).distinct()
    }
    turns = {"training": 0, "fostering": 0}
    people: dict[str, set] = {"training": set(), "fostering": set()}
    by_subject: dict = {}
    for e in Enrolment.objects.select_related("course"):
        course = e.course
        if e.result != Result.COMPLETED or e.voided_at or not since <= course.end <= until:
            continue
        state = reference._state(histories[e.member_id], course.end)
        if state.phase != "member" or state.unit_id not in reference.subtree(
            unit.pk, course.end, versions
        ):
            continue
        turns[course.kind] += 1
        people[course.kind].add(e.member_id)
        key = (course.subject, course.kind)
        by_subject.setdefault(key, [0, set()])
        by_subject[key][0] += 1
        by_subject[key][1].add(e.member_id)
    return {
        "trained_turns": turns["training"],
        "fostered_turns": turns["fostering"],
        "trained_people": len(people["training"]),
        "fostered_people": len(people["fostering"]),
        "by_subject": {k: (v[0], len(v[1])) for k, v in sorted(by_subject.items())},
    }


def _fast(result) -> dict:
    names = {"training": "trained", "fostering": "fostered"}
    by = {}
    for subject, row in result["by_subject"].items():
        for kind, name in names.items():
            if row[f"{name}_turns"]:
                by[(subject, kind)] = (row[f"{name}_turns"], row[f"{name}_people"])
    return {k: result[k] for k in ("trained_turns", "fostered_turns", "trained_people",
                                   "fostered_people")} | {"by_subject": dict(sorted(by.items()))}  # fmt: skip


def test_training_summary_equals_the_slow_reference_on_generated_data():
    # A small tree that restructures (a move, a merger) and members who move between cells,
    # leave and die, so "where the person belonged on the course day" matters.
    w = world()
    g2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, w.p, date="2005-01-01")
    extra = [admit(c, "2009-05-01", full_name=f"Hà {i}") for i, c in
             enumerate([w.c1, w.c2, w.x, w.c1, w.c2, w.x] * 3)]  # fmt: skip
    event(w.a, "transfer", "2013-04-01", unit=w.x)
    event(extra[0], "transfer_out", "2014-02-01", place="Hà Nội")
    event(extra[1], "death", "2016-07-01")
    orgs.unit_move(actor=SYSTEM, unit=w.c1, new_parent=g2, date=d("2015-01-01"))
    unit_merge(actor=SYSTEM, sources=[w.c1], target=w.c2, date=d("2019-01-01"))
    rng = random.Random(7)
    root = w.p
    members = list(Member.objects.values_list("pk", flat=True))
    subjects = ["theory", "professional", "update", "new_member"]
    courses = []
    for i in range(40):
        start = dt.date(rng.randint(2008, 2022), rng.randint(1, 12), 1)
        courses.append(Course(
            code=f"K{i}", name=f"Lớp {i}", kind=rng.choice(["training", "fostering"]),
            subject=rng.choice(subjects), unit=root, start=start,
            end=start + dt.timedelta(days=rng.randint(0, 400)),
        ))  # fmt: skip
    Course.objects.bulk_create(courses)
    enrolments = []
    for course in courses:
        for pk in rng.sample(members, 12):
            result = rng.choice([Result.COMPLETED] * 3 + [Result.FAILED, Result.WITHDREW])
            enrolments.append(Enrolment(course=course, member_id=pk, enrolled_on=course.start,
                                        result=result, result_on=course.end))  # fmt: skip
    Enrolment.objects.bulk_create(enrolments)
    checked = 0
    for u in [*Unit.objects.all()] * 3:
        since = dt.date(rng.randint(2008, 2020), rng.randint(1, 12), 1)
        until = since + dt.timedelta(days=rng.randint(300, 4000))
        expected = _slow_summary(u, since, until)
        assert _fast(queries.training_summary(u, since, until)) == expected, (u.code, since)
        checked += expected["trained_turns"] + expected["fostered_turns"] > 0
    assert checked >= 10


def test_standards_gap_closes_when_the_course_is_completed():
    w = world()
    t = term(w.g, "2010-06-01")
    hold(t, w.a)
    cadres.qualification_add(actor=SYSTEM, member=w.a, kind="education",
                             level="upper_secondary", obtained_on=d("1988-06-01"))  # fmt: skip
    cadres.qualification_add(actor=SYSTEM, member=w.a, kind="professional",
                             level="intermediate", obtained_on=d("1995-06-01"))  # fmt: skip
    course = cadres.course_create(
        actor=SYSTEM, code="TC", name="Trung cấp LLCT", kind="training", subject="theory",
        unit=w.p, start=d("2012-03-01"), end=d("2013-03-01"), grants_kind="theory",
        grants_level="intermediate",
    )  # fmt: skip
    enrolment = cadres.enrolment_add(actor=SYSTEM, course=course, member=w.a)
    [row] = standards.check(w.p, d("2012-06-01"))
    assert [g.kind for g in row.gaps] == ["theory"]
    assert row.closing == ["TC (đến 01/03/2013)"]
    cadres.enrolment_result(actor=SYSTEM, enrolment=enrolment, result="completed")
    assert standards.check(w.p, d("2013-03-01"))[0].meets
    summary = standards.summary(w.p, d("2013-03-01"))
    assert summary["by_post"]["secretary"] == {
        "posts": 1, "filled": 1, "vacant": 0, "meeting_standard": 1, "below_standard": 0
    }  # fmt: skip
    assert summary["posts"] == 8 and summary["vacant"] == 7  # 2 deputies + 5 committee empty
    # From 1/8/2023 (NĐ 33/2023) the secretary needs a university degree: the gap reopens.
    [later] = standards.check(w.p, d("2023-08-01"))
    assert [(g.kind, g.required) for g in later.gaps] == [("professional", "university")]


def test_cli_keys():
    w = world()
    t = term(w.g, "2010-06-01")
    hold(t, w.a)
    out = StringIO()
    call_command("training-summary", "--unit", "P", "--from", "2010-01-01", "--to",
                 "2017-12-31", "--json", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert set(data) == {"unit", "from", "to", "trained_turns", "fostered_turns",
                         "trained_people", "fostered_people", "by_subject"}  # fmt: skip
    out = StringIO()
    call_command("cadre-standards", "--unit", "P", "--at", "2012-01-01", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"unit", "at", "posts", "filled", "vacant", "meeting_standard",
                         "below_standard", "by_post"}  # fmt: skip
    assert data["below_standard"] == 1 and data["filled"] == 1
