"""What documents from above require of an organization, overdue or due within 30 days, on
the dashboard (grassroots.core.due)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.due import DueItem, register_due

from . import queries
from .tracker import LATE, NOT_DUE

SOON = dt.timedelta(days=30)


def directives_due(user, unit, day):
    items = queries.inbox(unit, day, only_open=True)
    url = reverse("directives:inbox", args=[unit.code]) + f"?at={day.isoformat()}"
    late = [i for i in items if i.state == LATE]
    soon = [i for i in items if i.state == NOT_DUE and i.deadline <= day + SOON]
    if late:
        yield DueItem(
            _("Văn bản chỉ đạo"), _("Quá hạn thực hiện văn bản cấp trên"), len(late), True, url
        )
    if soon:
        yield DueItem(
            _("Văn bản chỉ đạo"), _("Sắp đến hạn thực hiện văn bản cấp trên"), len(soon), False, url
        )


register_due("directives", directives_due, order=20)
