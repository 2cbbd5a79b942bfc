"""`grassroots generate --scale national|province|small [--members N] [--seed S]`."""

import json as jsonlib

from django.core.management.base import CommandError
from django.db import connection

from grassroots.core.cli import BadArgument, GrassrootsCommand
from grassroots.organizations.models import Unit
from grassroots.scale.meetings import generate_meetings
from grassroots.scale.national import SCALES, TODAY
from grassroots.scale.runs import run_generate


class Command(GrassrootsCommand):
    help = "Tạo dữ liệu tổng hợp cả nước (đơn vị hành chính thật) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--members", type=int, help="số đảng viên (mặc định theo --scale)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--meetings-year",
            type=int,
            action="append",
            default=[],
            help="năm có sinh hoạt chi bộ (mỗi chi bộ họp hằng tháng); lặp lại cho nhiều năm",
        )
        parser.add_argument(
            "--units-only",
            action="store_true",
            help="chỉ tạo cây tổ chức (cỡ theo --scale/--members), không tạo đảng viên",
        )
        parser.add_argument("--json", action="store_true")

    def handle(
        self, *args, scale, members, seed, meetings_year, units_only=False, json=False, **options
    ):
        from django.core.management import call_command

        if units_only and meetings_year:
            raise BadArgument("--meetings-year cần đảng viên; không dùng cùng --units-only.")
        for year in meetings_year:
            if not 2000 <= year <= TODAY.year - 1:
                raise BadArgument(f"Năm sinh hoạt phải từ 2000 đến {TODAY.year - 1}.")

        call_command("migrate", verbosity=0)
        if Unit.objects.exists():
            raise CommandError(
                f"Cơ sở dữ liệu {connection.settings_dict['NAME']} đã có dữ liệu; hãy dùng một cơ sở dữ liệu riêng "
                "(GRASSROOTS_VAR_DIR=/tmp/scale hoặc DATABASE_URL=postgres://…/gr_national)."
            )
        dataset = run_generate(
            scale=scale, members=members, seed=seed, progress=options["verbosity"] > 0,
            units_only=units_only,
        )  # fmt: skip
        out = {
            "database": connection.vendor,
            "members": dataset.members,
            "seed": seed,
            "seconds": round(dataset.seconds, 1),
            "rows_per_s": round(dataset.rows_per_s),
            "peak_rss_mb": round(dataset.peak_rss_mb),
            **dataset.counts,
        }
        root = Unit.objects.get(code="N")
        for year in meetings_year:
            out.update(generate_meetings(root, year, seed=seed))
        if json:
            self.stdout.write(_json(out))
        else:
            for key, value in out.items():
                self.stdout.write(
                    f"{key:>26}: {value:,}" if isinstance(value, int) else f"{key:>26}: {value}"
                )


def _json(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)
