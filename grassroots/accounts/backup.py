"""Helpers shared by `grassroots backup` and `grassroots restore`."""

from __future__ import annotations

import os
import shutil
import subprocess

from django.core.management.base import CommandError


def detect(path: str) -> str:
    """'sqlite', 'pg_dump' or 'json', from the file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise CommandError(f"Không đọc được {path}: {exc}") from exc
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PGDMP"):
        return "pg_dump"
    if head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    raise CommandError(f"{path} không phải là bản sao lưu của Grassroots.")


def pg_tool(name: str) -> str | None:
    return shutil.which(name)


def run_pg(tool: str, settings_dict: dict, args: list[str]) -> None:
    """Run pg_dump / pg_restore against the Django database, the password in the environment."""
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    command = [pg_tool(tool) or tool]
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    command += ["--no-password", f"--dbname={settings_dict['NAME']}", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(f"{tool} thất bại: {result.stderr.strip()[-2000:]}")
