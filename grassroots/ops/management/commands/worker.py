from grassroots.core.cli import GrassrootsCommand
from grassroots.ops import worker


class Command(GrassrootsCommand):
    help = "Chạy các tác vụ nền (nhập Excel...) từ hàng đợi trong cơ sở dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="giây chờ khi hàng đợi trống"
        )
        parser.add_argument(
            "--batch", action="store_true", help="chạy hết các tác vụ đang chờ rồi dừng"
        )
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args, interval, batch, max_tasks, **options):
        worker.run(interval=interval, batch=batch, max_tasks=max_tasks)
