"""Generating a dataset into the current database and recording what was written (`Dataset`).

Shared by `grassroots generate` and the benchmark (`scale.bench.ensure_dataset`).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

from tqdm import tqdm

from grassroots.bulkload.loader import BulkLoader
from grassroots.figures.models import FigureDelta
from grassroots.members.models import MemberNameKey
from grassroots.organizations.models import Kind, UnitAncestry

from .models import Dataset
from .national import SCALES, plan_tree
from .people import MemberMaker


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_generate(
    *,
    scale: str = "small",
    members: int | None = None,
    seed: int = 1,
    progress: bool = True,
    units_only: bool = False,
) -> Dataset:
    """Generate into the current database and record what was written (with `units_only`, the
    tree sized for `members` and no members: what the directives tracker needs)."""
    members = members or SCALES[scale]
    province = "20" if scale == "province" else None  # Lạng Sơn (unchanged by the 2025 mergers)
    started = time.perf_counter()
    cpu = _cpu()
    bar = tqdm(
        total=members, unit="member", desc="đảng viên", mininterval=1,
        disable=not progress or units_only,
    )  # fmt: skip
    rbar = {}

    def rebuild_progress(done, total):
        if "bar" not in rbar:
            bar.close()
            rbar["bar"] = tqdm(
                total=total, unit="unit", desc="sổ số liệu", disable=not progress, mininterval=1
            )
        rbar["bar"].update(done - rbar["bar"].n)

    counts = generate(
        members, seed, province=province, progress=bar.update, rebuild_progress=rebuild_progress,
        units_only=units_only,
    )  # fmt: skip
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


def generate(
    members: int,
    seed: int = 1,
    *,
    province: str | None = None,
    loader=None,
    progress: Callable[[int], None] | None = None,
    rebuild_progress=None,
    units_only: bool = False,
) -> dict:
    """Write a dataset into the current database through the bulk loader; return row counts.
    `units_only`: the tree planned for `members` members, without writing any member."""
    import time

    t0 = time.perf_counter()
    plan = plan_tree(members, seed, province=province)
    loader = loader or BulkLoader(batch_size=10000)
    loader.add_units(plan.units)
    t1 = time.perf_counter()
    maker = MemberMaker(plan, seed)
    step = 1000
    for i in range(0 if units_only else members):
        loader.add_member(maker.make(i))
        if progress and (i + 1) % step == 0:
            progress(step)
    if progress and members % step and not units_only:
        progress(members % step)
    loader.flush()
    t2 = time.perf_counter()
    counts = loader.finish(progress=rebuild_progress)
    t3 = time.perf_counter()

    counts["unit_ancestry"] = UnitAncestry.objects.count()
    counts["figure_deltas"] = FigureDelta.objects.count()
    counts["name_keys"] = MemberNameKey.objects.count()
    counts["cells"] = plan.counts["cells"]
    counts["grassroots_organizations"] = plan.counts.get(
        str(Kind.GRASSROOTS_COMMITTEE), 0
    ) + plan.counts.get(str(Kind.GRASSROOTS_CELL), 0)
    counts["seconds_units"] = round(t1 - t0, 1)
    counts["seconds_members"] = round(t2 - t1, 1)
    counts["seconds_rebuild"] = round(t3 - t2, 1)
    return counts
