"""A small province with three personas for the web tests (province admin, district clerk, outsider)."""

from __future__ import annotations

from grassroots.accounts.models import Role, User
from grassroots.members.models import EventKind
from grassroots.organizations.models import Kind

from .factories import admit, event, unit

PASSWORD = "Grassroots@2026"


def make_world() -> dict:
    P = unit("P", Kind.PROVINCE, name="Tỉnh Thử")
    D1 = unit("D1", Kind.DISTRICT, P, name="Huyện Đình Một")
    D2 = unit("D2", Kind.DISTRICT, P, name="Huyện Hai")
    G1 = unit("G1", Kind.GRASSROOTS_COMMITTEE, D1, name="Đảng bộ xã Ấn Lạc")
    C1 = unit("C1", Kind.SUBORDINATE_CELL, G1, name="Chi bộ thôn Bản Chắt")
    C2 = unit("C2", Kind.SUBORDINATE_CELL, G1, name="Chi bộ thôn Khe Mò", date="2010-01-01")
    G2 = unit("G2", Kind.GRASSROOTS_COMMITTEE, D2, name="Đảng bộ xã Hai")
    C3 = unit("C3", Kind.SUBORDINATE_CELL, G2, name="Chi bộ thôn Ba")
    an = admit(C1, "2005-03-01", full_name="Nguyễn Văn Ấn", hometown="Đình Lập")
    event(an, EventKind.OFFICIAL)
    binh = admit(C1, "2012-06-01", full_name="Trần Thị Bình", gender="F")
    cuong = admit(C3, "2008-05-05", full_name="Lê Văn Cường")
    for member in (an, binh, cuong):
        member.refresh_from_db()  # services bump the stored version
    users = {
        "admin": User.objects.create_user(
            "admin_p", password=PASSWORD, scope=P, role=Role.ADMIN, last_name="Quản trị tỉnh"
        ),
        "clerk": User.objects.create_user("clerk_d1", password=PASSWORD, scope=D1, role=Role.CLERK),
        "outsider": User.objects.create_user(
            "outsider", password=PASSWORD, scope=D2, role=Role.CLERK
        ),
    }
    return {**locals(), **users}
