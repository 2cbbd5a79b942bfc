from grassroots.core.cli import GrassrootsCommand, date_arg, dumps
from grassroots.organizations.cli import unit_arg
from grassroots.organizations.models import GrassrootsType, Kind
from grassroots.organizations.queries import unit_rows


class Command(GrassrootsCommand):
    help = "Các tổ chức đảng tại một ngày (the organizations as of a date)."

    def add_arguments(self, parser):
        parser.add_argument("--at", required=True, type=date_arg, help="YYYY-MM-DD")
        parser.add_argument(
            "--under", type=unit_arg, help="mã tổ chức: chỉ lấy cây con của tổ chức này"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, at, under, json: bool, **options):
        rows = unit_rows(at, under)
        if json:
            payload = [
                {
                    "code": r.code,
                    "name": r.name,
                    "kind": r.kind,
                    "type": r.type or None,
                    "parent": r.parent,
                }
                for r in rows
            ]
            self.stdout.write(dumps(payload))
            return
        kinds, types = dict(Kind.choices), dict(GrassrootsType.choices)
        for r in rows:
            label = kinds[r.kind] + (f", {types[r.type]}" if r.type else "")
            self.stdout.write(f"{'  ' * r.depth}{r.code}  {r.name}  [{label}]")
        self.stdout.write(f"— {len(rows)} tổ chức ngày {at:%d/%m/%Y}")
