"""`grassroots training-summary --unit CODE --from D --to D [--json]`: trained (đào tạo) and
fostered (bồi dưỡng), in turns and distinct people, by subject (docs/cadres.md)."""

from grassroots.cadres import queries
from grassroots.cadres.models import Subject
from grassroots.core.cli import BadArgument, GrassrootsCommand, date_arg, dumps, number
from grassroots.organizations.cli import unit_arg


class Command(GrassrootsCommand):
    help = "Đào tạo, bồi dưỡng: số lượt và số người hoàn thành trong kỳ, theo nội dung."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--from", dest="since", required=True, type=date_arg)
        parser.add_argument("--to", dest="until", required=True, type=date_arg)
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = unit_arg(options["unit"])
        if options["until"] < options["since"]:
            raise BadArgument("Ngày cuối kỳ phải sau ngày đầu kỳ.")
        result = queries.training_summary(unit, options["since"], options["until"])
        if options["json"]:
            self.stdout.write(dumps(result))
            return
        w = self.stdout.write
        w(f"{unit.code}: từ {options['since']:%d/%m/%Y} đến {options['until']:%d/%m/%Y}")
        w(f"  Đào tạo:  {number(result['trained_turns']):>8} lượt, "
          f"{number(result['trained_people'])} người")  # fmt: skip
        w(f"  Bồi dưỡng: {number(result['fostered_turns']):>7} lượt, "
          f"{number(result['fostered_people'])} người")  # fmt: skip
        for code, row in result["by_subject"].items():
            w(f"    {Subject(code).label:<40} đào tạo {number(row['trained_turns']):>7}, "
              f"bồi dưỡng {number(row['fostered_turns']):>7}")  # fmt: skip
