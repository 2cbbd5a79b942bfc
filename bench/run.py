"""Benchmark against the configured database (DATABASE_URL / GRASSROOTS_VAR_DIR); prints one JSON object.

    GRASSROOTS_VAR_DIR=/tmp/scale .venv/bin/python bench/run.py --members 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gr_national .venv/bin/python bench/run.py --members 5600000

Generates the dataset into the (empty) database first, or reuses the one already there.
Same as `grassroots bench --json`; see docs/performance.md.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings_dev")


def main() -> None:
    import django

    django.setup()
    from grassroots.scale.bench import run_bench

    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--pages", type=int, default=40)
    args = parser.parse_args()
    result = run_bench(
        members=args.members,
        seed=args.seed,
        samples=args.samples,
        searches=args.searches,
        pages=args.pages,
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
