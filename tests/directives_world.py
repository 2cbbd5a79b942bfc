"""A small province for the directives tests (organizations only, built through the services):
the Resolution 22 cascade through a merger (D3 into D2, 2010), a dissolution (D5, 04/2008)
and a district created later (D4, 2012)."""

from __future__ import annotations

from types import SimpleNamespace

from grassroots.directives import services as dirs
from grassroots.organizations.models import Kind
from grassroots.restructure import services as restructure

from .factories import SYSTEM, d, unit


def world() -> SimpleNamespace:
    p = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Pê")
    d1 = unit("D1", Kind.DISTRICT, p, name="Huyện Một")
    d2 = unit("D2", Kind.DISTRICT, p, name="Huyện Hai")
    d3 = unit("D3", Kind.DISTRICT, p, name="Huyện Ba")
    d5 = unit("D5", Kind.DISTRICT, p, name="Huyện Năm")
    g1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, d1, name="Đảng bộ xã Một")
    c1 = unit("C1", Kind.SUBORDINATE_CELL, g1, name="Chi bộ thôn Một")
    g2 = unit("G2", Kind.GRASSROOTS_CELL, d2, name="Chi bộ xã Hai")
    g3 = unit("G3", Kind.GRASSROOTS_CELL, d3, name="Chi bộ xã Ba")
    q = unit("Q", Kind.PROVINCE, name="Đảng bộ tỉnh Quy")
    gq = unit("GQ", Kind.GRASSROOTS_CELL, q, name="Chi bộ Quy")
    return SimpleNamespace(**locals())


def restructure_later(w) -> None:
    restructure.unit_dissolve(actor=SYSTEM, unit=w.d5, date=d("2008-04-01"))
    restructure.unit_merge(actor=SYSTEM, sources=[w.d3], target=w.d2, date=d("2010-01-01"))
    w.d4 = unit("D4", Kind.DISTRICT, w.p, date="2012-01-01", name="Huyện Bốn")


def cascade(w) -> SimpleNamespace:
    """22-NQ/TW with a programme required of every district by 30/06/2008; the province's plan
    requiring every grassroots organization to study it with all members by 31/12/2008."""
    nq = dirs.document_register(
        actor=SYSTEM, kind="nghi_quyet", symbol="22-NQ/TW", date=d("2008-02-02"),
        title="Nghị quyết về nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng",
        requirements=[{"level": "district", "action": "issue", "doc_kind": "chuong_trinh",
                       "deadline": d("2008-06-30")}],
    )  # fmt: skip
    kh = dirs.document_register(
        actor=SYSTEM, kind="ke_hoach", symbol="30-KH/TU", date=d("2008-03-15"), issuer=w.p,
        title="Kế hoạch học tập, quán triệt và thực hiện Nghị quyết 22", parent=nq,
        requirements=[{"level": "grassroots", "action": "study", "audience": "members",
                       "deadline": d("2008-12-31")}],
    )  # fmt: skip
    return SimpleNamespace(nq=nq, kh=kh)
