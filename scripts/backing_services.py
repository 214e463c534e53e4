"""The servers an Airflow deployment leans on, run as local processes for end-to-end runs.

``PostgresServer`` (Airflow's metadata database, Debian's ``postgresql``), ``RedisServer``
(Celery's broker, Debian's ``redis-server``) and ``SandboxProcess`` (``ippanel-mock``), each a
``ManagedProcess`` on a free loopback port. ``make test`` installs the Debian packages.
PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user the package
creates, from a data folder outside pytest's private temporary tree.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from managed_process import (
    ManagedProcess,
    forget_folder,
    free_port,
    remove_on_crash,
    user_ids,
    wait_until,
)

STARTUP_TIMEOUT = 60.0


def find_binary(name: str) -> str:
    """A PostgreSQL or Redis binary from PATH or Debian's versioned PostgreSQL folders."""
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    newest = max(versions, key=lambda path: float(Path(path).parts[4]), default=None)
    found = shutil.which(name) or newest
    if not found:
        raise FileNotFoundError(
            f"{name} not found: `make test` installs it (Debian packages postgresql, redis-server)"
        )
    return found


class PostgresServer:
    """A throw-away PostgreSQL cluster: trust auth on 127.0.0.1, durability off (test data)."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.data_root = Path(tempfile.mkdtemp(prefix="ippanel-postgres-"))
        remove_on_crash(self.data_root)
        self.data_dir = self.data_root / "data"
        self.process = ManagedProcess(
            "postgres",
            [
                find_binary("postgres"),
                *("-D", str(self.data_dir), "-p", str(self.port), "-h", "127.0.0.1", "-k", ""),
                *("-c", "fsync=off", "-c", "synchronous_commit=off"),
                *("-c", "full_page_writes=off", "-c", "max_connections=300"),
            ],
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            log_path=log_dir / "postgres.log",
            user=self.user,
        )

    def url(self, database: str, driver: str = "postgresql+psycopg2") -> str:
        return f"{driver}://airflow@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresServer:
        if self.user:
            uid, gid = user_ids(self.user)
            os.chown(self.data_root, uid, gid)
        init = subprocess.run(
            [find_binary("initdb"), "-D", str(self.data_dir), "-U", "airflow", "--auth=trust"],
            capture_output=True,
            text=True,
            user=self.user,
            env={"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"},
            timeout=120,
            check=False,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
        import psycopg2

        self.process.start()
        wait_until(
            lambda: self.execute("postgres", "SELECT 1"),
            timeout=STARTUP_TIMEOUT,
            what="PostgreSQL to accept connections",
            details=self.process.log_tail,
            retry_on=(OSError, psycopg2.OperationalError),
        )
        return self

    def execute(self, database: str, statement: str) -> bool:
        """Run one statement with autocommit (``CREATE DATABASE`` needs it); True when done."""
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="airflow", dbname=database, connect_timeout=5
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()
        return True

    def create_database(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given); returns its SQLAlchemy URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a plain database name: {name!r}")
        clause = f" TEMPLATE {template}" if template else ""
        self.execute("postgres", f"CREATE DATABASE {name}{clause}")
        return self.url(name)

    def stop(self) -> None:
        try:
            if self.process.running():
                self.process.kill(signal.SIGINT, timeout=20)  # "fast" shutdown: no waiting
            self.process.stop()
        finally:
            shutil.rmtree(self.data_root, ignore_errors=True)
            forget_folder(self.data_root)


class RedisServer:
    """``redis-server`` on a free loopback port, nothing persisted."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="ippanel-redis-"))
        remove_on_crash(self.workdir)
        self.process = ManagedProcess(
            "redis",
            [
                find_binary("redis-server"),
                *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--dir", str(self.workdir)),
            ],
            env={"PATH": os.environ.get("PATH", "")},
            log_path=log_dir / "redis.log",
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process.start()
        wait_until(
            lambda: "Ready to accept connections" in self.process.log_text(),
            timeout=STARTUP_TIMEOUT,
            what="Redis to accept connections",
            details=self.process.log_tail,
        )
        return self

    def stop(self) -> None:
        try:
            self.process.stop()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)
            forget_folder(self.workdir)


class SandboxProcess:
    """``ippanel-mock`` as its own process; ``admin`` calls carry its admin token."""

    def __init__(self, log_dir: Path, *args: str, admin_token: str | None = None) -> None:
        self.admin_token = admin_token
        token_args = ("--admin-token", admin_token) if admin_token else ()
        self.process = ManagedProcess(
            "sandbox",
            [sys.executable, "-m", "ippanel_mock", "--port", "0", *token_args, *args],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            log_path=log_dir / "sandbox.log",
        )
        self.url = ""

    def start(self) -> SandboxProcess:
        self.process.start()

        def printed_url() -> str | None:
            found = re.search(r"^IPPANEL_BASE_URL=(\S+)$", self.process.log_text(), re.M)
            return found[1] if found else None

        self.url = wait_until(
            printed_url,
            timeout=STARTUP_TIMEOUT,
            what="ippanel-mock to print its URL",
            details=self.process.log_tail,
        )
        return self

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call the sandbox's admin API (``/__sandbox/...``) and return the decoded JSON."""
        headers = {"Content-Type": "application/json"}
        if self.admin_token:
            headers["X-Sandbox-Admin-Token"] = self.admin_token
        request = urllib.request.Request(
            f"{self.url}/__sandbox/{path.lstrip('/')}",
            data=None if body is None else json.dumps(body).encode(),
            headers=headers,
            method=method,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def messages(self, **query: str | int) -> list[dict[str, Any]]:
        """Every SMS the sandbox captured (all pages), oldest first."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            params = urlencode({**query, "page": page, "per_page": 500})
            batch = self.admin("GET", f"messages?{params}")
            items.extend(batch["items"])
            if len(items) >= batch["total"] or not batch["items"]:
                return sorted(items, key=lambda m: m["id"])
            page += 1

    def advance_clock(self, seconds: float) -> None:
        self.admin("POST", "clock/advance", {"seconds": seconds})

    def stop(self) -> None:
        self.process.stop()
