"""A small tree with members and a course for the cadres tests (built through the services)."""

from __future__ import annotations

from types import SimpleNamespace

from grassroots.cadres import services as cadres
from grassroots.organizations.models import Kind

from .factories import SYSTEM, admit, d, event, unit


def world() -> SimpleNamespace:
    p = unit("P", Kind.PROVINCE)
    g = unit("G", Kind.GRASSROOTS_COMMITTEE, p)
    c1 = unit("C1", Kind.SUBORDINATE_CELL, g)
    c2 = unit("C2", Kind.SUBORDINATE_CELL, g)
    x = unit("X", Kind.GRASSROOTS_CELL, p)
    people = []
    for i in range(4):
        m = admit(c1 if i < 2 else c2, "2008-03-01", full_name=f"Trần Văn {i}")
        event(m, "official")
        people.append(m)
    outsider = admit(x, "2008-03-01", full_name="Lê Thị Ngoài")
    event(outsider, "official")
    return SimpleNamespace(
        p=p, g=g, c1=c1, c2=c2, x=x, a=people[0], b=people[1], c=people[2], e=people[3],
        outsider=outsider,
    )  # fmt: skip


def term(unit, start="2010-06-01", name="2010–2015", **kwargs):
    kwargs.setdefault("seats", {"secretary": 1, "deputy": 2, "committee": 5})
    return cadres.term_open(actor=SYSTEM, unit=unit, name=name, start=d(start), **kwargs)


def hold(term, member, post="secretary", start=None, **kwargs):
    return cadres.holding_start(
        actor=SYSTEM, term=term, member=member, post=post, start=d(start) if start else term.start,
        **kwargs,
    )  # fmt: skip
