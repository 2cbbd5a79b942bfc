"""The meeting book on the dashboard's "việc đến hạn / quá hạn" (grassroots.core.due): cells that
held no regular meeting last month, and members on the watch list this year."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.core.due import DueItem, register_due

from . import queries


def meetings_due(user, unit, day):
    first_of_month = day.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    since = last_month_end.replace(day=1)
    url = reverse("meetings:book", args=[unit.code]) + f"?year={since.year}"
    # Only cells that keep their book here (at least one meeting recorded): a province whose
    # cells do not use the module yet would otherwise see every cell as "missed".
    rows = queries.missed_months(unit, since, last_month_end)
    keeping = set(queries.cells_keeping_book({c for c, _y, _m in rows}))
    missed = sum(1 for cell, _y, _m in rows if cell in keeping)
    yield DueItem(
        _("Sinh hoạt chi bộ"),
        _("Chi bộ không sinh hoạt thường kỳ tháng %(m)02d/%(y)d")
        % {"m": since.month, "y": since.year},
        missed,
        True,
        url,
    )
    watch = queries.watch_list(unit, dt.date(day.year, 1, 1), day)
    yield DueItem(
        _("Sinh hoạt chi bộ"),
        _("Đảng viên vắng không lý do từ 3 tháng trong năm (xem xét đề nghị xóa tên)"),
        len({r.member_id for r in watch}),
        False,
        reverse("meetings:book", args=[unit.code]) + f"?year={day.year}",
    )


register_due("meetings", meetings_due, order=20)
