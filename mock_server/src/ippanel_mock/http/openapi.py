"""GET /openapi.json (stub: filled in by the tooling work)."""

from __future__ import annotations

from aiohttp import web


def setup_openapi(app: web.Application) -> None:
    """Register GET /openapi.json."""
