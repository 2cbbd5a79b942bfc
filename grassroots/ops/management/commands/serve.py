"""`grassroots serve`: the production application server (gunicorn) with WhiteNoise's static files.

Defaults fit the 2-core machine the project is measured on: cores + 1 processes of 4 threads each
(gthread), so a slow export does not hold up every clerk, without so many writers that SQLite's
single write lock turns into timeouts.
"""

import os

from django.core.management import call_command
from django.db import connections

from grassroots.core.cli import GrassrootsCommand

# Seconds an idle keep-alive connection stays open. gunicorn's default (2 s) closes it just when
# a person's browser, or a client pausing 1-3 s between calls, sends its next request on it: that
# request then meets a reset connection (the 26 resets of the first load test, docs/performance.md
# "Concurrent load"). Longer than the idle gaps of people and of a proxy's upstream pool (nginx
# keeps upstream connections 60 s), so the server is not the side that closes first; gthread
# keeps idle connections in its poller, not in a thread, so they cost a file descriptor each.
KEEPALIVE = 75


def default_workers() -> int:
    return (os.cpu_count() or 1) + 1


def freeze_startup_objects(worker) -> None:
    """gunicorn's post_worker_init: once a process has loaded Django, import the URLconf (every
    view module) and move the objects alive then out of the garbage collector's sight
    (`gc.freeze()`). They live as long as the process, but each full collection walked them
    all: ≈ 217,000 objects, ≈ 100 ms of CPU once every ≈ 100 requests, with the process's four
    threads stopped meanwhile (docs/performance.md "Session 9"). Objects made later (requests,
    templates compiled on first use) are collected as before."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views once, before the freeze
    gc.collect()
    gc.freeze()


class Command(GrassrootsCommand):
    help = "Chạy máy chủ ứng dụng (gunicorn + WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000", help="địa chỉ:cổng")
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=120, help="giây cho một yêu cầu")
        parser.add_argument(
            "--keepalive",
            type=int,
            default=KEEPALIVE,
            help="giây giữ kết nối rảnh (keep-alive) trước khi đóng",
        )
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="bỏ qua bước gom tệp tĩnh"
        )

    def handle(
        self, *args, bind, workers, threads, timeout, keepalive, no_collectstatic, **options
    ):
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
                    "keepalive": keepalive,
                    "graceful_timeout": 30,
                    "proc_name": "grassroots",
                    # Each request is logged by grassroots.ops.middleware (JSON, with timings).
                    "accesslog": None,
                    "errorlog": "-",
                    "control_socket_disable": True,  # several instances may share a host
                    "post_worker_init": freeze_startup_objects,
                }.items():
                    self.cfg.set(key, value)

            def load(self):
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        Application().run()
