"""The development pipeline's deadlines on the dashboard (grassroots.core.due)."""

from __future__ import annotations

from collections import Counter

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.due import DueItem, register_due

from . import queries


def pipeline_due(user, unit, day):
    counts = Counter((d.label, d.overdue) for d in queries.deadlines(unit, day))
    url = reverse("development:board", args=[unit.code]) + f"?at={day.isoformat()}"
    for (label, overdue), count in counts.items():
        yield DueItem(_("Phát triển đảng viên"), _(label), count, overdue, url)


register_due("development", pipeline_due, order=10)
