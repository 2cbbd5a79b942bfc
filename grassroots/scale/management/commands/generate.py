"""`grassroots generate --scale national|province|small [--members N] [--seed S]`."""

import json as jsonlib
import resource
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from grassroots.scale.models import Dataset
from grassroots.scale.national import SCALES, generate


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_generate(
    *, scale: str = "small", members: int | None = None, seed: int = 1, progress: bool = True
) -> Dataset:
    """Generate into the current database and record what was written."""
    from tqdm import tqdm

    members = members or SCALES[scale]
    province = "20" if scale == "province" else None  # Lạng Sơn (unchanged by the 2025 mergers)
    started = time.perf_counter()
    cpu = _cpu()
    bar = tqdm(total=members, unit="member", desc="đảng viên", disable=not progress, mininterval=1)
    rbar = {}

    def rebuild_progress(done, total):
        if "bar" not in rbar:
            bar.close()
            rbar["bar"] = tqdm(
                total=total, unit="unit", desc="sổ số liệu", disable=not progress, mininterval=1
            )
        rbar["bar"].update(done - rbar["bar"].n)

    counts = generate(
        members, seed, province=province, progress=bar.update, rebuild_progress=rebuild_progress
    )
    bar.close()
    if "bar" in rbar:
        rbar["bar"].close()
    seconds = time.perf_counter() - started
    # The machine is shared: CPU time says what the work costs when the wall clock is noisy.
    counts["cpu_seconds"] = round(_cpu() - cpu, 1)
    rows = sum(
        counts[k]
        for k in (
            "units",
            "unit_versions",
            "members",
            "events",
            "stints",
            "unit_ancestry",
            "figure_deltas",
            "name_keys",
        )
        if k in counts
    )
    return Dataset.objects.create(
        scale=scale,
        members=members,
        seed=seed,
        counts=counts,
        seconds=seconds,
        rows_per_s=rows / seconds,
        peak_rss_mb=peak_rss_mb(),
    )


class Command(BaseCommand):
    help = "Tạo dữ liệu tổng hợp cả nước (đơn vị hành chính thật) để đo hiệu năng."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--members", type=int, help="số đảng viên (mặc định theo --scale)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, scale, members, seed, json: bool = False, **options):
        from django.core.management import call_command

        from grassroots.organizations.models import Unit

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
