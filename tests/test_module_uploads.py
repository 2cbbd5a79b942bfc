"""A module page's Excel upload (development board, meeting book) takes the Excel page's path:
stored, checked by the worker with its progress and error report on the job page, applied on
confirmation (issue 20 §1: no import runs in a web thread)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from grassroots.accounts.models import Role, User
from grassroots.excel.models import ImportJob

from . import development_world as dw

pytestmark = pytest.mark.django_db


def _xlsx() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize("url", ["/development/units/G/import/", "/meetings/units/G/import/"])
def test_upload_becomes_an_import_job(client, url):
    w = dw.world()
    clerk = User.objects.create_user("thu_ky_g", password="x", scope=w.g, role=Role.CLERK)
    client.force_login(clerk)
    upload = SimpleUploadedFile("sinh-hoat.xlsx", _xlsx())
    response = client.post(url, {"file": upload})
    job = ImportJob.objects.get(user=clerk)
    assert response.status_code == 302 and response["Location"] == f"/excel/import/{job.pk}/"
    assert job.file_name == "sinh-hoat.xlsx"
    # Without a file: back to the module's page with the reason, no job.
    response = client.post(url, {})
    assert response.status_code == 302 and "/units/G/" in response["Location"]
    assert ImportJob.objects.filter(user=clerk).count() == 1
