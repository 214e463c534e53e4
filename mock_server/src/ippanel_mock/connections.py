"""Connection limits of the sandbox's server: a header timeout, an idle timeout, a cap.

aiohttp closes a connection that sends nothing within its keep-alive timeout (our idle timeout)
but waits as long for a client that trickles a request head a byte at a time, and accepts
connections until the process runs out of file descriptors. So each connection here also has a
deadline for its request head, counted from the head's first byte, and past `max_connections`
the oldest connection still waiting for a request is closed to make room (or the new one, if
every connection is busy serving): trickling and silent clients cannot take the sandbox off the
air, and /healthz keeps answering.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler


class ConnectionGuard:
    """The sandbox's open connections, oldest first, and the limits they live by."""

    def __init__(self, *, header_timeout: float, max_connections: int) -> None:
        self.header_timeout = header_timeout
        self.max_connections = max_connections
        self.live: dict[GuardedRequestHandler, None] = {}
        self.refused = 0
        """Connections closed to stay under the cap (the oldest waiting ones, or new ones)."""

    def opened(self, handler: GuardedRequestHandler) -> None:
        if len(self.live) >= self.max_connections:
            victim = next((h for h in self.live if h.waiting_for_request), None)
            self.refused += 1
            if victim is None:
                handler.force_close()
                return
            del self.live[victim]
            victim.force_close()
        self.live[handler] = None

    def closed(self, handler: GuardedRequestHandler) -> None:
        self.live.pop(handler, None)


class GuardedRequestHandler(RequestHandler):
    """aiohttp's protocol with a deadline on each request head (relies on aiohttp's internals:
    tests/reliability/test_slowloris_sandbox.py proves the behaviour on every upgrade)."""

    def __init__(self, manager: web.Server, *, guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._guard = guard
        self._head_deadline: asyncio.TimerHandle | None = None

    @property
    def waiting_for_request(self) -> bool:
        return not self._request_in_progress and not self._messages

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._guard.opened(self)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._cancel_head_deadline()
        self._guard.closed(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._messages or self._request_in_progress:  # a whole head arrived (the usual)
            if self._head_deadline is not None:
                self._cancel_head_deadline()
        elif data and self._head_deadline is None:
            self._head_deadline = self._loop.call_later(
                self._guard.header_timeout, self._head_too_slow
            )

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.waiting_for_request:
            self.force_close()

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None


class GuardedAppRunner(web.AppRunner):
    """An AppRunner whose sites create GuardedRequestHandlers with the same handler settings
    (access log, keep-alive timeout) aiohttp's own handlers would get."""

    def __init__(
        self,
        app: web.Application,
        guard: ConnectionGuard,
        *,
        shutdown_timeout: float,
        **handler_settings: Any,
    ) -> None:
        super().__init__(
            app, handle_signals=False, shutdown_timeout=shutdown_timeout, **handler_settings
        )
        self.guard = guard
        self._handler_settings = handler_settings

    @property
    def server(self) -> Any:  # what TCPSite hands to loop.create_server as protocol factory
        server = super().server
        if server is None:
            return None
        loop = asyncio.get_running_loop()
        guard, settings = self.guard, self._handler_settings

        def protocol() -> GuardedRequestHandler:
            return GuardedRequestHandler(server, guard=guard, loop=loop, **settings)

        return protocol
