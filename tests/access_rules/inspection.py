"""Inspection (inspection/urls.py). In this world the province administrator of P and the
administrator of Q hold the inspection flag (`can_inspect`): they are the inspector personas.
The clerk of D1 and the viewer of G1 do not: they get nothing of a case (404, as for something
that does not exist) and a 403 on an organization's inspection list they may otherwise read."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.inspection import services as insp

from ..factories import SYSTEM, d
from .probes import ABSENT_FOR_P, Probe, expect

INSPECTOR_ONLY = expect(200, 404, 404, 404, 302)
POST_ABSENT_FOR_P = expect(404, 404, 404, 302, 302)


def url(key: str, prefix: str, suffix: str = "") -> Callable[[dict], str]:
    return lambda w: f"/inspection/{prefix}/{w[key].pk}/{suffix}"


RULES = {
    "inspection/units/<str:code>/": [
        Probe(lambda w: "/inspection/units/P/", expect(200, 404, 404, 404, 302)),
        Probe(lambda w: "/inspection/units/G1/", expect(200, 403, 403, 404, 302)),
        Probe(lambda w: "/inspection/units/GQ/", ABSENT_FOR_P),
    ],
    # Counts only (no content): read as the organization's figures are, on both days.
    "api/v1/organizations/<str:code>/inspection-summary/": [
        Probe(
            lambda w: "/api/v1/organizations/G1/inspection-summary/?from=2024-01-01&to=2024-12-31",
            expect(200, 200, 200, 404, 401),
        ),
        Probe(
            lambda w: "/api/v1/organizations/G1/inspection-summary/?from=2024-01-01&to=2026-06-01",
            expect(200, 404, 200, 404, 401),
            note="clerk: after the dissolution",
        ),
        Probe(
            lambda w: "/api/v1/organizations/GQ/inspection-summary/?from=2024-01-01&to=2024-12-31",
            expect(404, 404, 404, 200, 401),
        ),
    ],  # fmt: skip
    "inspection/units/<str:code>/export/": [
        Probe(lambda w: "/inspection/units/G1/export/?year=2024", expect(200, 403, 403, 404, 302)),
        Probe(lambda w: "/inspection/units/GQ/export/", ABSENT_FOR_P),
    ],
    "inspection/units/<str:code>/import/": [
        Probe(lambda w: "/inspection/units/C1/import/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/inspection/units/C1/import/", expect(302, 403, 403, 404, 302), "post", {}
        ),
        Probe(lambda w: "/inspection/units/GQ/import/", POST_ABSENT_FOR_P, "post", {}),
    ],
    "inspection/units/<str:code>/programmes/new/": [
        Probe(lambda w: "/inspection/units/D1/programmes/new/", expect(200, 403, 404, 404, 302)),
        Probe(
            lambda w: "/inspection/units/D1/programmes/new/",
            expect(200, 403, 404, 404, 302),
            "post",
            {},
        ),  # fmt: skip
        Probe(lambda w: "/inspection/units/GQ/programmes/new/", ABSENT_FOR_P),
    ],
    "inspection/programmes/<int:pk>/": [
        Probe(url("programme_p", "programmes"), INSPECTOR_ONLY),
        Probe(url("programme_q", "programmes"), ABSENT_FOR_P),
    ],
    "inspection/programmes/<int:pk>/items/new/": [
        Probe(url("programme_p", "programmes", "items/new/"), INSPECTOR_ONLY),
        Probe(url("programme_p", "programmes", "items/new/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("programme_q", "programmes", "items/new/"), ABSENT_FOR_P),
    ],
    "inspection/units/<str:code>/cases/new/": [
        Probe(lambda w: "/inspection/units/C1/cases/new/", expect(200, 403, 403, 404, 302)),
        Probe(
            lambda w: "/inspection/units/C1/cases/new/", expect(200, 403, 403, 404, 302), "post", {}
        ),  # fmt: skip
        Probe(lambda w: "/inspection/units/GQ/cases/new/", ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/": [
        Probe(url("case_p", "cases"), INSPECTOR_ONLY),
        Probe(url("case_q", "cases"), ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/conclude/": [
        Probe(url("case_p", "cases", "conclude/"), INSPECTOR_ONLY),
        Probe(url("case_p", "cases", "conclude/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("case_q", "cases", "conclude/"), ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/recommendations/new/": [
        Probe(url("case_p", "cases", "recommendations/new/"), INSPECTOR_ONLY),
        Probe(url("case_q", "cases", "recommendations/new/"), ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/decisions/new/": [
        Probe(url("case_p", "cases", "decisions/new/"), INSPECTOR_ONLY),
        Probe(url("case_p", "cases", "decisions/new/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("case_q", "cases", "decisions/new/"), ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/suspensions/new/": [
        Probe(url("case_p", "cases", "suspensions/new/"), INSPECTOR_ONLY),
        Probe(url("case_p", "cases", "suspensions/new/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("case_q", "cases", "suspensions/new/"), ABSENT_FOR_P),
    ],
    "inspection/suspensions/<int:pk>/": [
        Probe(url("suspension_p", "suspensions"), INSPECTOR_ONLY),
        Probe(url("suspension_q", "suspensions"), ABSENT_FOR_P),
    ],
    "inspection/suspensions/<int:pk>/extend/": [
        Probe(url("suspension_p", "suspensions", "extend/"), INSPECTOR_ONLY),
        Probe(url("suspension_p", "suspensions", "extend/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("suspension_q", "suspensions", "extend/"), ABSENT_FOR_P),
    ],
    "inspection/suspensions/<int:pk>/lift/": [
        Probe(url("suspension_p", "suspensions", "lift/"), INSPECTOR_ONLY),
        Probe(url("suspension_p", "suspensions", "lift/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("suspension_q", "suspensions", "lift/"), ABSENT_FOR_P),
    ],
    "inspection/cases/<int:pk>/scans/": [
        Probe(url("case_p", "cases", "scans/"), expect(302, 404, 404, 404, 302), "post", {}),
        Probe(url("case_q", "cases", "scans/"), POST_ABSENT_FOR_P, "post", {}),
    ],
    "inspection/cases/<int:pk>/conclusion.<docfmt:fmt>": [
        Probe(lambda w: f"/inspection/cases/{w['case_p'].pk}/conclusion.docx", INSPECTOR_ONLY),
        Probe(lambda w: f"/inspection/cases/{w['case_p'].pk}/conclusion.pdf", INSPECTOR_ONLY),
        Probe(lambda w: f"/inspection/cases/{w['case_q'].pk}/conclusion.pdf", ABSENT_FOR_P),
    ],
    "inspection/recommendations/<int:pk>/": [
        Probe(url("rec_p", "recommendations"), INSPECTOR_ONLY),
        Probe(url("rec_q", "recommendations"), ABSENT_FOR_P),
    ],
    "inspection/decisions/<int:pk>/": [
        Probe(url("decision_p", "decisions"), INSPECTOR_ONLY),
        Probe(url("decision_q", "decisions"), ABSENT_FOR_P),
    ],
    "inspection/decisions/<int:pk>/appeal/": [
        Probe(url("decision_p", "decisions", "appeal/"), INSPECTOR_ONLY),
        Probe(url("decision_p", "decisions", "appeal/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("decision_q", "decisions", "appeal/"), ABSENT_FOR_P),
    ],
    "inspection/decisions/<int:pk>/decision.<docfmt:fmt>": [
        Probe(
            lambda w: f"/inspection/decisions/{w['decision_p'].pk}/decision.docx", INSPECTOR_ONLY
        ),
        Probe(lambda w: f"/inspection/decisions/{w['decision_p'].pk}/decision.pdf", INSPECTOR_ONLY),
        Probe(lambda w: f"/inspection/decisions/{w['decision_q'].pk}/decision.docx", ABSENT_FOR_P),
    ],
    "inspection/appeals/<int:pk>/decide/": [
        Probe(url("appeal_p", "appeals", "decide/"), INSPECTOR_ONLY),
        Probe(url("appeal_p", "appeals", "decide/"), INSPECTOR_ONLY, "post", {}),
        Probe(url("appeal_q", "appeals", "decide/"), ABSENT_FOR_P),
    ],
    "inspection/scans/<int:pk>/": [
        Probe(url("scan_p", "scans"), INSPECTOR_ONLY),
        Probe(url("scan_q", "scans"), ABSENT_FOR_P),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """A 2024 case, its recommendation, a warning, an appeal, a suspension and a scan in each
    province."""
    for user in ("admin_p", "outsider"):
        w[user].can_inspect = True
        w[user].save(update_fields=["can_inspect"])
    for key, member, body in (("p", w["inside"], w["D1"]), ("q", w["canary"], w["Q"])):
        case = insp.case_open(
            actor=SYSTEM, kind="denunciation", title=f"Đơn tố cáo {member.full_name}", body=body,
            organ="inspection_commission", opened_on=d("2024-01-10"),
            period_start=d("2023-01-01"), period_end=d("2023-12-31"), subject_member=member,
            content="Nội dung tố cáo",
        )  # fmt: skip
        w["rec_" + key] = insp.recommendation_add(
            actor=SYSTEM, case=case, text="Khắc phục", deadline=d("2024-06-30")
        )
        decision = insp.decision_record(
            actor=SYSTEM, form="warning", body=body, organ="inspection_commission",
            signed_on=d("2024-03-01"), announced_on=d("2024-03-05"), subject_member=member,
            case=case,
        )  # fmt: skip
        w["appeal_" + key] = insp.appeal_file(
            actor=SYSTEM, decision=decision, filed_on=d("2024-03-20"),
            complainant=member.full_name, body=body,
        )  # fmt: skip
        w["scan_" + key] = insp.scan_upload(
            actor=SYSTEM, case=case, title="Biên bản", content=b"%PDF-1.4 scan"
        )
        w["case_" + key], w["decision_" + key] = case, decision
        w["suspension_" + key] = insp.suspension_record(
            actor=SYSTEM, member=member, body=body, organ="inspection_commission",
            ground="violation", signed_on=d("2024-02-01"), start=d("2024-02-01"), case=case,
        )  # fmt: skip
        w["programme_" + key] = insp.programme_adopt(
            actor=SYSTEM, unit=body, organ="inspection_commission", year=2024,
            adopted_on=d("2024-01-05"),
        )  # fmt: skip
