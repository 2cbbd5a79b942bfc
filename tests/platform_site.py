"""A separate, real installation for the platform tests: its own database (a SQLite file, or a
PostgreSQL database next to the test database), migrated with `grassroots migrate`, served by
`grassroots serve` (gunicorn + WhiteNoise) and worked by `grassroots worker` in child processes —
what `python3 dev.py start` runs. pytest's own test database cannot be used: on SQLite it lives in
memory, which another process cannot open."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "platform-test-secret-key-not-for-production-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Site:
    def __init__(
        self, var: Path, name: str, *, database_url: str = "", env: dict | None = None
    ) -> None:
        self.var = var
        self.procs: list[subprocess.Popen] = []
        self.pg_url = ""
        base = database_url or os.environ.get("DATABASE_URL", "")
        if base.startswith("postgres"):
            # Each xdist worker gets its own site database: two workers building the same
            # `_browser` database at once drop it under each other.
            worker = os.environ.get("PYTEST_XDIST_WORKER", "")
            suffix = f"{name}_{worker}" if worker else name
            self.pg_url = base if database_url else f"{base}_{suffix}"
            self._pg("DROP DATABASE IF EXISTS {db} WITH (FORCE)", "CREATE DATABASE {db}")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "PYTHONPATH": str(ROOT),
            "GRASSROOTS_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "grassroots.settings",
            "SECRET_KEY": SECRET,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WORKER_STALE_SECONDS": "30",
            **(env or {}),
        }
        if self.pg_url:
            self.env["DATABASE_URL"] = self.pg_url
        else:
            self.env.pop("DATABASE_URL", None)
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("collectstatic", "--no-input", "-v", "0")  # pages name the hashed files

    def _pg(self, *statements: str) -> None:
        import psycopg

        admin, db = self.pg_url.rsplit("/", 1)
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement.format(db=db))

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-c", "from grassroots.manage import main; main()", *args]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            self.command(*args), env=self.env, cwd=ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def python(self, code: str):
        """Run `code` in the site (Django set up); it must print one JSON value, returned here."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start(self, *args: str, log: str) -> subprocess.Popen:
        out = (self.var / log).open("w")
        proc = subprocess.Popen(
            self.command(*args), env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
        self.procs.append(proc)
        return proc

    def start_worker(self) -> subprocess.Popen:
        return self.start("worker", "--interval", "0.2", log="worker.log")

    def start_server(self) -> str:
        port = free_port()
        self.start("serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", log="server.log")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return url
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError((self.var / "server.log").read_text()[-3000:])
            time.sleep(0.3)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.pg_url:
            self._pg("DROP DATABASE IF EXISTS {db} WITH (FORCE)")
