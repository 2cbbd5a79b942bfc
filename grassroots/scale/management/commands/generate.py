"""`grassroots generate --scale national|province|small [--members N] [--seed S]`."""

import json as jsonlib

from django.core.management.base import CommandError
from django.db import connection

from grassroots.core.cli import GrassrootsCommand
from grassroots.organizations.models import Unit
from grassroots.scale.national import SCALES
from grassroots.scale.runs import run_generate


class Command(GrassrootsCommand):
    help = "Tạo dữ liệu tổng hợp cả nước (đơn vị hành chính thật) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--members", type=int, help="số đảng viên (mặc định theo --scale)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, scale, members, seed, json: bool = False, **options):
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if Unit.objects.exists():
            raise CommandError(
                f"Cơ sở dữ liệu {connection.settings_dict['NAME']} đã có dữ liệu; hãy dùng một cơ sở dữ liệu riêng "
                "(GRASSROOTS_VAR_DIR=/tmp/scale hoặc DATABASE_URL=postgres://…/gr_national)."
            )
        dataset = run_generate(
            scale=scale, members=members, seed=seed, progress=options["verbosity"] > 0
        )
        out = {
            "database": connection.vendor,
            "members": dataset.members,
            "seed": seed,
            "seconds": round(dataset.seconds, 1),
            "rows_per_s": round(dataset.rows_per_s),
            "peak_rss_mb": round(dataset.peak_rss_mb),
            **dataset.counts,
        }
        if json:
            self.stdout.write(_json(out))
        else:
            for key, value in out.items():
                self.stdout.write(
                    f"{key:>26}: {value:,}" if isinstance(value, int) else f"{key:>26}: {value}"
                )


def _json(data) -> str:
    return jsonlib.dumps(data, ensure_ascii=False)
