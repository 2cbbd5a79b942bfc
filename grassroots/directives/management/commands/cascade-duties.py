"""`grassroots cascade-duties`: recompute the tracker's placed duties (`figures.CascadeDuty`)
from the documents, requirements, study sessions, versions and closure — after a bulk write
(a benchmark's documents, a restore) or to build the table for data written before it existed.
The write services and the tree's changes keep it exact otherwise (docs/directives.md).
`--pending` only recomputes the roots left to the worker (a requirement of a national
resolution), here and now, as the worker would."""

import time

from grassroots.core.cli import GrassrootsCommand, dumps, number
from grassroots.derived import maintain


class Command(GrassrootsCommand):
    help = "Tính lại bảng nhiệm vụ thực hiện văn bản của các tổ chức (theo dõi thực hiện)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="in JSON")
        parser.add_argument(
            "--pending", action="store_true", help="chỉ tính các văn bản đang chờ tính lại"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["pending"]:
            done = maintain.cascade_pending_run()
            result = {"pending": {str(k): v for k, v in done.items()},
                      "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
            self.stdout.write(dumps(result) if options["json"] else
                              f"Đã tính lại {number(len(done))} văn bản đang chờ.")  # fmt: skip
            return
        rows = maintain.cascade_duties_rebuild()
        result = {"cascade_duties": rows, "seconds": round(time.perf_counter() - started, 1)}
        if options["json"]:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(f"Đã tính lại {number(rows)} dòng nhiệm vụ thực hiện văn bản.")
