"""`grassroots serve`: the production application server (gunicorn) with WhiteNoise's static files.

Defaults fit the 2-core machine the project is measured on: cores + 1 processes of 4 threads each
(gthread), so a slow export does not hold up every clerk, without so many writers that SQLite's
single write lock turns into timeouts.
"""

import os

from django.core.management import call_command
from django.db import connections

from grassroots.core.cli import GrassrootsCommand


def default_workers() -> int:
    return (os.cpu_count() or 1) + 1


class Command(GrassrootsCommand):
    help = "Chạy máy chủ ứng dụng (gunicorn + WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="địa chỉ:cổng")
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=120, help="giây cho một yêu cầu")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="bỏ qua bước gom tệp tĩnh"
        )

    def handle(self, *args, bind, workers, threads, timeout, no_collectstatic, **options):
        from gunicorn.app.base import BaseApplication

        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # nothing opened here may be shared with the forked processes

        class Application(BaseApplication):
            def load_config(self):
                for key, value in {
                    "bind": bind,
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread",
                    "timeout": timeout,
                    "graceful_timeout": 30,
                    "proc_name": "grassroots",
                    # Each request is logged by grassroots.ops.middleware (JSON, with timings).
                    "accesslog": None,
                    "errorlog": "-",
                    "control_socket_disable": True,  # several instances may share a host
                }.items():
                    self.cfg.set(key, value)

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        Application().run()
