"""CPU seconds used by PostgreSQL's server processes, for the benches that report the server's
share beside their own CPU (the database runs on this machine: read from /proc)."""

from __future__ import annotations

import os
from pathlib import Path


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a process on this machine; None when it cannot be read (gone, or the
    server is on another machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def backend_cpu() -> float | None:
    """CPU of the default connection's backend so far; None on SQLite or when unreadable.
    The Python process's CPU leaves the server's work out; this adds it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return proc_cpu(pid)
