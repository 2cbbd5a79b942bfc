from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.figures.queries import figures
from grassroots.organizations.cli import unit_arg

_STOCK_LABELS = [
    ("grassroots_organizations", "Tổ chức cơ sở đảng"),
    ("grassroots_committees", "  Đảng bộ cơ sở"),
    ("grassroots_cells", "  Chi bộ cơ sở"),
    ("subordinate_organizations", "Tổ chức trực thuộc đảng ủy cơ sở"),
    ("members", "Đảng viên"),
    ("official_members", "  Chính thức"),
    ("probationary_members", "  Dự bị"),
    ("exempt_members", "  Miễn sinh hoạt"),
    ("population", "Dân số"),
    ("villages", "Thôn, bản, tổ dân phố"),
    ("villages_own_cell", "  Có chi bộ độc lập"),
    ("villages_joint_cell", "  Sinh hoạt ghép"),
    ("villages_no_cell", "  Chưa có chi bộ"),
]
_FLOW_LABELS = [
    ("admitted", "Kết nạp"),
    ("readmitted", "Kết nạp lại"),
    ("recognized", "Công nhận chính thức"),
    ("transferred_in", "Chuyển đến"),
    ("transferred_out", "Chuyển đi"),
    ("restructured_in", "Đến do sắp xếp tổ chức"),
    ("restructured_out", "Đi do sắp xếp tổ chức"),
    ("died", "Từ trần"),
    ("expelled", "Khai trừ"),
    ("removed", "Xóa tên"),
    ("left", "Ra khỏi Đảng"),
    ("net_change", "Tăng (giảm) đảng viên"),
]


class Command(GrassrootsCommand):
    help = "Số liệu của một tổ chức tại một ngày, và biến động từ một ngày trước đó."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, type=unit_arg, help="mã tổ chức, ví dụ LS")
        parser.add_argument("--at", required=True, type=date_arg, help="YYYY-MM-DD")
        parser.add_argument(
            "--since", type=date_arg, help="YYYY-MM-DD: so sánh và biến động từ ngày này"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, unit, at, since, json: bool, **options):
        if since and since > at:
            raise BadArgument("--since phải trước hoặc bằng --at")
        result = figures(unit, at, since)
        if json:
            self.stdout.write(dumps(result.as_json()))
            return
        data = result.as_json()
        self.stdout.write(f"{result.unit['name']} ({unit.code}) — ngày {at:%d/%m/%Y}")
        for key, label in _STOCK_LABELS:
            self.stdout.write(f"  {label:<36} {number(data[key]):>12}")
        pct = result.members_pct_population
        self.stdout.write(
            f"  {'Đảng viên / dân số':<36} {number(pct, 1) + '%' if pct is not None else '—':>12}"
        )
        if result.since:
            s = data["since"]
            self.stdout.write(f"So với ngày {since:%d/%m/%Y}:")
            self.stdout.write(
                f"  {'Tổ chức cơ sở đảng khi đó':<36} {number(s['grassroots_organizations']):>12}"
            )
            self.stdout.write(
                f"  {'Tổ chức trực thuộc khi đó':<36} {number(s['subordinate_organizations']):>12}"
            )
            self.stdout.write(f"  {'Đảng viên khi đó':<36} {number(s['members']):>12}")
            for key, label in _FLOW_LABELS:
                self.stdout.write(f"  {label:<36} {number(s[key]):>12}")
