"""What a row of the persona matrix is made of (tests/test_access_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from grassroots.territory.services import village_create

from ..factories import SYSTEM, d


def expect(
    admin=200, clerk=200, viewer=200, outsider=404, anonymous=302, member=403
) -> dict[str, int]:
    """Statuses per persona. `member` is a member's own account (role "đảng viên", linked to
    Lê Văn Sau of C1; tests/access_rules/meetings.py): refused everywhere but its own pages."""
    return {
        "admin_p": admin,
        "clerk_d1": clerk,
        "viewer_g1": viewer,
        "outsider": outsider,
        "anonymous": anonymous,
        "member": member,
    }


READ_IN_SCOPE = expect()  # every P persona reads; the other province gets "absent"
ABSENT_FOR_P = expect(admin=404, clerk=404, viewer=404, outsider=200)
ADMIN_ONLY = expect(clerk=403, viewer=403, outsider=200)


@dataclass
class Probe:
    url: Callable[[dict], str]
    expect: dict[str, int]
    method: str = "get"
    data: dict = field(default_factory=dict)
    note: str = ""
    json: bool = False  # send `data` as a JSON body (the API reads JSON only)


def member(key: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/members/{w[key].pk}/{suffix}"


def event_url(key: str, suffix: str) -> Callable[[dict], str]:
    return lambda w: f"/events/{w[key].events.order_by('date', 'id').first().pk}/{suffix}"


def with_village(w, url: str) -> str:
    """Village V1 of commune G1 (own cell C1), created once through the service."""
    from grassroots.territory.models import Village

    if not Village.objects.filter(code="V1").exists():
        village_create(
            actor=SYSTEM,
            code="V1",
            name="Thôn Một",
            kind="thon",
            unit=w["G1"],
            arrangement="own",
            cell=w["C1"],
            date=d("2005-01-01"),
        )
    return url
