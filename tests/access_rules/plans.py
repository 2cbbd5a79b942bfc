"""Restructure plans (plans/urls.py): a draft of P (no changes, so probes never apply anything)
and one of Q, the other province."""

from __future__ import annotations

from grassroots.plans.services import plan_add_change, plan_create

from ..factories import SYSTEM, d
from .probes import ABSENT_FOR_P, Probe, expect


def prepare(world: dict, tmp_path) -> None:
    world["plan_p"] = plan_create(
        actor=SYSTEM, name="Sắp xếp P", effective_date=d("2026-07-01"), scope=world["P"]
    )
    world["plan_q"] = plan_create(
        actor=SYSTEM, name="Sắp xếp Q", effective_date=d("2026-07-01"), scope=world["Q"]
    )
    # A change to void (in its own plan: plan_p stays empty for the apply probes).
    world["plan_p2"] = plan_create(
        actor=SYSTEM, name="Sắp xếp P (2)", effective_date=d("2026-07-01"), scope=world["P"]
    )
    world["change_p2"] = plan_add_change(
        actor=SYSTEM, plan=world["plan_p2"], action="rename", code=world["P"].code, name="P mới"
    )


def plan(key: str, suffix: str = ""):
    return lambda w: f"/plans/{w[key].pk}/{suffix}"


def api(key: str, suffix: str = ""):
    return lambda w: f"/api/v1/plans/{w[key].pk}/{suffix}"


# The API reads no session: anonymous is not authenticated; a member's account is refused.
API_P_APPROVERS = expect(200, 404, 404, 404, 401, 403)
API_Q = expect(404, 404, 404, 200, 401, 403)


RULES = {
    "plans/": [Probe(lambda w: "/plans/", expect(outsider=200))],
    "plans/new/": [
        Probe(lambda w: "/plans/new/", expect(405, 405, 405, 405, 302)),
        Probe(lambda w: "/plans/new/", expect(404, 403, 403, 404, 302), "post", {}),
    ],
    "plans/upload/": [
        Probe(lambda w: "/plans/upload/", expect(405, 405, 405, 405, 302)),
        Probe(lambda w: "/plans/upload/", expect(302, 403, 403, 302, 302), "post", {}),
    ],
    "plans/<int:pk>/": [
        Probe(plan("plan_p"), expect(200, 404, 404, 404, 302)),
        Probe(plan("plan_q"), ABSENT_FOR_P),
    ],
    "plans/<int:pk>/changes/": [
        Probe(plan("plan_p", "changes/"), expect(302, 404, 404, 404, 302), "post", {}),
        Probe(plan("plan_q", "changes/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "plans/<int:pk>/changes/<int:change_pk>/edit/": [
        Probe(
            lambda w: f"/plans/{w['plan_p2'].pk}/changes/{w['change_p2'].pk}/edit/",
            expect(200, 404, 404, 404, 302),
        ),
        Probe(
            lambda w: f"/plans/{w['plan_p2'].pk}/changes/{w['change_p2'].pk}/edit/",
            expect(200, 404, 404, 404, 302),
            "post",
            {"action": "rename", "code": "", "name": ""},
            note="a refused correction: the form again, nothing written",
        ),
        Probe(
            lambda w: f"/plans/{w['plan_q'].pk}/changes/{w['change_p2'].pk}/edit/",
            expect(404, 404, 404, 404, 302),
            note="a change of another plan",
        ),
    ],
    "plans/<int:pk>/changes/<int:change_pk>/void/": [
        Probe(
            lambda w: f"/plans/{w['plan_p2'].pk}/changes/{w['change_p2'].pk}/void/",
            expect(302, 404, 404, 404, 302),
            "post",
            {"reason": "Thử"},
        ),
        Probe(
            lambda w: f"/plans/{w['plan_q'].pk}/changes/{w['change_p2'].pk}/void/",
            expect(404, 404, 404, 404, 302),
            "post",
            {},
            note="a change of another plan",
        ),
    ],
    "plans/<int:pk>/apply/": [
        Probe(plan("plan_p", "apply/"), expect(302, 404, 404, 404, 302), "post", {}),
        Probe(plan("plan_q", "apply/"), expect(404, 404, 404, 302, 302), "post", {}),
    ],
    "plans/<int:pk>/preview.xlsx": [
        Probe(plan("plan_p", "preview.xlsx"), expect(200, 404, 404, 404, 302)),
        Probe(plan("plan_q", "preview.xlsx"), ABSENT_FOR_P),
    ],
    "api/v1/plans/": [
        Probe(lambda w: "/api/v1/plans/", expect(outsider=200, anonymous=401)),
        Probe(
            lambda w: "/api/v1/plans/",
            expect(422, 403, 403, 422, 401, 403),
            "post",
            {"name": "Thử"},
            note="approvers: the missing fields are named",
            json=True,
        ),
    ],
    "api/v1/plans/<int:pk>/": [
        Probe(api("plan_p"), API_P_APPROVERS),
        Probe(api("plan_q"), API_Q),
    ],
    "api/v1/plans/<int:pk>/check/": [
        Probe(api("plan_p", "check/"), API_P_APPROVERS),
        Probe(api("plan_q", "check/"), API_Q),
    ],
    "api/v1/plans/<int:pk>/preview/": [
        Probe(api("plan_p", "preview/"), API_P_APPROVERS),
        Probe(api("plan_q", "preview/"), API_Q),
    ],
    "api/v1/plans/<int:pk>/apply/": [
        Probe(
            api("plan_p", "apply/"),
            expect(422, 404, 404, 404, 401, 403),
            "post",
            note="admin: the plan has no change yet",
            json=True,
        ),
        Probe(api("plan_q", "apply/"), expect(404, 404, 404, 422, 401, 403), "post", json=True),
    ],
}
