"""Run the sandbox on a real socket: in the caller's event loop, or in a thread for sync tests."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import web

from ippanel_mock.access_log import MaskingAccessLogger
from ippanel_mock.config import SandboxConfig
from ippanel_mock.connections import ConnectionGuard, GuardedAppRunner
from ippanel_mock.http.app import BACKEND, create_app
from ippanel_mock.models.backend import SandboxBackend

T = TypeVar("T")
SHUTDOWN_TIMEOUT = 5.0
"""Seconds in-flight requests get to finish on stop (hung chaos requests are released first)."""


class SandboxServer:
    """`async with SandboxServer(config) as sb:` serves the sandbox at `sb.url`.

    Port 0 (the default) binds a free port; `sb.port` tells which.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        backend: SandboxBackend | None = None,
    ) -> None:
        self.config = config or (backend.config if backend is not None else SandboxConfig())
        self.host = host
        self.requested_port = port
        self.app: web.Application = create_app(self.config, backend=backend)
        self.backend: SandboxBackend = self.app[BACKEND]
        self._runner: GuardedAppRunner | None = None
        self.port: int = 0

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. http://127.0.0.1:54321."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("the sandbox is already running")
        access_log = logging.getLogger("aiohttp.access") if self.config.access_log else None
        guard = ConnectionGuard(
            header_timeout=self.config.header_timeout,
            max_connections=self.config.max_connections,
        )
        runner = GuardedAppRunner(
            self.app,
            guard,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            access_log=access_log,
            access_log_class=MaskingAccessLogger,
            keepalive_timeout=self.config.idle_timeout,
            lingering_time=self.config.header_timeout,  # reading what a refused body still sends
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def reset(self) -> None:
        """Back to the seeded start state (same as POST /__sandbox/reset)."""
        self.backend.reset()


class ThreadedSandbox:
    """`with ThreadedSandbox(config) as sb:` the same server, its event loop in a daemon thread.

    For synchronous tests (requests-based clients). Touch `backend` only through `call()`,
    which runs a function on the sandbox's loop thread.
    """

    def __init__(
        self,
        config: SandboxConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        backend: SandboxBackend | None = None,
    ) -> None:
        self._server_args: dict[str, Any] = {
            "config": config,
            "host": host,
            "port": port,
            "backend": backend,
        }
        self._server: SandboxServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def server(self) -> SandboxServer:
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return self._server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def backend(self) -> SandboxBackend:
        return self.server.backend

    @property
    def app(self) -> web.Application:
        return self.server.app

    @property
    def config(self) -> SandboxConfig:
        return self.server.config

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        loop = asyncio.new_event_loop()
        ready: Future[SandboxServer] = Future()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                server = SandboxServer(**self._server_args)
                loop.run_until_complete(server.start())
            except BaseException as exc:
                ready.set_exception(exc)
                loop.close()
                return
            ready.set_result(server)
            loop.run_forever()
            loop.close()

        thread = threading.Thread(target=run, name="ippanel-sandbox", daemon=True)
        thread.start()
        try:
            self._server = ready.result(timeout=30)
        except BaseException:
            thread.join(timeout=5)
            raise
        self._loop, self._thread = loop, thread

    def stop(self) -> None:
        loop, thread, server = self._loop, self._thread, self._server
        if loop is None or thread is None or server is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(server.stop(), loop).result(
                timeout=SHUTDOWN_TIMEOUT + 5
            )
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            self._loop = self._thread = self._server = None

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn()` on the sandbox's loop thread and return its result."""
        loop = self._loop
        if loop is None:
            raise RuntimeError("the sandbox is not running")

        async def _run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(_run(), loop).result(timeout=30)

    def reset(self) -> None:
        """Back to the seeded start state (same as POST /__sandbox/reset)."""
        self.call(self.server.reset)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
