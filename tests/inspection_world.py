"""A small tree with members for the inspection tests (built through the real services)."""

from __future__ import annotations

from types import SimpleNamespace

from grassroots.inspection import services as insp
from grassroots.organizations.models import Kind

from .factories import SYSTEM, admit, d, event, unit


def world() -> SimpleNamespace:
    p = unit("P", Kind.PROVINCE)
    dd = unit("D", Kind.DISTRICT, p)
    g = unit("G", Kind.GRASSROOTS_COMMITTEE, dd)
    c1 = unit("C1", Kind.SUBORDINATE_CELL, g)
    c2 = unit("C2", Kind.SUBORDINATE_CELL, g)
    late = unit("L", Kind.SUBORDINATE_CELL, g, date="2020-01-01")
    a = admit(c1, "2010-03-01", full_name="Trần Văn An")
    event(a, "official")
    b = admit(c2, "2010-03-01", full_name="Lê Thị Bình")
    event(b, "official")
    probationer = admit(c1, "2024-06-01", full_name="Phạm Dự Bị")
    return SimpleNamespace(p=p, d=dd, g=g, c1=c1, c2=c2, late=late, a=a, b=b, pr=probationer)


def decide(w, member, form="warning", signed="2024-03-01", announced="2024-03-05", body=None,
           organ="inspection_commission", **kwargs):  # fmt: skip
    return insp.decision_record(
        actor=SYSTEM, form=form, body=body or w.d, organ=organ, signed_on=d(signed),
        announced_on=d(announced), subject_member=member, number="12-QĐ/UBKT", **kwargs,
    )  # fmt: skip


def open_case(w, subject_member=None, subject_unit=None, kind="violation_signs",
              opened="2024-01-10", start="2023-01-01", end="2023-12-31"):  # fmt: skip
    return insp.case_open(
        actor=SYSTEM, kind=kind, title="Dấu hiệu vi phạm", body=w.d,
        organ="inspection_commission", opened_on=d(opened), period_start=d(start),
        period_end=d(end), subject_member=subject_member, subject_unit=subject_unit,
        team="Đồng chí Hoàng (trưởng đoàn)", content="Nội dung tố cáo mật",
    )  # fmt: skip
