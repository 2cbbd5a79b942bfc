"""A throwaway PostgreSQL primary and its streaming replica (`pg_basebackup -R`), on free ports
under a temporary folder, for the read-replica test. It needs only the server binaries
(/usr/lib/postgresql/N/bin); as root, the clusters run as the `postgres` user."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from .platform_site import free_port


def server_binaries() -> Path | None:
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        names = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
        if all(os.access(Path(folder) / name, os.X_OK) for name in names):
            return Path(folder)
    return None


class Pair:
    def __init__(self) -> None:
        self.bin = server_binaries()
        # Not under pytest's folders: those are private to root, and the server runs as postgres.
        self.base = base = Path(tempfile.mkdtemp(prefix="grassroots-replica-"))
        self.as_user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            owner = pwd.getpwnam("postgres")
            os.chown(base, owner.pw_uid, owner.pw_gid)
        self.primary_port, self.replica_port = free_port(), free_port()
        self.primary, self.replica = base / "primary", base / "replica"
        self._run(
            "initdb",
            "-D",
            self.primary,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._conf(self.primary, self.primary_port, "wal_level = replica", "max_wal_senders = 4")
        self._start(self.primary)
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            self.primary_port,
            "-U",
            "postgres",
            "-D",
            self.replica,
            "-R",
            "-X",
            "stream",
        )
        self._conf(self.replica, self.replica_port, "hot_standby = on")
        self._start(self.replica)

    def url(self, port: int, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def _run(self, program: str, *args) -> None:
        command = [*self.as_user, str(self.bin / program), *map(str, args)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.base)
        assert done.returncode == 0, f"{program}: {done.stderr[-2000:]}"

    def _conf(self, data: Path, port: int, *lines: str) -> None:
        settings = [
            f"port = {port}",
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.base}'",
            "fsync = off",
            "shared_buffers = 32MB",
            *lines,
        ]
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(settings) + "\n")

    def _start(self, data: Path) -> None:
        self._run("pg_ctl", "-D", data, "-l", data.with_suffix(".log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        for data in (self.replica, self.primary):
            if (data / "postmaster.pid").exists():
                subprocess.run(
                    [
                        *self.as_user,
                        str(self.bin / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "immediate",
                        "stop",
                    ],
                    capture_output=True,
                )
        shutil.rmtree(self.base, ignore_errors=True)
