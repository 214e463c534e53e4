"""create_app(): the sandbox as an aiohttp application, with its middleware stack."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import partial

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http import (
    account,
    auth,
    banks,
    contacts,
    drafts,
    lines,
    patterns,
    phonebooks,
    report,
    send,
    send_url,
)
from ippanel_mock.http.admin import setup_admin
from ippanel_mock.http.base import BACKEND, Handler, Refusal
from ippanel_mock.http.chaos import chaos_middleware, setup_chaos
from ippanel_mock.http.envelope import (
    MSG_METHOD_NOT_ALLOWED,
    MSG_ROUTE_NOT_FOUND,
    MSG_SERVER_ERROR,
    MSG_TOO_LARGE,
    error,
)
from ippanel_mock.http.openapi import setup_openapi
from ippanel_mock.http.ratelimit import ratelimit_middleware, setup_ratelimit
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.journal import key_hint
from ippanel_mock.models.wording import valid_unicode
from ippanel_mock.ui import setup_ui

log = logging.getLogger("ippanel_mock")

UNJOURNALED_PREFIX = "/__sandbox"


def _http_exception_envelope(exc: web.HTTPException) -> web.Response:
    status = exc.status
    if status == 404:
        return error(404, "404-1", MSG_ROUTE_NOT_FOUND)
    if status == 405:
        allow = exc.headers.get("Allow")
        return error(
            405, "405-1", MSG_METHOD_NOT_ALLOWED, headers={"Allow": allow} if allow else None
        )
    if status == 413:
        return error(413, "413-1", MSG_TOO_LARGE)
    return error(status, f"{status}-1", exc.reason or "")


@web.middleware
async def envelope_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The only middleware: every failure becomes an envelope (500-1, no traceback) and is
    journaled; chaos and the rate limit run inside it only while switched on (one layer per
    request, not three)."""
    started = time.perf_counter()
    backend = request.app[BACKEND]
    response: web.StreamResponse
    try:
        if backend.chaos.rules or backend.rate_limiter.enabled:
            guarded = partial(ratelimit_middleware, handler=handler)
            response = await chaos_middleware(request, guarded)
        else:
            response = await handler(request)
    except Refusal as exc:
        response = exc.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        response = _http_exception_envelope(exc)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        response = error(500, "500-1", MSG_SERVER_ERROR)
    if not request.path.startswith(UNJOURNALED_PREFIX):
        backend.journal.record_request(
            request.method,
            valid_unicode(request.path),
            valid_unicode(request.query_string),
            response.status,
            key_hint(request.headers.get("Authorization")),
            backend.clock.now(),
            (time.perf_counter() - started) * 1000.0,
        )
    return response


def create_app(
    config: SandboxConfig | None = None, *, backend: SandboxBackend | None = None
) -> web.Application:
    """The sandbox app; pass a backend to share state with the caller (tests, server)."""
    if backend is None:
        backend = SandboxBackend(config or SandboxConfig())
    app = web.Application(
        middlewares=[envelope_middleware],
        client_max_size=backend.config.max_body_bytes,
    )
    app[BACKEND] = backend
    setup_chaos(app)
    setup_ratelimit(app)
    public = (
        auth,
        send,
        send_url,
        banks,
        report,
        account,
        lines,
        drafts,
        patterns,
        contacts,
        phonebooks,
    )
    for table in (module.routes for module in public):
        table.register(app)
    setup_admin(app)
    setup_ui(app)
    setup_openapi(app)
    return app


__all__ = ["BACKEND", "create_app"]
