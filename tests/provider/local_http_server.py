"""Helpers of the gap tests: tiny real HTTP(S) servers in a background thread.

The sandbox never answers HTTP 200 with ``meta.status`` false, does not journal headers and has
no proxy; these servers do exactly one such thing each, over a real socket, so both transports
are exercised end to end. ``RawHttpServer`` answers with raw bytes: a hostile server.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BackgroundLoop:
    """An event loop in a daemon thread; ``_start`` and ``_stop`` run on it, entering and
    leaving the ``with`` block."""

    def __init__(self) -> None:
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _start(self) -> None:
        raise NotImplementedError

    async def _stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class ThreadedApp(BackgroundLoop):
    """Serve an aiohttp app on 127.0.0.1 from its own thread and event loop."""

    def __init__(self, app: web.Application, *, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__()
        self.app = app
        self.ssl_context = ssl_context
        self._runner = web.AppRunner(app)

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def _start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        await self._runner.cleanup()


def catch_all(handler: Handler) -> web.Application:
    """An app that answers every method and path with ``handler``."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]
"""Writes one raw HTTP answer (or anything else) to the client's connection."""


class RawHttpServer(BackgroundLoop):
    """A real socket server that reads each request and answers with raw bytes from ``answer``.

    For the answers no well-behaved server gives: trickled bytes, garbage, huge or truncated
    bodies, broken framing. Every request is counted (``requests``), so a test can prove that a
    send reached the server exactly once. The connection is closed after each answer.
    """

    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer
        self.requests: list[tuple[str, str]] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
            }
            await reader.readexactly(int(headers.get("content-length") or 0))
            self.requests.append((method, path.split("?")[0]))
            await self.answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # the client gave up, as it should; or the server is shutting down
        finally:
            writer.close()

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in asyncio.all_tasks():
            if task is not asyncio.current_task():
                task.cancel()


def http_answer(
    body: bytes,
    *,
    status: str = "200 OK",
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A complete HTTP/1.1 answer with a correct ``Content-Length``."""
    fields = {
        "Content-Type": content_type,
        "Content-Length": str(len(body)),
        "Connection": "close",  # as RawHttpServer does after each answer
        **(headers or {}),
    }
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode("latin-1") + b"\r\n" + body


def send_all(data: bytes) -> Answer:
    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return answer


def trickle(data: bytes, *, every: float, at_most: float) -> Answer:
    """Write ``data`` one byte every ``every`` seconds, for ``at_most`` seconds in all."""

    async def answer(writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        stop = loop.time() + at_most
        for index in range(len(data)):
            if loop.time() >= stop:
                return
            writer.write(data[index : index + 1])
            await writer.drain()
            await asyncio.sleep(every)

    return answer


def endless_chunks(head: bytes, chunk: bytes, *, limit: int) -> Answer:
    """A chunked answer that keeps sending ``chunk`` until ``limit`` bytes or the client leaves;
    ``sent`` on the returned answer counts the body bytes written."""
    sent = [0]

    async def answer(writer: asyncio.StreamWriter) -> None:
        writer.write(head)
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while sent[0] < limit:
            writer.write(frame)
            await writer.drain()
            sent[0] += len(chunk)
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    answer.sent = sent  # type: ignore[attr-defined]
    return answer
