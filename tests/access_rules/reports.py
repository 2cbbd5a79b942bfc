"""Reports: the review report, its background jobs (own jobs only), member statistics
(reports/urls.py). A report covers only the account's subtree on both of its dates."""

from __future__ import annotations

from grassroots.reports.models import ReportJob, ReportStatus

from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

G1_PERIOD = "unit=G1&since=2020-01-01&at=2024-01-01"
# clerk_d1's district ended on 2025-07-01: after that day G1 is not theirs to report on
AFTER_D1 = "unit=G1&since=2020-01-01&at=2026-03-01"

RULES = {
    "reports/": [Probe(lambda w: "/reports/", expect(outsider=200))],
    "reports/review/": [
        Probe(lambda w: f"/reports/review/?{G1_PERIOD}", READ_IN_SCOPE),
        Probe(lambda w: f"/reports/review/?{AFTER_D1}", expect(clerk=404)),
        Probe(
            lambda w: "/reports/review/?unit=P&since=2020-01-01&at=2024-01-01",
            expect(clerk=404, viewer=404),
        ),
        Probe(lambda w: "/reports/review/?unit=GQ&since=2020-01-01&at=2024-01-01", ABSENT_FOR_P),
    ],
    "reports/jobs/": [
        Probe(lambda w: "/reports/jobs/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/reports/jobs/",
            expect(302, 302, 302, 404, 302),
            "post",
            {"unit": "G1", "since": "2020-01-01", "at": "2024-01-01", "format": "json"},
        ),
        Probe(
            lambda w: "/reports/jobs/",
            expect(302, 404, 302, 404, 302),
            "post",
            {"unit": "G1", "since": "2020-01-01", "at": "2026-03-01", "format": "json"},
        ),
    ],
    "reports/jobs/<int:pk>/": [
        Probe(
            lambda w: f"/reports/jobs/{w['report_p'].pk}/",
            expect(200, 404, 404, 404, 302),
            note="own reports only",
        ),
        Probe(lambda w: f"/reports/jobs/{w['report_q'].pk}/", ABSENT_FOR_P),
    ],
    "reports/jobs/<int:pk>/status.json": [
        Probe(lambda w: f"/reports/jobs/{w['report_q'].pk}/status.json", ABSENT_FOR_P),
    ],
    "reports/jobs/<int:pk>/download/": [
        Probe(
            lambda w: f"/reports/jobs/{w['report_p'].pk}/download/", expect(200, 404, 404, 404, 302)
        ),
        Probe(lambda w: f"/reports/jobs/{w['report_q'].pk}/download/", ABSENT_FOR_P),
    ],
    "reports/statistics/": [
        Probe(lambda w: "/reports/statistics/?unit=G1&at=2024-01-01&by=gender,age", READ_IN_SCOPE),
        Probe(lambda w: "/reports/statistics/?unit=G1&at=2026-03-01&by=gender", expect(clerk=404)),
        Probe(
            lambda w: "/reports/statistics/?unit=P&at=2024-01-01&by=gender",
            expect(clerk=404, viewer=404),
        ),
        Probe(lambda w: "/reports/statistics/?unit=GQ&at=2024-01-01&by=gender", ABSENT_FOR_P),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """One made report each (own reports only), its file on disk."""
    for key, user, unit in (("report_p", "admin_p", "G1"), ("report_q", "outsider", "GQ")):
        path = tmp_path / f"{key}.json"
        path.write_text("{}", encoding="utf-8")
        w[key] = ReportJob.objects.create(
            user=w[user],
            unit=w[unit],
            since="2020-01-01",
            at="2024-01-01",
            fmt="json",
            status=ReportStatus.DONE,
            stored_path=str(path),
        )
