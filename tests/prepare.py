"""Makes a fresh machine ready for the suite: Debian's chromium for browser tests, a reachable PostgreSQL.

Run by `make test` before pytest. Playwright's own browser download cannot work offline, so the browser
comes from Debian's packages; PostgreSQL is started with the machine's own cluster tools if it is down.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def _run(*command: str) -> bool:
    print("prepare:", " ".join(command), flush=True)
    return subprocess.run(command, check=False).returncode == 0


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit("prepare: /usr/bin/chromium is missing; install Debian's `chromium` package (needs root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], check=True, env=env)


def _postgres_up(host: str = "127.0.0.1", port: int = 5432) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def ensure_postgres() -> None:
    if os.environ.get("PRAXIS_TEST_POSTGRES_URL") or _postgres_up():
        return
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if versions and shutil.which("pg_ctlcluster"):
        _run("pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start")
    if not _postgres_up():
        sys.exit("prepare: PostgreSQL is not reachable on 127.0.0.1:5432; set PRAXIS_TEST_POSTGRES_URL")


def main() -> None:
    ensure_chromium()
    ensure_postgres()


if __name__ == "__main__":
    main()
