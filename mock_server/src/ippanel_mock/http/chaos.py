"""Seeded fault injection per route (stub: filled in by the tooling work)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setup_chaos(app: web.Application) -> None:
    """Attach the chaos engine to the app."""


@web.middleware
async def chaos_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    return await handler(request)
