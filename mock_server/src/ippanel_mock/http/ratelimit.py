"""Token-bucket rate limit per API key (stub: filled in by the tooling work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_ratelimit(app: web.Application) -> None:
    """Attach the rate limiter to the app."""


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await handler(request)
