"""`grassroots statistics members --unit CODE --at D --by DIM[,DIM] [--children] [--json]`."""

from django.http import Http404

from grassroots.accounts.access import get_report_unit_for_user
from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.excel.management.commands._common import Operator, user_or_none
from grassroots.members.structure import DIMENSIONS, UnknownDimension, member_structure


class Command(GrassrootsCommand):
    help = "Thống kê: members = cơ cấu đảng viên tại một ngày theo một hoặc hai tiêu chí."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="statistic", required=True)
        members = sub.add_parser("members", help="cơ cấu đảng viên")
        members.add_argument("--unit", required=True, help="mã tổ chức")
        members.add_argument("--at", required=True, type=date_arg, help="YYYY-MM-DD")
        members.add_argument(
            "--by",
            required=True,
            help=f"một hoặc hai tiêu chí, cách nhau bởi dấu phẩy: {', '.join(DIMENSIONS)}",
        )
        members.add_argument("--children", action="store_true", help="kèm từng đơn vị trực thuộc")
        members.add_argument("--user", help="với phạm vi của tài khoản này")
        members.add_argument("--json", action="store_true")

    def handle(self, *args, unit, at, by, children, user, json, **options):
        try:
            unit_obj = get_report_unit_for_user(user_or_none(user) or Operator(), unit, [at])
        except Http404:
            raise BadArgument(
                f"Không có tổ chức mã {unit} (hoặc ngoài phạm vi tài khoản)."
            ) from None
        dims = [d.strip() for d in by.split(",") if d.strip()]
        try:
            result = member_structure(unit_obj, at, dims, children=children)
        except UnknownDimension as error:
            raise BadArgument(str(error)) from None
        if json:
            self.stdout.write(dumps(result.as_json()))
            return
        self.stdout.write(
            f"{unit_obj.code} — ngày {at:%d/%m/%Y} — {number(result.total)} đảng viên"
        )
        for key, count in sorted(result.cells.items()):
            share = 100 * count / result.total if result.total else 0
            self.stdout.write(f"  {' × '.join(key):<50} {number(count):>10} {number(share, 1):>6}%")
        for field, values in result.unmapped.items():
            if values:
                listed = "; ".join(f"{v or '(trống)'}: {n}" for v, n in values.most_common())
                self.stdout.write(f"Chưa phân loại ({field}): {listed}")
