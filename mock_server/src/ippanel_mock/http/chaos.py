"""Chaos on the wire: the middleware that turns a fired rule (models/chaos.py) into what the
client sees: an error status, a delay, a reset, an empty or truncated reply, or a hang."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from aiohttp import web

from ippanel_mock.http.base import BACKEND, CHAOS, Handler, api_path
from ippanel_mock.http.envelope import error
from ippanel_mock.models.chaos import WIRE_FAULTS, ChaosEngine, ChaosRule, ChaosRuleError

NO_RESPONSE_STATUS = 444
"""What the journal records when a wire fault left the client without a response (nginx's 444)."""

EXEMPT_PATHS = ("/healthz", "/openapi.json", "/")
_GARBAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
    b'{"data": {"message_outbox_ids": [\x00\xff'
)


def is_exempt(path: str) -> bool:
    """Tooling routes (and the web UI's page) are never chaos'd or rate limited."""
    return path in EXEMPT_PATHS or path == "/__sandbox" or path.startswith("/__sandbox/")


class _ShutdownSignal:
    """Set when the app shuts down so hung requests let go at once."""

    def __init__(self) -> None:
        self.event = asyncio.Event()


SHUTDOWN: web.AppKey[_ShutdownSignal] = web.AppKey("chaos_shutdown", _ShutdownSignal)


def setup_chaos(app: web.Application) -> None:
    """Expose the backend's engine as app[CHAOS]; release hung requests when the app stops."""
    app[CHAOS] = app[BACKEND].chaos
    app[SHUTDOWN] = _ShutdownSignal()

    async def _release_hung(app: web.Application) -> None:
        app[SHUTDOWN].event.set()

    app.on_shutdown.append(_release_hung)


def _drop_connection(request: web.Request, *, hard: bool) -> None:
    """Close the client's connection: with a TCP RST when `hard`, else a plain FIN."""
    transport = request.transport
    if transport is None or transport.is_closing():
        return
    if hard:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


async def _hang(request: web.Request, engine: ChaosEngine, shutdown: asyncio.Event) -> None:
    """Answer nothing until the client leaves, the app shuts down or max_hang_s passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + engine.max_hang_s
    while not shutdown.is_set():
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shutdown.wait(), min(remaining, 0.5))


STATUS_MESSAGES: dict[int, str] = {
    400: "درخواست نامعتبر است",
    401: "اطلاعات وارد شده صحیح نمی باشد",
    403: "دسترسی به این بخش مجاز نیست",
    404: "آدرس مورد نظر یافت نشد",
    408: "زمان درخواست به پایان رسید",
    409: "درخواست با وضعیت فعلی سازگار نیست",
    429: "تعداد درخواست‌ها بیش از حد مجاز است، لطفا بعدا تلاش کنید",
    500: "خطای داخلی سرور",
    502: "خطا در ارتباط با سرویس دهنده",
    503: "سرویس موقتا در دسترس نیست، لطفا بعدا تلاش کنید",
    504: "زمان پاسخ سرویس دهنده به پایان رسید",
}
DEFAULT_STATUS_MESSAGE = "خطایی رخ داده است، لطفا بعدا تلاش کنید"


def status_response(status: int) -> web.Response:
    """The IPPanel error envelope for an HTTP status: message_code "<status>-1", Persian text."""
    headers = {"Retry-After": "1"} if status in (429, 503) else None
    message = STATUS_MESSAGES.get(status, DEFAULT_STATUS_MESSAGE)
    return error(status, f"{status}-1", message, headers=headers)


async def _read_body_first(request: web.Request) -> None:
    """A slow server has the request already: buffer the body before the delay, so a client that
    times out meanwhile still gets its send processed (aiohttp drops an unread body on
    disconnect). Bodies of unknown or oversized length are left to the handler's checks."""
    length = request.content_length
    config = request.app[BACKEND].config
    if length is not None and 0 < length <= config.max_body_bytes:
        with contextlib.suppress(ConnectionResetError, web.HTTPException, TimeoutError):
            async with asyncio.timeout(config.header_timeout):
                await request.read()


@web.middleware
async def chaos_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    engine = request.app[BACKEND].chaos
    path = api_path(request.path)
    if not engine.rules or is_exempt(path):
        return await handler(request)
    rule = engine.decide(request.method, path)
    if rule is None:
        return await handler(request)
    delay = engine.delay_seconds(rule)
    if delay:
        await _read_body_first(request)
        await asyncio.sleep(delay)
    if rule.status is not None:
        return status_response(rule.status)
    if rule.fault is None:
        return await handler(request)
    if rule.fault == "reset_after":
        response = await handler(request)
        _drop_connection(request, hard=True)
        return response
    if rule.fault == "reset_before":
        _drop_connection(request, hard=True)
    elif rule.fault == "empty_reply":
        _drop_connection(request, hard=False)
    elif rule.fault == "garbage":
        if request.transport is not None:
            request.transport.write(_GARBAGE)
        _drop_connection(request, hard=False)
    elif rule.fault == "hang":
        await _hang(request, engine, request.app[SHUTDOWN].event)
        _drop_connection(request, hard=True)
    return web.Response(status=NO_RESPONSE_STATUS)


__all__ = [
    "CHAOS",
    "WIRE_FAULTS",
    "ChaosEngine",
    "ChaosRule",
    "ChaosRuleError",
    "chaos_middleware",
    "is_exempt",
    "setup_chaos",
    "status_response",
]
