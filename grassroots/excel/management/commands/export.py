"""`grassroots export WHAT FILE --unit CODE [--at DATE] [--since DATE]`: lists, figures, or a
whole subtree in the import format, to .xlsx or .csv (chosen by the file name)."""

import datetime as dt

from django.http import Http404

from grassroots.accounts.access import get_unit_for_user
from grassroots.audit.models import Source
from grassroots.audit.services import Actor
from grassroots.core.cli import BadArgument, GrassrootsCommand
from grassroots.excel import exporter
from grassroots.excel.workbooks import write_csv, write_xlsx

from ._common import Operator, user_or_none

WHATS = ("organizations", "members", "figures", "workbook")


def _date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadArgument(f"Ngày không hợp lệ: {text} (dạng YYYY-MM-DD).") from None


class Command(GrassrootsCommand):
    help = "Xuất danh sách tổ chức, đảng viên, số liệu (xlsx/csv) hoặc toàn bộ dữ liệu theo mẫu nhập (workbook)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=WHATS)
        parser.add_argument("file", help=".xlsx hoặc .csv")
        parser.add_argument("--unit", required=True, help="mã tổ chức")
        parser.add_argument("--at", help="YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--since", help="YYYY-MM-DD (số liệu: biến động từ ngày này)")
        parser.add_argument("--user", help="xuất với phạm vi của tài khoản này")

    def handle(self, *args, what, file, unit, at, since, user, **options):
        account = user_or_none(user)
        viewer = account or Operator()
        actor = Actor(account, Source.CLI)
        try:
            unit_obj = get_unit_for_user(viewer, unit)
        except Http404:
            raise BadArgument(
                f"Không có tổ chức mã {unit} (hoặc ngoài phạm vi tài khoản)."
            ) from None
        day = _date(at) if at else dt.date.today()
        since_day = _date(since) if since else None
        if since_day and since_day > day:  # issue 20 §14: was a traceback
            raise BadArgument("--since phải trước hoặc bằng --at.")
        fmt = "csv" if file.lower().endswith(".csv") else "xlsx"
        if what == "workbook":
            if fmt != "xlsx":
                raise BadArgument("Xuất theo mẫu nhập chỉ hỗ trợ .xlsx.")
            sheets = exporter.import_format_export(viewer, unit_obj, actor)
        elif what == "organizations":
            sheets = [exporter.organizations_export(viewer, unit_obj, day, actor, fmt)]
        elif what == "members":
            sheets = [exporter.members_export(viewer, unit_obj, day, actor, fmt)]
        else:
            sheets = [exporter.figures_export(viewer, unit_obj, day, actor, since_day, fmt)]
        if fmt == "csv":
            with open(file, "w", encoding="utf-8", newline="") as handle:
                write_csv(sheets[0], handle)
        else:
            write_xlsx(sheets, file)
        self.stdout.write(f"Đã xuất {file}")
