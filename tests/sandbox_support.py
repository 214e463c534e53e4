"""The sandbox's default credentials and the ways a test starts a sandbox, for every test package.

In process, without a socket: `app_client` (pytest-aiohttp's test server around `create_app`).
In process, on a real socket: `SandboxServer` / `ThreadedSandbox` (the package's own API), or the
`ippanel_sandbox` fixture its pytest plugin registers. As the user runs it: `sandbox_process`
(`python -m ippanel_mock` in a subprocess).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from ippanel_mock import BACKEND, SandboxBackend, SandboxConfig, create_app

API_KEY = "sandbox-api-key"
GA_API_KEY = "sandbox-ga-api-key"
SMS_API_KEY = "sandbox-sms-api-key"
PASSWORD = "sandbox-password"
GA_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SENDER = "+983000505"
AUTH = {"Authorization": API_KEY}
"""The documented defaults (README "Default accounts"), stated once for the tests."""

Client = TestClient[web.Request, web.Application]
AiohttpClient = Callable[..., Awaitable[Client]]


async def app_client(
    aiohttp_client: AiohttpClient,
    config: SandboxConfig | None = None,
    *,
    backend: SandboxBackend | None = None,
) -> Client:
    """The sandbox app behind pytest-aiohttp's test server; `backend_of(client)` is its state."""
    return await aiohttp_client(create_app(config, backend=backend))


def backend_of(client: Client) -> SandboxBackend:
    return client.app[BACKEND]


@dataclass
class SandboxProcess:
    """`python -m ippanel_mock` running; `url` and `api_key` are what it printed."""

    process: subprocess.Popen[str]
    url: str
    api_key: str

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> tuple[int, str]:
        """Signal it, wait; its exit code and everything it wrote to stderr."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            _, stderr = self.process.communicate(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode, stderr


@contextmanager
def sandbox_process(*args: str, **popen: Any) -> Iterator[SandboxProcess]:
    """The CLI on a free port with `args`; killed on exit unless the test stopped it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ippanel_mock", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )
    assert process.stdout is not None
    printed: dict[str, str] = {}
    for _ in range(2):
        key, _, value = process.stdout.readline().strip().partition("=")
        printed[key] = value
    running = SandboxProcess(process, printed.get("IPPANEL_BASE_URL", ""), "")
    try:
        if not running.url:
            code, stderr = running.stop()
            raise AssertionError(f"the sandbox did not start (exit {code}): {stderr[-2000:]}")
        running.api_key = printed.get("IPPANEL_API_KEY", "")
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
