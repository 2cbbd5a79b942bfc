"""`grassroots statistics members --unit CODE --at D --by DIM[,DIM] [--children] [--json]`;
`organizations --unit CODE --at D [--by kind,grassroots_type]`; `admissions` / `reductions
--unit CODE --since D --at D --by DIM[,DIM]` (the same functions as the statistics page)."""

from django.http import Http404

from grassroots.accounts.access import get_report_unit_for_user
from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.excel.management.commands._common import Operator, user_or_none
from grassroots.members.structure import (
    DIMENSIONS,
    FLOW_DIMENSIONS,
    ORGANIZATION_DIMENSIONS,
    UnknownDimension,
    flow_structure,
    member_structure,
    organization_structure,
)


class Command(GrassrootsCommand):
    help = (
        "Thống kê: members = cơ cấu đảng viên tại một ngày; organizations = cơ cấu tổ chức đảng; "
        "admissions / reductions = kết nạp / giảm trong kỳ — theo một hoặc hai tiêu chí."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="statistic", required=True)
        kinds = {
            "members": ("cơ cấu đảng viên tại một ngày", DIMENSIONS, None),
            "organizations": (
                "cơ cấu tổ chức đảng",
                ORGANIZATION_DIMENSIONS,
                "kind,grassroots_type",
            ),
            "admissions": ("kết nạp trong kỳ", FLOW_DIMENSIONS, "flow"),
            "reductions": ("đảng viên giảm trong kỳ", FLOW_DIMENSIONS, "flow"),
        }
        for name, (label, dims, default) in kinds.items():
            p = sub.add_parser(name, help=label)
            p.add_argument("--unit", required=True, help="mã tổ chức")
            if name in ("admissions", "reductions"):
                p.add_argument("--since", required=True, type=date_arg, help="YYYY-MM-DD")
            p.add_argument("--at", required=True, type=date_arg, help="YYYY-MM-DD")
            p.add_argument(
                "--by",
                required=default is None,
                default=default,
                help=f"một hoặc hai tiêu chí, cách nhau bởi dấu phẩy: {', '.join(dims)}",
            )
            p.add_argument("--children", action="store_true", help="kèm từng đơn vị trực thuộc")
            p.add_argument("--user", help="với phạm vi của tài khoản này")
            p.add_argument("--json", action="store_true")

    def handle(self, *args, statistic, unit, at, by, children, user, json, **options):
        since = options.get("since")
        days = [since, at] if since else [at]
        try:
            unit_obj = get_report_unit_for_user(user_or_none(user) or Operator(), unit, days)
        except Http404:
            raise BadArgument(
                f"Không có tổ chức mã {unit} (hoặc ngoài phạm vi tài khoản)."
            ) from None
        dims = [d.strip() for d in by.split(",") if d.strip()]
        try:
            if statistic == "members":
                result = member_structure(unit_obj, at, dims, children=children)
            elif statistic == "organizations":
                result = organization_structure(unit_obj, at, dims, children=children)
            else:
                result = flow_structure(unit_obj, since, at, statistic, dims, children=children)
        except UnknownDimension as error:
            raise BadArgument(str(error)) from None
        if json:
            self.stdout.write(dumps(result.as_json()))
            return
        period = f"từ sau ngày {since:%d/%m/%Y} đến " if since else ""
        counted = "tổ chức" if statistic == "organizations" else "lượt" if since else "đảng viên"
        self.stdout.write(
            f"{unit_obj.code} — {period}ngày {at:%d/%m/%Y} — {number(result.total)} {counted}"
        )
        for key, count in sorted(result.cells.items()):
            share = 100 * count / result.total if result.total else 0
            self.stdout.write(f"  {' × '.join(key):<50} {number(count):>10} {number(share, 1):>6}%")
        for field, values in result.unmapped.items():
            if values:
                listed = "; ".join(f"{v or '(trống)'}: {n}" for v, n in values.most_common())
                self.stdout.write(f"Chưa phân loại ({field}): {listed}")
