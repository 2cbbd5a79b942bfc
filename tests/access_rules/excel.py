"""Excel: templates, import jobs (own jobs only), exports (excel/urls.py).

Exports are read as CSV or unzipped XLSX for the canary check."""

from __future__ import annotations

from grassroots.excel.models import ExportJob, ExportStatus, ImportJob, JobStatus

from .probes import ABSENT_FOR_P, READ_IN_SCOPE, Probe, expect

RULES = {
    "excel/": [Probe(lambda w: "/excel/", expect(outsider=200))],
    "excel/templates/<str:kind>.xlsx": [
        Probe(lambda w: "/excel/templates/members.xlsx", expect(outsider=200)),
        Probe(lambda w: "/excel/templates/nope.xlsx", expect(404, 404, 404, 404, 302)),
    ],
    "excel/import/": [
        Probe(lambda w: "/excel/import/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/excel/import/",
            expect(400, 403, 403, 400, 302),
            "post",
            {},
            "clerk: read-only past",
        ),
    ],
    "excel/import/<int:pk>/": [
        Probe(
            lambda w: f"/excel/import/{w['job_p'].pk}/",
            expect(200, 404, 404, 404, 302),
            note="own jobs only",
        ),
        Probe(lambda w: f"/excel/import/{w['job_q'].pk}/", ABSENT_FOR_P),
    ],
    "excel/import/<int:pk>/status.json": [
        Probe(lambda w: f"/excel/import/{w['job_q'].pk}/status.json", ABSENT_FOR_P),
    ],
    "excel/import/<int:pk>/confirm/": [
        Probe(
            lambda w: f"/excel/import/{w['job_q'].pk}/confirm/",
            expect(404, 403, 403, 302, 302),
            "post",
            {},
            "clerk: read-only past",
        ),
    ],
    "excel/export/<str:what>/": [
        Probe(lambda w: "/excel/export/members/?unit=P&format=csv", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/excel/export/members/?unit=G1&format=csv&at=2026-06-01", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/organizations/?unit=G1&format=csv", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/figures/?unit=G1&format=csv", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/workbook/?unit=G1", READ_IN_SCOPE),
        Probe(lambda w: "/excel/export/workbook/?unit=P", expect(clerk=404, viewer=404)),
        Probe(lambda w: "/excel/export/members/?unit=GQ&format=csv", ABSENT_FOR_P),
    ],
    # the member list as a background job (own jobs only, unit in scope)
    "excel/exports/": [
        Probe(lambda w: "/excel/exports/", expect(405, 405, 405, 405, 302)),
        Probe(
            lambda w: "/excel/exports/",
            expect(302, 302, 302, 404, 302),
            "post",
            {"unit": "G1", "at": "2024-01-01", "format": "csv"},
        ),
        Probe(
            lambda w: "/excel/exports/",
            expect(302, 404, 404, 404, 302),
            "post",
            {"unit": "P", "at": "2024-01-01"},
        ),
        Probe(
            lambda w: "/excel/exports/",
            expect(404, 404, 404, 302, 302),
            "post",
            {"unit": "GQ", "at": "2024-01-01"},
        ),
    ],
    "excel/exports/<int:pk>/": [
        Probe(
            lambda w: f"/excel/exports/{w['export_p'].pk}/",
            expect(200, 404, 404, 404, 302),
            note="own exports only",
        ),
        Probe(lambda w: f"/excel/exports/{w['export_q'].pk}/", ABSENT_FOR_P),
    ],
    "excel/exports/<int:pk>/status.json": [
        Probe(
            lambda w: f"/excel/exports/{w['export_p'].pk}/status.json",
            expect(200, 404, 404, 404, 302),
        ),
        Probe(lambda w: f"/excel/exports/{w['export_q'].pk}/status.json", ABSENT_FOR_P),
    ],
    "excel/exports/<int:pk>/download/": [
        Probe(
            lambda w: f"/excel/exports/{w['export_p'].pk}/download/",
            expect(200, 404, 404, 404, 302),
        ),
        Probe(lambda w: f"/excel/exports/{w['export_q'].pk}/download/", ABSENT_FOR_P),
    ],
}


def prepare(w: dict, tmp_path) -> None:
    """One finished import job and one made export each (own jobs only)."""
    for key, user, unit in (("export_p", "admin_p", "G1"), ("export_q", "outsider", "GQ")):
        path = tmp_path / f"{key}.csv"
        path.write_text("STT\n", encoding="utf-8")
        w[key] = ExportJob.objects.create(
            user=w[user],
            unit=w[unit],
            at="2024-01-01",
            fmt="csv",
            status=ExportStatus.DONE,
            stored_path=str(path),
        )
    for key, user in (("job_p", "admin_p"), ("job_q", "outsider")):
        w[key] = ImportJob.objects.create(
            user=w[user],
            file_name=f"{user}.xlsx",
            stored_path=str(tmp_path / "x"),
            status=JobStatus.DONE,
        )
