"""The meeting book (meetings/urls.py) and the member persona's account.

Meetings of C1 in 2024 (the district's clerk sees them: C1 lay under D1 then) and in 2026 (after
D1 was dissolved: absent for its clerk), one of GQ in the other province. The member persona is
Lê Văn Sau's own account (C1, admitted 2026): it opens "/meetings/mine/" and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from grassroots.accounts.models import Role, User
from grassroots.meetings.services import meeting_record

from ..factories import SYSTEM, d
from ..test_access import PASSWORD
from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

WRITE = expect(302, 403, 403, 404, 302)  # a clerk of a dissolved district only reads


def meeting(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/meetings/{w[key].pk}/{suffix}"


RULES = {
    "meetings/mine/": [
        Probe(lambda w: "/meetings/mine/", expect(403, 403, 403, 403, 302, member=200)),
    ],
    "meetings/units/<str:code>/": [
        Probe(lambda w: "/meetings/units/G1/?year=2024", READ_IN_SCOPE),
        Probe(lambda w: "/meetings/units/C1/", READ_IN_SCOPE, note="clerk: as of 2025"),
        Probe(lambda w: "/meetings/units/GQ/", ABSENT_FOR_P),
    ],
    "meetings/units/<str:code>/new/": [
        Probe(lambda w: "/meetings/units/C1/new/", expect(clerk=403, viewer=403)),
        Probe(lambda w: "/meetings/units/C1/new/", expect(clerk=403, viewer=403), "post", {}),
        Probe(lambda w: "/meetings/units/GQ/new/", expect(404, 404, 404, 200, 302)),
    ],
    "meetings/units/<str:code>/export.xlsx": [
        Probe(lambda w: "/meetings/units/G1/export.xlsx?year=2024", READ_IN_SCOPE),
        Probe(lambda w: "/meetings/units/GQ/export.xlsx", ABSENT_FOR_P),
    ],
    "meetings/units/<str:code>/import/": [
        Probe(lambda w: "/meetings/units/C1/import/", expect(405, 405, 405, 405, 302)),
        Probe(lambda w: "/meetings/units/C1/import/", expect(302, 403, 403, 404, 302), "post", {}),
        Probe(lambda w: "/meetings/units/GQ/import/", expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "meetings/units/<str:code>/quality/<int:year>/<int:month>/": [
        Probe(lambda w: "/meetings/units/C1/quality/2026/1/", expect(clerk=403, viewer=403)),
        Probe(
            lambda w: "/meetings/units/C1/quality/2026/1/",
            expect(clerk=403, viewer=403),
            "post",
            {},
        ),
        Probe(lambda w: "/meetings/units/C1/quality/2026/13/", expect(404, 403, 403, 404, 302)),
        Probe(lambda w: "/meetings/units/GQ/quality/2026/1/", expect(404, 404, 404, 200, 302)),
    ],
    "meetings/<int:pk>/": [
        Probe(meeting("m_2024"), READ_IN_SCOPE),
        Probe(meeting("m_2026"), expect(clerk=404), note="after the district ended"),
        Probe(meeting("m_q"), ABSENT_FOR_P),
    ],
    "meetings/<int:pk>/attendance/": [
        Probe(meeting("m_2026", "attendance/"), expect(200, 404, 403, 404, 302)),
        Probe(meeting("m_2024", "attendance/"), expect(200, 403, 403, 404, 302)),
        Probe(meeting("m_2026", "attendance/"), expect(302, 404, 403, 404, 302), "post", {}),
        Probe(meeting("m_q", "attendance/"), expect(404, 404, 404, 200, 302)),
    ],
    "meetings/<int:pk>/approve/": [
        Probe(meeting("m_approve", "approve/"), expect(302, 404, 403, 404, 302), "post", {}),
        Probe(meeting("m_q", "approve/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "meetings/<int:pk>/correct/": [
        Probe(meeting("m_2024", "correct/"), WRITE, "post", {}),
        Probe(meeting("m_q", "correct/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "meetings/<int:pk>/minutes.<str:fmt>": [
        Probe(meeting("m_2024", "minutes.docx"), READ_IN_SCOPE),
        Probe(meeting("m_2026", "minutes.pdf"), expect(clerk=404)),
        Probe(meeting("m_2024", "minutes.txt"), expect(404, 404, 404, 404, 302)),
        Probe(meeting("m_q", "minutes.docx"), ABSENT_FOR_P),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    def make(unit, day: str, start: int):
        return meeting_record(
            actor=SYSTEM, unit=unit, kind="regular", date=d(day), start=dt.time(start),
            end=dt.time(start + 2), place="Nhà văn hóa", agenda="Nội dung", today=d("2026-12-31"),
        )  # fmt: skip

    w["m_2024"] = make(w["C1"], "2024-03-05", 8)
    w["m_2026"] = make(w["C1"], "2026-02-05", 8)
    w["m_approve"] = make(w["C1"], "2026-02-05", 14)
    w["m_q"] = make(w["GQ"], "2026-02-05", 8)
    w["member"] = User.objects.create_user(
        "dangvien_c1", password=PASSWORD, scope=w["C1"], role=Role.MEMBER, member=w["later"]
    )
