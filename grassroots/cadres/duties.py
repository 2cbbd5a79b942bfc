"""What is due in the cadres module, for the dashboard (grassroots.core.due): vacant committee
seats and posts still held by people who left the organization."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.due import DueItem, register_due

from . import queries


def cadres_due(user, unit, day):
    url = reverse("cadres:committee", args=[unit.code]) + f"?at={day.isoformat()}"
    left = queries.holders_who_left(unit, day).count()
    yield DueItem(_("Cán bộ"), _("Chức danh do người đã chuyển đi, từ trần, bị khai trừ giữ"),
                  left, True, url)  # fmt: skip
    vacant = sum(queries.vacancies_on(unit, day, subtree=True).values())
    yield DueItem(_("Cán bộ"), _("Chức danh cấp ủy còn khuyết"), vacant, False, url)


register_due("cadres", cadres_due, order=20)
