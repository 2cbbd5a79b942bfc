"""A small world for the meeting book's tests: two cells of one commune, members of every kind
on the list (official, probationary, exempt, temporarily attached in and away)."""

from __future__ import annotations

import datetime as dt

from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind

from .factories import admit, event, unit

T = dt.time


def build() -> dict:
    P = unit("P", Kind.PROVINCE, name="Đảng bộ tỉnh Pê")
    D1 = unit("D1", Kind.DISTRICT, P, name="Đảng bộ huyện Một")
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1, name="Đảng bộ xã Một")
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1, name="Chi bộ thôn Một")
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1, name="Chi bộ thôn Hai")
    official = admit(C1, "2010-03-01", full_name="An Văn Chính")
    event(official, EventKind.OFFICIAL)
    probationary = admit(C1, "2019-01-10", full_name="Bùi Thị Dự")
    exempt = admit(C1, "2005-03-01", full_name="Cao Văn Miễn")
    event(exempt, EventKind.OFFICIAL)
    event(exempt, EventKind.EXEMPTION, "2018-06-01")
    away = admit(C1, "2008-03-01", full_name="Đỗ Văn Đi")
    event(away, EventKind.OFFICIAL)
    event(away, EventKind.TEMP_ATTACH, "2019-02-01", unit=C2)
    guest = admit(C2, "2009-03-01", full_name="Hà Thị Đến")
    event(guest, EventKind.OFFICIAL)
    event(guest, EventKind.TEMP_ATTACH, "2019-02-01", unit=C1)
    other = admit(C2, "2009-03-01", full_name="Lý Văn Khác")
    event(other, EventKind.OFFICIAL)
    return {k: v for k, v in locals().items()}
