"""Fuzz test of the importer (issue 20 "Also"): generated workbooks and CSV files never crash
the importer or the upload page, and every refused file writes nothing. More examples per run:
bench/fuzz_import.py."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from grassroots.accounts.models import Role, User
from grassroots.audit.services import Actor
from grassroots.excel.importer import Importer
from grassroots.excel.models import ImportJob, JobStatus
from grassroots.organizations.models import Kind

from .factories import admit, unit
from .import_fuzz import database_state, files

pytestmark = pytest.mark.django_db
FIXTURES = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]


@pytest.fixture
def world(settings, tmp_path):
    # The import task runs inside the request (django-tasks' immediate backend), not in a worker.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.VAR_DIR = tmp_path
    p = unit("LS", Kind.PROVINCE)
    d = unit("DL", Kind.DISTRICT, p)
    cell = unit("DL-C1", Kind.GRASSROOTS_CELL, d)
    other = unit(
        "CB-C1", Kind.GRASSROOTS_CELL, unit("CB-D", Kind.DISTRICT, unit("CB", Kind.PROVINCE))
    )
    admit(cell, "2005-05-19", profile_number="000001LS")
    admit(other, "2006-01-01", profile_number="000002LS")
    clerk = User.objects.create_user("canbo", password="Grassroots@2026", scope=d, role=Role.CLERK)
    return {"clerk": clerk, "dir": tmp_path}


def import_one(world, data: bytes, name: str):
    path = world["dir"] / "upload.bin"
    path.write_bytes(data)
    before = database_state()
    report = Importer(path, name, user=world["clerk"]).run(actor=Actor(world["clerk"]))
    if not report.written:
        assert database_state() == before, report.messages()[:5]
    if not report.ok:
        assert report.messages() and all(isinstance(m, str) and m for m in report.messages())
    return report


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURES, database=None)
@given(upload=files)
def test_generated_files_never_crash_and_refusals_write_nothing(world, upload):
    import_one(world, *upload)


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURES, database=None)
@given(upload=files)
def test_generated_uploads_never_give_a_500(client, world, upload):
    client.force_login(world["clerk"])
    data, name = upload
    handle = io.BytesIO(data)
    handle.name = name
    before = database_state()
    response = client.post(reverse("excel:upload"), {"file": handle})
    assert response.status_code in (302, 400)
    job = ImportJob.objects.order_by("-pk").first()
    if response.status_code == 302:
        assert job.status in (JobStatus.READY, JobStatus.INVALID), job.errors
        assert client.get(reverse("excel:job", args=[job.pk])).status_code == 200
        if job.status == JobStatus.INVALID:
            from pathlib import Path

            assert not Path(job.stored_path).exists()
    assert database_state() == before  # a preview writes nothing
