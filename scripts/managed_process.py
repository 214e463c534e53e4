"""Long-running processes for end-to-end runs: each in its own process group, always stopped.

A ``ManagedProcess`` starts a command with its output in a log file, in a new session (so a
signal reaches the command and every child it forked), and can be signalled, killed, restarted
and stopped. If the Python process that started it dies without stopping it (``kill -9`` of
pytest), a small reaper process, which holds the other end of a pipe, sees the pipe close and
SIGKILLs every process group still registered and removes the folders registered with it.
No pytest import here.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    probe: Callable[[], T | None],
    *,
    timeout: float,
    interval: float = 0.25,
    what: str,
    details: Callable[[], str] | None = None,
    retry_on: tuple[type[Exception], ...] = (OSError,),
) -> T:
    """Poll ``probe`` until it returns something truthy; raise ``TimeoutError`` naming ``what``.

    ``retry_on`` errors (by default ``OSError``: a server still starting refuses connections)
    count as "not yet"; any other exception ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = probe()
        except retry_on as exc:
            last_error, result = exc, None
        if result:
            return result
        if time.monotonic() >= deadline:
            extra = f" (last error: {last_error!r})" if last_error else ""
            more = f"\n{details()}" if details else ""
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}{extra}{more}")
        time.sleep(interval)


_REAPER_CODE = """
import os, shutil, signal, sys
groups, folders = set(), set()
for line in sys.stdin:
    verb, _, arg = line.rstrip("\\n").partition(" ")
    target = groups if verb.endswith("group") else folders
    value = int(arg) if verb.endswith("group") else arg
    (target.add if verb.startswith("+") else target.discard)(value)
for group in groups:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
for folder in folders:
    shutil.rmtree(folder, ignore_errors=True)
"""


class _Reaper:
    """Cleans up after a starter that died: see the module's docstring."""

    _process: subprocess.Popen[str] | None = None
    _pipe: IO[str] | None = None
    _owner = 0

    @classmethod
    def tell(cls, verb: str, arg: object) -> None:
        if cls._pipe is None or cls._owner != os.getpid():
            reaper = subprocess.Popen(
                [sys.executable, "-c", _REAPER_CODE],
                stdin=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            cls._process, cls._pipe, cls._owner = reaper, reaper.stdin, os.getpid()
        assert cls._pipe is not None
        cls._pipe.write(f"{verb} {arg}\n")
        cls._pipe.flush()


def remove_on_crash(folder: Path) -> None:
    """Have the reaper delete ``folder`` if this process dies before ``forget_folder``."""
    _Reaper.tell("+folder", folder)


def forget_folder(folder: Path) -> None:
    _Reaper.tell("-folder", folder)


class ManagedProcess:
    """One command, its own process group, its output appended to ``log_path``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        log_path: Path,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.log_path = log_path
        self.cwd = cwd
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> ManagedProcess:
        if self.running():
            raise RuntimeError(f"{self.name} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start #{self.starts}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=self.user,
            )
        _Reaper.tell("+group", self.process.pid)
        return self

    def signal_group(self, sig: int) -> None:
        """Send ``sig`` to the whole process group (the command and everything it forked)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 15) -> int | None:
        """Signal the group and wait for the command to exit; returns its exit status."""
        if self.process is None:
            return None
        self.signal_group(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            return self.process.wait(timeout=15)
        finally:
            if sig != signal.SIGKILL:
                self.signal_group(signal.SIGKILL)  # stragglers the leader left behind

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, then SIGKILL after ``grace`` seconds; idempotent."""
        if self.process is not None and self.process.poll() is None:
            self.kill(signal.SIGTERM, timeout=grace)
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            _Reaper.tell("-group", self.process.pid)

    def restart(self) -> ManagedProcess:
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return f"[{self.name}: no log yet]"
        return f"[{self.name} log, last {lines} lines]\n" + "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def user_ids(user: str) -> tuple[int, int]:
    entry = pwd.getpwnam(user)
    return entry.pw_uid, entry.pw_gid


def stop_all(processes: Sequence[ManagedProcess], grace: float = 10) -> None:
    """SIGTERM every process at once, SIGKILL what still runs after ``grace`` seconds, and stop
    each even if another one fails to stop."""
    for process in processes:
        if process.running():
            process.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    errors: list[BaseException] = []
    for process in reversed(processes):
        try:
            if process.process is not None and process.running():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            process.stop(grace=0)
        except BaseException as exc:  # keep stopping the others
            errors.append(exc)
    if errors:
        raise errors[0]
