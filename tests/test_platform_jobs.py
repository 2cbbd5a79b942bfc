"""Excel imports as tasks in the worker (issue 19; issue 20 §1 and §12).

- a double confirm queues and writes one import (atomic check-and-set on the job's status);
- a job whose worker is gone is reported failed, with a Vietnamese message, nothing written;
- a real `grassroots worker` killed with SIGKILL in the middle of an import's writes.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grassroots.accounts.models import Role, User
from grassroots.excel import jobs, schema
from grassroots.excel.models import ImportJob, JobStatus
from grassroots.members.models import Member
from grassroots.ops import worker
from grassroots.ops.liveness import this_host
from grassroots.ops.models import WorkerHeartbeat
from grassroots.organizations.models import Kind

from .excel_helpers import headers, member_row, workbook
from .factories import unit
from .platform_site import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    p = unit("LS", Kind.PROVINCE, name="Đảng bộ tỉnh Lạng Sơn")
    dl = unit("DL", Kind.DISTRICT, p, name="Đảng bộ huyện Đình Lập")
    unit("DL-C1", Kind.GRASSROOTS_CELL, dl, name="Chi bộ xã Bắc Xa")
    return User.objects.create_user("canbo", password="Grassroots@2026", scope=dl, role=Role.CLERK)


def upload(client, tmp_path, rows) -> ImportJob:
    path = workbook(tmp_path / "in.xlsx", {schema.MEMBERS.name: [headers(schema.MEMBERS), *rows]})
    with open(path, "rb") as f:
        client.post(reverse("excel:upload"), {"file": f})
    return ImportJob.objects.latest("pk")


def run_worker() -> None:
    # The worker loop closes connections between tasks: tests using it run with transaction=True.
    worker.run(batch=True, interval=0, handle_signals=False)


@pytest.mark.django_db(transaction=True)
def test_upload_waits_for_the_worker_then_checks_and_imports(client, clerk, tmp_path):
    client.force_login(clerk)
    job = upload(client, tmp_path, [member_row("000777LS", unit="DL-C1")])
    # The web process only queued it: nothing checked yet, the page says it waits.
    assert job.status == JobStatus.QUEUED and job.phase == jobs.WAITING and job.task_id
    assert client.get(reverse("excel:job_status", args=[job.pk])).json()["running"]
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.READY and not Member.objects.exists()
    client.post(reverse("excel:job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.IMPORTING
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Member.objects.filter(profile_number="000777LS").count() == 1
    assert not os.path.exists(job.stored_path)


@pytest.mark.django_db(transaction=True)
def test_double_confirm_queues_one_import(client, clerk, tmp_path):
    """Issue 20 §12: two confirms of the same checked upload wrote the import twice."""
    client.force_login(clerk)
    job = upload(client, tmp_path, [member_row("000777LS", unit="DL-C1")])
    run_worker()
    first, second = ImportJob.objects.get(pk=job.pk), ImportJob.objects.get(pk=job.pk)
    assert first.status == second.status == JobStatus.READY  # both requests saw "ready"
    assert jobs.confirm(first) is True
    assert jobs.confirm(second) is False  # the check-and-set refuses the second
    client.post(reverse("excel:job_confirm", args=[job.pk]))  # a third click, through the page
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk, True]).count() == 1
    run_worker()
    assert Member.objects.filter(profile_number="000777LS").count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.DONE


def running_job(clerk, tmp_path, *, worker_id: str, task_status: str = "RUNNING") -> ImportJob:
    stored = tmp_path / "up.xlsx"
    stored.write_bytes(b"x")
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [0, True], "kwargs": {}},
        task_path="grassroots.excel.tasks.run_import_job",
        queue_name="default",
        backend_name="default",
        status=task_status,
        worker_ids=[worker_id] if worker_id else [],
    )
    return ImportJob.objects.create(
        user=clerk,
        file_name="up.xlsx",
        stored_path=str(stored),
        status=JobStatus.IMPORTING,
        task_id=str(task.pk),
    )


def beat(worker_id: str, pid: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id=worker_id, host=this_host(), pid=pid, started_at=now, seen_at=now
    )


def test_job_of_a_dead_worker_is_failed_with_a_message(clerk, tmp_path):
    beat("gone", 2**22 + 12345)  # no such process on this host
    job = running_job(clerk, tmp_path, worker_id="gone")
    job = jobs.refresh(job)
    assert job.status == JobStatus.FAILED and job.errors == [jobs.INTERRUPTED]
    assert "chưa ghi gì" in job.errors[0]
    assert not os.path.exists(job.stored_path)


def test_job_of_a_live_or_busy_worker_keeps_running(clerk, tmp_path):
    beat("alive", os.getpid())
    live = running_job(clerk, tmp_path, worker_id="alive")
    queued = running_job(clerk, tmp_path, worker_id="", task_status="READY")
    assert jobs.refresh(live).status == JobStatus.IMPORTING
    assert jobs.refresh(queued).status == JobStatus.IMPORTING
    WorkerHeartbeat.objects.filter(pk="alive").update(
        seen_at=timezone.now() - timezone.timedelta(hours=1)
    )
    assert jobs.refresh(live).status == JobStatus.FAILED  # silent for too long


SEED = """
import json
from tests.factories import unit
from grassroots.accounts.models import Role, User
from grassroots.organizations.models import Kind
p = unit("LS", Kind.PROVINCE, name="Đảng bộ tỉnh Lạng Sơn")
dl = unit("DL", Kind.DISTRICT, p, name="Đảng bộ huyện Đình Lập")
unit("DL-C1", Kind.GRASSROOTS_CELL, dl, name="Chi bộ xã Bắc Xa")
User.objects.create_user("canbo", password="Grassroots@2026", scope=dl, role=Role.CLERK)
print(json.dumps(True))
"""

QUEUE = """
import json
from grassroots.accounts.models import User
from grassroots.excel import jobs
from grassroots.excel.models import ImportJob
job = ImportJob.objects.create(user=User.objects.get(username="canbo"), file_name="big.xlsx",
                               stored_path={path!r}, size=1)
