"""`grassroots candidates --unit CODE [--stage STAGE] [--at D] [--json]`: the open cases."""

from django.utils import timezone

from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps
from grassroots.development import queries
from grassroots.development.models import Stage
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Danh sách quần chúng ưu tú, người vào Đảng đang trong quy trình (quá hạn trước)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức")
        parser.add_argument("--stage", help="mã bước: " + ", ".join(Stage.values))
        parser.add_argument("--at", type=date_arg, help="ngày (mặc định: hôm nay)")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        stage = options["stage"]
        if stage and stage not in Stage.values:
            raise BadArgument(f"Không có bước {stage!r}; dùng: {', '.join(Stage.values)}")
        at = options["at"] or timezone.localdate()
        rows = queries.cases(unit, at, stage)
        if options["json"]:
            self.stdout.write(dumps([r.as_json() for r in rows]))
            return
        for r in rows:
            late = f"  QUÁ HẠN: {'; '.join(r.overdue_labels)}" if r.overdue else ""
            self.stdout.write(f"{r.id:>7}  {r.full_name:<32} {r.cell:<14} {r.stage_label}{late}")
