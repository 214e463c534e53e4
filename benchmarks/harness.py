"""Shared pieces of the benchmarks: result tables, the machine, server subprocesses, RSS."""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
SANDBOX_API_KEY = "sandbox-api-key"
SANDBOX_SENDER = "+983000505"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Row:
    """One reported figure; `passed` is None for figures given without a target."""

    figure: str
    value: str
    target: str = ""
    passed: bool | None = None


@dataclass(slots=True)
class Section:
    """One benchmark's table plus free-form notes shown under it."""

    title: str
    method: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, figure: str, value: str, target: str = "", passed: bool | None = None) -> None:
        self.rows.append(Row(figure, value, target, passed))

    @property
    def missed(self) -> bool:
        return any(r.passed is False for r in self.rows)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine_description() -> list[tuple[str, str]]:
    """CPU model, cores, memory, OS, Python and aiohttp version, for the report header."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        if match:
            memory = f"{int(match.group(1)) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return [
        ("CPU", cpu),
        ("Cores", str(os.cpu_count())),
        ("Memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("aiohttp", metadata.version("aiohttp")),
        ("requests", metadata.version("requests")),
        ("apache-airflow", _version_or_none("apache-airflow")),
        ("wrk", _wrk_version()),
        ("Load average at the end (1/5/15 min)", " / ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def _version_or_none(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _wrk_version() -> str:
    try:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return "not installed"
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "unknown"


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * PAGE_SIZE


def mib(n: float) -> str:
    return f"{n / 1024**2:.1f} MiB"


@dataclass(slots=True)
class ServerProcess:
    """A server started as its own process; `url` is what it printed once listening."""

    process: subprocess.Popen[str]
    url: str

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss(self) -> int:
        return rss_bytes(self.pid)


@contextmanager
def server_process(
    argv: Sequence[str], url_prefix: str, timeout: float = 60.0
) -> Iterator[ServerProcess]:
    """Start `argv`, wait for the line `<url_prefix><url>`, stop it (SIGTERM, then kill) on exit."""
    process = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        url = _await_url(process, url_prefix, timeout)
        yield ServerProcess(process, url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _await_url(process: subprocess.Popen[str], prefix: str, timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"server exited before printing {prefix!r} (rc={process.poll()})")
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    raise RuntimeError(f"server did not print {prefix!r} within {timeout:.0f} s")


def pinned(core: int | None) -> list[str]:
    """`taskset -c CORE` to run a command on one core (nothing when not pinning or unavailable)."""
    if core is None or shutil.which("taskset") is None or (os.cpu_count() or 1) < 2:
        return []
    return ["taskset", "-c", str(core)]


@contextmanager
def sandbox_process(*extra: str, core: int | None = None) -> Iterator[ServerProcess]:
    """The sandbox through its CLI (`python -m ippanel_mock --port 0`), access log off."""
    argv = [*pinned(core), sys.executable, "-m", "ippanel_mock", "--port", "0", *extra]
    with server_process(argv, "IPPANEL_BASE_URL=") as server:
        yield server


@contextmanager
def bare_process(*extra: str, core: int | None = None) -> Iterator[ServerProcess]:
    """The reference: a bare aiohttp JSON handler in its own process."""
    argv = [*pinned(core), sys.executable, str(BENCH_DIR / "bare_server.py"), "--port", "0", *extra]
    with server_process(argv, "BARE_URL=") as server:
        yield server


def national_numbers(count: int, start: int = 9_120_000_000) -> list[str]:
    """`count` distinct valid Iranian mobile numbers (+98912...), none ending in a magic 000N."""
    numbers: list[str] = []
    n = start
    while len(numbers) < count:
        if n % 10_000 > 4:
            numbers.append(f"+98{n}")
        n += 1
    return numbers