jobs.queue_check(job)
print(json.dumps(job.pk))
"""

STATE = """
import json
from grassroots.excel import jobs
from grassroots.excel.models import ImportJob
from grassroots.members.models import Member
job = jobs.refresh(ImportJob.objects.get(pk={pk}))
{action}
print(json.dumps([job.status, job.errors, Member.objects.count()]))
"""


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_import_writes_nothing_and_fails_the_job(tmp_path):
    site = Site(tmp_path / "site", "killed")
    try:
        site.python(SEED)
        rows = [member_row(f"{i:06d}LS", f"Nguyễn Văn {i}", "DL-C1") for i in range(2500)]
        path = workbook(
            site.var / "big.xlsx", {schema.MEMBERS.name: [headers(schema.MEMBERS), *rows]}
        )
        pk = site.python(QUEUE.format(path=path))
        proc = site.start_worker()
        deadline = time.monotonic() + 180
        while site.python(STATE.format(pk=pk, action=""))[0] != JobStatus.READY:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.5)
        site.python(STATE.format(pk=pk, action="jobs.confirm(job)"))
        progress = f"{path}.progress"
        while True:  # wait until the worker is writing, inside the import's transaction
            try:
                phase = open(progress).read()
            except OSError:
                phase = ""
            if "Ghi" in phase:
                break
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        status, errors, members = site.python(STATE.format(pk=pk, action=""))
        assert members == 0  # the import's transaction died with the worker
        assert status == JobStatus.FAILED and errors == [jobs.INTERRUPTED]
        assert not os.path.exists(path)
        # A new worker also fails the task that was left "running".
        site.manage("worker", "--batch", "--interval", "0")
        tasks = site.python(
            "import json; from django_tasks_db.models import DBTaskResult as T;"
            "print(json.dumps(sorted(T.objects.values_list('status', flat=True))))"
        )
        assert tasks == ["FAILED", "SUCCESSFUL"]
    finally:
        site.stop()


def test_healthz_reports_database_and_workers_and_no_data(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "degraded", "database": {"default": "ok"}, "workers": 0}
    beat("alive", os.getpid())
    assert client.get("/healthz").json()["status"] == "ok"


def test_every_request_is_logged_with_timings(client, caplog):
    import json
    import logging

    requests = logging.getLogger("grassroots.request")  # does not propagate to the root logger
    requests.addHandler(caplog.handler)
    try:
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")
    finally:
        requests.removeHandler(caplog.handler)
    line = json.loads(caplog.records[-1].getMessage())
    assert response["X-Request-ID"] == "abc123" and line["id"] == "abc123"
    assert line["path"] == "/healthz" and line["status"] == 200
    assert line["ms"] >= line["db_ms"] >= 0 and line["db_queries"] >= 2
    assert line["cpu_ms"] > 0  # the thread's CPU: what the request cost, not its wait


def test_server_processes_freeze_their_startup_objects():
    """`grassroots serve` runs this in each process once Django is loaded (post_worker_init): the
    objects alive then (settings, models, URLconf, views) leave the collector's generations, so
    a full collection no longer walks them (docs/performance.md "Session 10")."""
    import gc

    from grassroots.ops.management.commands.serve import freeze_startup_objects

    gc.unfreeze()
    try:
        freeze_startup_objects(None)
        assert gc.get_freeze_count() > 0
        assert gc.get_count()[0] < 700  # collected before the freeze
    finally:
        gc.unfreeze()
