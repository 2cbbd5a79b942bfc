"""What is due in inspection on the dashboard (grassroots.core.due): recommendations past their
deadline and complaints waiting for a ruling. Shown to inspectors only (inspection/access.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.due import DueItem, register_due

from . import access, queries


def inspection_due(user, unit, day):
    if not access.is_inspector(user):
        return
    url = reverse("inspection:unit", args=[unit.code])
    overdue = queries.recommendations_overdue(unit, day).count()
    if overdue:
        yield DueItem(_("Kiểm tra, giám sát"), _("Kiến nghị quá hạn thực hiện"), overdue, True, url)
    waiting = queries.appeals_waiting(unit, day).count()
    if waiting:
        yield DueItem(_("Kỷ luật"), _("Khiếu nại kỷ luật chờ giải quyết"), waiting, False, url)


register_due("inspection", inspection_due, order=40)
