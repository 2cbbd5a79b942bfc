"""`grassroots reindex [--checkpoints] [--names]`: rebuild derived data from the facts.

Both are kept exact by every write; this recreates them in bulk. Run `--checkpoints` once a
year (January): a rebuild creates the yearly checkpoints up to next year only, so without it
the reads of later years add more daily rows (still exact, slower).
"""

import time

from django.db import transaction

from grassroots.core.cli import GrassrootsCommand
from grassroots.derived import checkpoints as figure_checkpoints
from grassroots.derived import name_index as search_index


class Command(GrassrootsCommand):
    help = "Tạo lại dữ liệu dẫn xuất: mốc năm của sổ số liệu và chỉ mục tìm theo tên."

    def add_arguments(self, parser):
        parser.add_argument("--checkpoints", action="store_true", help="mốc năm (chạy mỗi tháng 1)")
        parser.add_argument("--names", action="store_true", help="chỉ mục tìm theo tên")

    def handle(self, *args, checkpoints: bool, names: bool, **options):
        both = not (checkpoints or names)
        jobs = []
        if checkpoints or both:
            jobs.append(("mốc năm của sổ số liệu", figure_checkpoints.rebuild))
        if names or both:
            jobs.append(("chỉ mục tìm theo tên", search_index.rebuild))
        for label, job in jobs:
            started = time.perf_counter()
            with transaction.atomic():
                rows = job()
            self.stdout.write(
                f"{label}: {rows:,} dòng, {time.perf_counter() - started:.1f} giây".replace(
                    ",", "."
                )
            )
