"""`grassroots cadre-standards --unit CODE --at D [--json] [--gaps]`: posts, filled, vacant,
meeting and below the standard in force on D, by post; `--gaps` lists who falls short and why
(docs/cadres.md)."""

from grassroots.cadres import standards
from grassroots.cadres.models import Post
from grassroots.core.cli import GrassrootsCommand, date_arg, dumps, number
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Chuẩn hóa cán bộ: chức danh đạt và chưa đạt tiêu chuẩn tại một ngày."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--at", required=True, type=date_arg, help="ngày (YYYY-MM-DD)")
        parser.add_argument("--json", action="store_true", help="in JSON")
        parser.add_argument("--gaps", action="store_true", help="liệt kê người chưa đạt")

    def handle(self, *args, **options):
        unit, at = unit_arg(options["unit"]), options["at"]
        checks = standards.check(unit, at)
        result = standards.summary(unit, at, checks)
        if options["json"]:
            if options["gaps"]:
                result["gaps"] = standards.gap_rows(unit, at, checks)
            self.stdout.write(dumps(result))
            return
        w = self.stdout.write
        w(f"{unit.code} — ngày {at:%d/%m/%Y}: {number(result['posts'])} chức danh, "
          f"{number(result['filled'])} có người, {number(result['vacant'])} khuyết, "
          f"{number(result['meeting_standard'])} đạt chuẩn, "
          f"{number(result['below_standard'])} chưa đạt")  # fmt: skip
        for post, row in result["by_post"].items():
            w(f"  {Post(post).label:<35} {number(row['filled']):>6} có người, "
              f"{number(row['below_standard']):>6} chưa đạt")  # fmt: skip
        if options["gaps"]:
            for c in checks:
                if not c.meets:
                    w(
                        f"  {c.unit_code} {c.post_label} {c.full_name}: "
                        + "; ".join(g.label for g in c.gaps)
                    )
