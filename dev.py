#!/usr/bin/env python3
"""The project's two commands (see README "Quick start").

    python3 dev.py start   # venv + pinned packages, database, demo province, server + worker on :8000
    python3 dev.py test    # the whole test suite (SQLite; PostgreSQL too when CI=true or reachable)

Only the standard library is used here, so it runs on a fresh machine with Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".requirements.sha256"
PG_URL = "postgres://postgres@127.0.0.1:5432/grassroots_ci"


def say(text: str) -> None:
    print(f"[grassroots] {text}", flush=True)


def run(*args, env=None, check=True) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=check).returncode


def ensure_venv() -> None:
    if not PY.exists():
        say("creating virtual environment .venv")
        run(sys.executable, "-m", "venv", VENV)
    wanted = hashlib.sha256(
        (ROOT / "requirements.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "grassroots").exists():
        return
    say("installing pinned dependencies (PyPI)")
    run(
        PY,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
        "requirements.txt",
    )
    run(
        PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "-e", "."
    )
    STAMP.write_text(wanted)


def start(argv: list[str]) -> None:
    """Production server (gunicorn + WhiteNoise) and the task worker, together; Ctrl+C stops
    both. `--dev` swaps the server for Django's autoreloading development server."""
    dev = "--dev" in argv
    argv = [a for a in argv if a != "--dev"]
    ensure_venv()
    # Production is the settings' default; this command is development (a secret is generated
    # into var/ on first use).
    os.environ["DEBUG"] = "1"
    grassroots = BIN / "grassroots"
    run(grassroots, "migrate", "--no-input", "-v", "0")
    run(grassroots, "demo")  # cached: returns at once when the demo province is already there
    address = argv[0] if argv else "127.0.0.1:8000"
    server = [grassroots, "runserver", address] if dev else [grassroots, "serve", "--bind", address]
    if dev:  # page templates name the hashed static files of collectstatic's manifest
        run(grassroots, "collectstatic", "--no-input", "-v", "0")
    say(f"serving http://{address}/ with a background worker  (Ctrl+C stops both)")
    children = [
        subprocess.Popen([str(a) for a in server], cwd=ROOT),
        subprocess.Popen([str(grassroots), "worker"], cwd=ROOT),
    ]
    code = 0

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # Ctrl+C, or SIGTERM from a service manager: stop both

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        code = next(child.returncode for child in children if child.poll() is not None)
        say("a process stopped; stopping the other")
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
    sys.exit(code)


def pg_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def ensure_postgres() -> bool:
    if pg_reachable():
        return True
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if versions and shutil.which("pg_ctlcluster"):
        say("starting PostgreSQL")
        run(
            "pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start", check=False
        )
    return pg_reachable()


def ensure_chromium() -> None:
    """CI always runs the browser test: install Debian's chromium (never a downloaded browser)."""
    if Path("/usr/bin/chromium").exists() or not shutil.which("apt-get"):
        return
    say("installing Debian's chromium for the browser test")
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=quiet, check=False)
    run("apt-get", "install", "-y", "-qq", "chromium", env=quiet, check=False)


def test(argv: list[str]) -> None:
    ensure_venv()
    ci = os.environ.get("CI", "").lower() == "true"
    if ci:
        ensure_chromium()
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base["GRASSROOTS_VAR_DIR"] = str(ROOT / "var" / "test")
    base["DEBUG"] = "1"  # development opts in (pytest itself uses grassroots.settings_dev)
    say("lint (ruff), layers (import-linter) and missing migrations")
    failed = run(BIN / "ruff", "check", "--quiet", ".", check=False)
    # The layers of docs/architecture.md (contracts in pyproject.toml): a new cycle fails here.
    failed |= run(BIN / "lint-imports", "--no-cache", env=base, check=False)
    failed |= run(
        BIN / "grassroots",
        "makemigrations",
        "--check",
        "--dry-run",
        "-v",
        "0",
        env=base,
        check=False,
    )
    # Two processes on two cores (pytest-xdist; a file's tests stay together so module fixtures
    # are built once): the suite's wall time halves. `-n 0` on the command line turns it off.
    if not any(a == "-n" or a.startswith("-n") for a in argv) and (os.cpu_count() or 1) > 1:
        argv = ["-n", str(min(os.cpu_count() or 1, 4)), "--dist", "loadfile", *argv]
    say("test suite on SQLite")
    failed |= run(PY, "-m", "pytest", *argv, env=base, check=False)
    if ci or pg_reachable():
        if ensure_postgres():
            say("test suite on PostgreSQL")
            failed |= run(
                PY, "-m", "pytest", *argv, env={**base, "DATABASE_URL": PG_URL}, check=False
            )
        elif ci:
            say("PostgreSQL could not be started")
            failed = 1
    else:
        say(
            "PostgreSQL not reachable at 127.0.0.1:5432: skipped (set it up to run the suite there too)"
        )
    sys.exit(1 if failed else 0)


def main() -> None:
    commands = {"start": start, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
