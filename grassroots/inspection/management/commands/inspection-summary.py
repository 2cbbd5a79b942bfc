"""`grassroots inspection-summary --unit CODE --from D --to D [--json]`: supervision, inspection
and discipline of an organization's subtree in (from, to] (docs/inspection.md)."""

from django.core.management.base import CommandError

from grassroots.core.cli import GrassrootsCommand, date_arg, dumps, number
from grassroots.inspection import queries
from grassroots.inspection.models import CaseKind, Form
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Kiểm tra, giám sát, kỷ luật của một tổ chức đảng trong một thời kỳ."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--from", dest="since", required=True, type=date_arg,
                            help="từ sau ngày (YYYY-MM-DD)")  # fmt: skip
        parser.add_argument("--to", dest="at", required=True, type=date_arg,
                            help="đến hết ngày (YYYY-MM-DD)")  # fmt: skip
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        if options["since"] > options["at"]:
            raise CommandError("--from phải trước --to.")
        result = queries.summary(unit, options["since"], options["at"])
        if options["json"]:
            self.stdout.write(dumps(result.as_json()))
            return
        w = self.stdout.write
        w(
            f"{result.unit['name']} ({unit.code}) — từ {result.since:%d/%m/%Y} đến {result.at:%d/%m/%Y}"
        )
        w(f"Tổ chức được giám sát: {number(result.supervised_organizations)}")
        w(f"Đảng viên được giám sát: {number(result.supervised_members)}")
        w(
            f"Cuộc kiểm tra: {number(result.inspections)}; kết luận có vi phạm: {number(result.violations)}"
        )
        for code, count in result.cases_by_kind.items():
            w(f"  {CaseKind(code).label:<60} {number(count):>6}")
        w("Đảng viên bị kỷ luật:")
        for code, count in result.disciplined_members.items():
            w(f"  {Form(code).label:<20} {number(count):>6}")
        w("Tổ chức đảng bị kỷ luật:")
        for code, count in result.disciplined_organizations.items():
            w(f"  {Form(code).label:<20} {number(count):>6}")
        w(f"Khiếu nại kỷ luật: {number(result.appeals)}; khai trừ: {number(result.expelled)}")
        w(f"Đảng viên bị đình chỉ sinh hoạt đảng: {number(result.suspended_members)}")
