"""The cascade page's date box is the app's dd/mm/yyyy field (web/_dates.html), like every other
date of the app, not the browser's native date input (mm/dd/yyyy in Chromium)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from grassroots.accounts.models import Role, User
from grassroots.directives.queries import cascade as tracker

from .directives_world import cascade, world

pytestmark = pytest.mark.django_db


def test_cascade_page_takes_a_vietnamese_date():
    w = world()
    docs = cascade(w)
    user = User.objects.create_user("p_viewer", password="x-Passw0rd!-2026", scope=w.p,
                                    role=Role.VIEWER)  # fmt: skip
    browser = Client()
    browser.force_login(user)
    url = f"/directives/documents/{docs.nq.pk}/cascade/P/"
    page = browser.get(url, {"at": "23/02/2019"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="date"' not in html
    assert 'name="at" value="23/02/2019" placeholder="dd/mm/yyyy" class="date"' in html
    assert page.context["at"] == dt.date(2019, 2, 23)
    assert page.context["figures"] == tracker(docs.nq, w.p, dt.date(2019, 2, 23)).as_json()
    assert page.context["figures"]["plans_late"] == 4  # every district, long past 30/06/2008
    early = browser.get(url, {"at": "01/05/2008"}).context["figures"]
    assert early["plans_late"] == 0  # before the deadline: not due

    refused = browser.get(url, {"at": "31/02/2019"})
    assert "Ngày “31/02/2019” không hợp lệ; hãy nhập dd/mm/yyyy." in refused.content.decode()
