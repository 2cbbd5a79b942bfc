"""Report pages: preview, edit the summary, export in the background, download; statistics."""

import subprocess

import pytest
from django.test import Client

from grassroots.audit.models import AuditRecord
from grassroots.reports.models import ReportJob

from .web_world import make_world

pytestmark = pytest.mark.django_db
PERIOD = {"unit": "P", "since": "2009-01-01", "at": "2013-01-01"}


@pytest.fixture
def world(settings):
    # the worker's task runs in the request (as in tests/test_excel_web.py)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return make_world()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_preview_edit_export_and_download(world, tmp_path):
    client = login(world["admin"])
    page = client.get("/reports/review/", PERIOD)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tổng số đảng viên từ 2 nay là 3 đồng chí" in html  # the summary, editable
    assert "<textarea" in html and "data:image/svg+xml;base64," in html
    response = client.post(
        "/reports/jobs/", {**PERIOD, "format": "pdf", "summary": "Đoạn tóm tắt đã sửa tay."}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/jobs/{job.pk}/"
    assert job.status == "done" and job.user == world["admin"]
    assert client.get("/reports/jobs/").status_code == 405
    assert client.get(f"/reports/jobs/{job.pk}/status.json").json()["status"] == "done"
    download = client.get(f"/reports/jobs/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout
    assert "Đoạn tóm tắt đã sửa tay." in text.decode()
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"create", "export", "download"} <= actions
    # the list of kept reports offers it for download
    assert f"/reports/jobs/{job.pk}/download/" in client.get("/reports/").content.decode()


def test_a_report_belongs_to_its_maker(world):
    login(world["admin"]).post("/reports/jobs/", {**PERIOD, "format": "json"})
    job = ReportJob.objects.get()
    other = login(world["clerk"])
    assert other.get(f"/reports/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_outside_the_scope_is_absent(world):
    clerk = login(world["clerk"])
    assert clerk.get("/reports/review/", PERIOD).status_code == 404
    assert clerk.post("/reports/jobs/", {**PERIOD, "format": "pdf"}).status_code == 404
    assert clerk.get("/reports/review/", {**PERIOD, "unit": "D1"}).status_code == 200
    assert not ReportJob.objects.exists()


def test_refusals(world):
    client = login(world["admin"])
    assert client.post("/reports/jobs/", {**PERIOD, "format": "odt"}).status_code == 404
    assert client.get("/reports/review/", {**PERIOD, "since": "2014-01-01"}).status_code == 404
    assert client.get("/reports/statistics/", {"unit": "P", "by": "shoe"}).status_code == 404
    assert not ReportJob.objects.exists()


def test_statistics_page_for_a_unit_and_its_children(world):
    page = login(world["admin"]).get(
        "/reports/statistics/", {"unit": "P", "at": "2013-01-01", "by": "gender,age"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "D1" in html and "D2" in html and "Bảng chéo" in html
    assert "3 đảng viên tại ngày 01/01/2013" in html


def test_a_changed_scope_loses_the_old_reports(world):
    client = login(world["clerk"])
    client.post("/reports/jobs/", {**PERIOD, "unit": "D1", "format": "json"})
    job = ReportJob.objects.get()
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 200
    world["clerk"].scope = world["D2"]
    world["clerk"].save()
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_statistics_page_crosses_a_second_dimension_from_the_form(world):
    page = login(world["admin"]).get(
        "/reports/statistics/", {"unit": "P", "at": "2013-01-01", "by": "gender", "by2": "status"}
    )
    html = page.content.decode()
    assert "Bảng chéo" in html and "Chính thức" in html
    single = login(world["admin"]).get("/reports/statistics/", {"unit": "P", "by": "gender"})
    assert "Bảng chéo" not in single.content.decode()


def _running_report(user, unit, worker_id: str, task_status: str = "RUNNING") -> ReportJob:
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [0], "kwargs": {}},
        task_path="grassroots.reports.tasks.run_report_job",
        queue_name="default",
        backend_name="default",
        status=task_status,
        worker_ids=[worker_id] if worker_id else [],
    )
    return ReportJob.objects.create(
        user=user, unit=unit, since="2009-01-01", at="2013-01-01", fmt="pdf",
        status="running", progress=40, task_id=str(task.pk),
    )  # fmt: skip


def test_a_report_whose_worker_died_is_failed_with_a_message(settings):
    # the database queue (the default), not the immediate backend: the job's task is asked
    from django.utils import timezone

    from grassroots.ops import worker
    from grassroots.ops.liveness import this_host
    from grassroots.ops.models import WorkerHeartbeat
    from grassroots.reports import jobs

    w = make_world()
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="gone", host=this_host(), pid=2**22 + 12345, started_at=now, seen_at=now
    )  # no such process on this host
    WorkerHeartbeat.objects.create(
        worker_id="alive", host=this_host(), pid=__import__("os").getpid(), started_at=now,
        seen_at=now,
    )  # fmt: skip
    dead = _running_report(w["admin"], w["P"], "gone")
    live = _running_report(w["admin"], w["P"], "alive")
    waiting = _running_report(w["admin"], w["P"], "", task_status="READY")
    client = login(w["admin"])
    status = client.get(f"/reports/jobs/{dead.pk}/status.json").json()
    assert status["status"] == "failed" and not status["running"]
    assert status["error"] == jobs.INTERRUPTED and "chưa được lập" in status["error"]
    assert "Không lập được" in client.get(f"/reports/jobs/{dead.pk}/").content.decode()
    assert client.get(f"/reports/jobs/{live.pk}/status.json").json()["status"] == "running"
    assert client.get(f"/reports/jobs/{waiting.pk}/status.json").json()["status"] == "running"
    # a starting worker fails the report of a worker that went silent
    WorkerHeartbeat.objects.filter(pk="alive").update(
        seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    worker.fail_orphaned_tasks(except_worker="new")
    live.refresh_from_db()
    waiting.refresh_from_db()
    assert live.status == "failed" and live.error == jobs.INTERRUPTED
    assert waiting.status == "running"  # still queued: waits for a worker
