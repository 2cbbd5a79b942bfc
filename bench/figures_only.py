"""Only the figures() latencies (p50/p95 per level, with and without since) on the configured database.

    GRASSROOTS_VAR_DIR=/tmp/scale .venv/bin/python bench/figures_only.py --samples 500

Needs a dataset generated first (`grassroots generate`). Prints one JSON object.
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings_dev")


def main() -> None:
    import django

    django.setup()
    from grassroots.scale.bench import LEVELS, bench_figures, sample_targets

    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    targets = sample_targets(rng, max(1, args.samples // len(LEVELS)))
    print(json.dumps(bench_figures(targets, rng)))


if __name__ == "__main__":
    main()
