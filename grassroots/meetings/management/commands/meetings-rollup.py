"""`grassroots meetings-rollup`: recompute the meeting book's monthly rollup from the meetings
(after a bulk write — the generator and the demo call it — or after `settings.MEETING_RULES`
changed the rule of past dates). The write services keep it exact otherwise (docs/meetings.md)."""

import time

from grassroots.core.cli import GrassrootsCommand, dumps
from grassroots.meetings import rollup


class Command(GrassrootsCommand):
    help = "Tính lại bảng tổng hợp sinh hoạt theo chi bộ × tháng từ các buổi sinh hoạt."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="in JSON")

    def handle(self, *args, **options):
        started = time.perf_counter()
        rows = rollup.rebuild()
        result = {"meeting_months": rows, "seconds": round(time.perf_counter() - started, 1)}
        if options["json"]:
            self.stdout.write(dumps(result))
        else:
            self.stdout.write(f"Đã tính lại {rows} dòng tổng hợp (chi bộ × tháng).")
