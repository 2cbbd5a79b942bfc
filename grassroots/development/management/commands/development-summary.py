"""`grassroots development-summary --unit CODE --at D [--since D] [--json]`: the member
development pipeline and the admissions of a window (docs/development.md)."""

from grassroots.core.cli import GrassrootsCommand, date_arg, dumps, number
from grassroots.development import queries
from grassroots.development.models import Stage
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Phát triển đảng viên: số hồ sơ theo bước, quá hạn, kết nạp trong kỳ theo cơ cấu."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--at", required=True, type=date_arg, help="ngày (YYYY-MM-DD)")
        parser.add_argument("--since", type=date_arg, help="từ ngày (mặc định: đầu năm)")
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        result = queries.summary(unit, options["at"], options["since"])
        if options["json"]:
            self.stdout.write(dumps(result.as_json()))
            return
        w = self.stdout.write
        w(f"{result.unit['name']} ({unit.code}) — ngày {result.at:%d/%m/%Y}")
        for code, count in result.stages.items():
            w(f"  {Stage(code).label:<45} {number(count):>8}")
        w(f"Quá hạn: {number(result.overdue)}")
        w(f"Kết nạp từ {result.since:%d/%m/%Y} đến {result.at:%d/%m/%Y}: {number(result.admitted)}")
        for code, count in result.admitted_by.items():
            w(f"  {code:<45} {number(count):>8}")
        w(f"Tuổi bình quân khi kết nạp: {number(result.average_age_at_admission, 1)}")
        w(
            f"Số ngày (trung vị) từ đơn đến quyết định: {number(result.median_days_application_to_decision)}"
        )
        w(
            f"Số ngày (trung vị) từ quyết định đến lễ kết nạp: {number(result.median_days_decision_to_ceremony)}"
        )
