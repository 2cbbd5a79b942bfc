"""`grassroots assessment-summary --unit CODE --year YYYY [--json]`: the rating distribution.

The file name has a hyphen on purpose: Django names commands after their module file and loads
them with importlib, which accepts any file name (tests/test_assessment_summary.py runs it).
"""

import json

from grassroots.assessments import queries
from grassroots.core import limits
from grassroots.core.cli import BadArgument, GrassrootsCommand
from grassroots.organizations.queries import find_unit


class Command(GrassrootsCommand):
    help = "Phân bố xếp loại chất lượng tổ chức đảng và đảng viên của một tổ chức trong một năm."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="mã tổ chức (ví dụ LS)")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        unit = find_unit(options["unit"])
        if unit is None:
            raise BadArgument(f"Không tìm thấy tổ chức {options['unit']}.")
        if limits.year_problem(options["year"]):
            raise BadArgument(limits.year_problem(options["year"]))
        result = queries.summary(unit, options["year"])
        if result.scheme is None:
            raise BadArgument(f"Chưa có quy định xếp loại cho năm {options['year']}.")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        w = self.stdout.write
        w(f"{result.name} ({unit.code}) — năm {result.year} — {result.scheme.name}")
        for title, dist in (
            ("Tổ chức cơ sở đảng", result.grassroots),
            ("Tất cả tổ chức đảng (cơ sở và trực thuộc)", result.organizations),
            ("Đảng viên", result.members),
        ):
            w(f"\n{title}: đã xếp loại {_n(dist.rated)}/{_n(dist.due)}")
            for level, count, pct in dist.rows():
                w(f"  {level.label:<50} {_n(count):>8} {_pct(pct):>8}")
        w(
            f"\nChưa xếp loại: {_n(len(result.not_rated_organizations))} tổ chức cơ sở, "
            f"{_n(len(result.not_rated_member_ids))} đảng viên"
        )


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _pct(value) -> str:
    return "" if value is None else f"{value}%".replace(".", ",")
