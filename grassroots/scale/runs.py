"""Generating a dataset into the current database and recording what was written (`Dataset`).

Shared by `grassroots generate` and the benchmark (`scale.bench.ensure_dataset`).
"""

from __future__ import annotations

import resource
import time

from tqdm import tqdm

from .models import Dataset
from .national import SCALES, generate


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_generate(
    *, scale: str = "small", members: int | None = None, seed: int = 1, progress: bool = True
) -> Dataset:
    """Generate into the current database and record what was written."""
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
