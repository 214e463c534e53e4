"""Admin API under /__sandbox (stub: filled in by the tooling work)."""

from __future__ import annotations

from aiohttp import web


def setup_admin(app: web.Application) -> None:
    """Register /__sandbox/* and /healthz."""
