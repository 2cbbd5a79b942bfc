"""The tracker's figures computed by the database (directives/figures.py, what the CLI and the
API print) equal the Python tracker's (queries.Cascade.as_json, the page's) — through a merger,
a dissolution, a later district, make-up sessions and meetings' attendance, on several days and
for several organizations, and on a generated tree with moves, a merger and a new cell."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from grassroots.directives import figures, queries, services
from grassroots.organizations.models import Kind
from grassroots.organizations.queries import version_at

from .factories import SYSTEM, d, unit
from .test_directives_tracker import built  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

DAYS = ("2008-02-01", "2008-05-15", "2008-07-15", "2008-12-31", "2009-06-01", "2011-01-01",
        "2013-01-01", "2026-01-01")  # fmt: skip


def test_database_figures_equal_the_python_tracker(built):  # noqa: F811
    w, c = built
    checked = 0
    for doc in (c.nq, c.kh):
        for u in (w.p, w.d1, w.d2, w.d3, w.d5, w.g1, w.g2):
            for day in DAYS:
                at = d(day)
                slow = queries.cascade(doc, u, at).as_json()
                assert figures.cascade_json(doc, u, at) == slow, (doc.symbol, u.code, day)
                checked += slow["organizations"]
    assert checked > 50  # the comparison saw bound organizations, not only empty trees


def test_database_figures_on_a_generated_tree():
    from grassroots.organizations import services as orgs
    from grassroots.restructure import services as restructure

    rng = random.Random(5)
    p = unit("P", Kind.PROVINCE)
    districts = [unit(f"D{i}", Kind.DISTRICT, p) for i in range(4)]
    grass = [unit(f"G{i}", Kind.GRASSROOTS_COMMITTEE, rng.choice(districts)) for i in range(8)]
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, rng.choice(grass)) for i in range(12)]
    doc = services.document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="7-KH/TU", date=d("2010-01-10"), issuer=p,
        title="Kế hoạch", requirements=[
            {"level": "cell", "action": "study", "audience": "committee",
             "deadline": d("2010-06-30")},
            {"level": "grassroots", "action": "issue", "deadline": d("2010-04-30")},
            {"level": "district", "action": "report", "doc_kind": "so_ket",
             "deadline": d("2010-05-30")},
        ],
    )  # fmt: skip
    day = d("2010-02-01")
    for step in range(10):
        day += dt.timedelta(days=rng.randint(5, 25))
        cell = rng.choice(cells)
        cell.refresh_from_db()
        if cell.exists_on(day):
            here = version_at(cell, day).parent_id
            target = rng.choice([g for g in grass if g.exists_on(day) and g.pk != here])
            orgs.unit_move(actor=SYSTEM, unit=cell, new_parent=target, date=day)
            services.study_record(actor=SYSTEM, document=doc, unit=cell, date=day,
                                  audience="committee", expected=7, attended=rng.randint(3, 9) % 8)  # fmt: skip
        if step == 2:
            g = rng.choice([g for g in grass if g.exists_on(day)])
            services.document_register(
                actor=SYSTEM, kind="ke_hoach", symbol="3-KH/ĐU", date=day, issuer=g, parent=doc,
                title="Kế hoạch thực hiện")  # fmt: skip
        if step == 4:
            cells.append(unit("CN", Kind.SUBORDINATE_CELL, grass[0], date=day.isoformat()))
        if step == 6:
            src, dst = grass[1], grass[2]
            for g in (src, dst):
                g.refresh_from_db()
            restructure.unit_merge(actor=SYSTEM, sources=[src], target=dst, date=day)
    for at in (day - dt.timedelta(days=40), day + dt.timedelta(days=3)):
        for root in [p, *districts]:
            slow = queries.cascade(doc, root, at).as_json()
            assert figures.cascade_json(doc, root, at) == slow, (root.code, at)


def _duty_rows() -> tuple[list[tuple], list[tuple]]:
    """The placed duties and their counts (without ids)."""
    from grassroots.derived.cascade_duties import COLUMNS, COUNT_KEY
    from grassroots.figures.models import CascadeDuty, CascadeDutyCount

    return (
        sorted(CascadeDuty.objects.values_list(*COLUMNS), key=repr),
        sorted(CascadeDutyCount.objects.values_list(*COUNT_KEY, "n"), key=repr),
    )


def test_kept_duties_equal_a_rebuild_through_a_late_plan_a_void_a_dissolution_and_a_merger():
    """The placed duties kept by the writers (services, TreeSnapshot) equal a rebuild from
    scratch after every kind of write, and the figures read from them equal the Python
    tracker's on the days around each write."""
    from grassroots.derived import maintain
    from grassroots.organizations import services as orgs
    from grassroots.restructure import services as restructure

    rng = random.Random(11)
    p = unit("P", Kind.PROVINCE)
    districts = [unit(f"D{i}", Kind.DISTRICT, p) for i in range(3)]
    grass = [unit(f"G{i}", Kind.GRASSROOTS_COMMITTEE, districts[i % 3]) for i in range(6)]
    cells = [unit(f"C{i}", Kind.SUBORDINATE_CELL, grass[i % 6]) for i in range(10)]
    nq = services.document_register(
        actor=SYSTEM, kind="nghi_quyet", symbol="5-NQ/TW", date=d("2011-01-10"), central_body="TW",
        title="Nghị quyết", requirements=[
            {"level": "grassroots", "action": "issue", "deadline": d("2011-03-31")},
            {"level": "grassroots", "action": "study", "audience": "committee",
             "deadline": d("2011-04-30")},
        ],
    )  # fmt: skip
    kh = services.document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="8-KH/TU", date=d("2011-02-01"), issuer=p,
        parent=nq, title="Kế hoạch", requirements=[
            {"level": "cell", "action": "study", "audience": "committee",
             "deadline": d("2011-05-31")},
            {"level": "district", "action": "issue", "deadline": d("2011-03-15")},
        ],
    )  # fmt: skip
    days = [d("2011-02-15")]
    on_time = services.document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="1-KH/ĐU", date=d("2011-03-01"), issuer=grass[0],
        parent=kh, title="Kế hoạch thực hiện")  # fmt: skip
    services.document_register(  # late: after the 31/03 deadline
        actor=SYSTEM, kind="ke_hoach", symbol="2-KH/ĐU", date=d("2011-05-20"), issuer=grass[1],
        parent=nq, title="Kế hoạch thực hiện")  # fmt: skip
    services.document_register(
        actor=SYSTEM, kind="chuong_trinh", symbol="3-CTr/HU", date=d("2011-04-02"),
        issuer=districts[0], parent=kh, title="Chương trình")  # fmt: skip
    for cell in cells[:6]:
        services.study_record(actor=SYSTEM, document=kh, unit=cell,
                              date=d("2011-03-01") + dt.timedelta(days=rng.randint(0, 120)),
                              audience="committee", expected=9, attended=rng.randint(4, 9))  # fmt: skip
    services.study_record(actor=SYSTEM, document=nq, unit=grass[2], date=d("2011-06-01"),
                          audience="committee", expected=11, attended=10)  # fmt: skip
    days.append(d("2011-06-15"))
    services.document_void(actor=SYSTEM, document=on_time, reason="Nhập sai")
    duties, counts = _duty_rows()  # kept through the services
    assert duties and counts and sum(c[-1] for c in counts) == sum(1 for r in duties if r[-1])
    assert any(c[-1] > 1 for c in counts)  # counted, not copied
    orgs.unit_move(actor=SYSTEM, unit=cells[7], new_parent=grass[3], date=d("2011-07-01"))
    restructure.unit_dissolve(actor=SYSTEM, unit=cells[9], date=d("2011-04-10"))
    days += [d("2011-04-09"), d("2011-07-10")]
    for g in (grass[4], grass[5]):
        g.refresh_from_db()
    restructure.unit_merge(actor=SYSTEM, sources=[grass[4]], target=grass[5], date=d("2011-08-01"))
    districts[2].refresh_from_db()
    for g in grass:
        g.refresh_from_db()
    unit("GN", Kind.GRASSROOTS_COMMITTEE, districts[1], date="2011-09-01")  # inherits the duty
    grass[3].refresh_from_db()  # straight under the province: its cells' paths shorten
    orgs.unit_move(actor=SYSTEM, unit=grass[3], new_parent=p, date=d("2011-08-15"))
    days += [d("2011-07-31"), d("2011-09-30"), d("2012-12-31")]
    kept = _duty_rows()
    maintain.cascade_duties_rebuild()
    assert kept == _duty_rows()
    checked = 0
    for doc in (nq, kh):
        for root in [p, *districts, grass[5]]:
            for at in days:
                slow = queries.cascade(doc, root, at).as_json()
                assert figures.cascade_json(doc, root, at) == slow, (doc.symbol, root.code, at)
                checked += slow["organizations"]
    assert checked > 100
