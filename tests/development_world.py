"""A small tree with members for the development tests (built through the real services)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from grassroots.development import services as dev
from grassroots.organizations.models import Kind

from .factories import SYSTEM, admit, d, event, unit


def world() -> SimpleNamespace:
    p = unit("P", Kind.PROVINCE)
    g = unit("G", Kind.GRASSROOTS_COMMITTEE, p)
    c1 = unit("C1", Kind.SUBORDINATE_CELL, g)
    c2 = unit("C2", Kind.SUBORDINATE_CELL, g)
    x = unit("X", Kind.GRASSROOTS_CELL, p)
    veterans = []
    for i in range(3):
        m = admit(c1 if i < 2 else c2, "2010-03-01", full_name=f"Trần Văn {i}")
        event(m, "official")
        veterans.append(m)
    outsider = admit(x, "2010-03-01", full_name="Lê Thị Ngoài")
    event(outsider, "official")
    probationer = admit(c1, "2023-06-01", full_name="Phạm Dự Bị")
    return SimpleNamespace(
        p=p, g=g, c1=c1, c2=c2, x=x, a=veterans[0], b=veterans[1], c=veterans[2],
        outsider=outsider, probationer=probationer,
    )  # fmt: skip


def propose(cell, on: str = "2024-01-10", **profile):
    values = {
        "full_name": "Hoàng Thị Ưu Tú",
        "gender": "F",
        "birth_date": dt.date(2000, 5, 15),
        "ethnicity": "Tày",
        "youth_union": True,
    }
    values.update(profile)
    return dev.candidate_propose(
        actor=SYSTEM, cell=cell, proposed_on=d(on), source="youth_union", **values
    )


def file_ready(w, cand, start: str = "2024-02-01"):
    """Certificate, 1-KNĐ, 2-KNĐ, two introducers and verification, a few days apart."""
    day = d(start)
    dev.step_certificate(actor=SYSTEM, candidate=cand, date=day, course="Lớp NTVĐ khóa 1")
    dev.step_application(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=5))
    dev.step_background(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=6))
    dev.step_introduction(
        actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=7), introducer_1=w.a,
        introducer_2=w.b,
    )  # fmt: skip
    dev.step_verification(
        actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=20), passed=True
    )
    return day + dt.timedelta(days=20)


def admit_through(w, cand, start: str = "2024-02-01", ceremony_offset: int = 10):
    day = file_ready(w, cand, start)
    dev.step_cell_vote(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=5), votes_for=2)
    dev.step_grassroots_proposal(actor=SYSTEM, candidate=cand, date=day + dt.timedelta(days=10))
    decision = day + dt.timedelta(days=20)
    dev.step_decision(
        actor=SYSTEM, candidate=cand, date=decision, document_number="12-QĐ/ĐU",
        issuing_body="Đảng ủy G",
    )  # fmt: skip
    return dev.step_ceremony(
        actor=SYSTEM, candidate=cand, date=decision + dt.timedelta(days=ceremony_offset),
        profile_number=f"{cand.pk:06d}UT",
    )  # fmt: skip
