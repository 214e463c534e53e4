"""The admin API under /__sandbox (JSON, for QA engineers) and GET /healthz.

Errors are `{"error": "..."}` with a 4xx status; bad input changes nothing. When the config sets
`admin_token`, every /__sandbox route needs the header `X-Sandbox-Admin-Token`.
"""

from __future__ import annotations

from aiohttp import web

from ippanel_mock.http import (
    admin_bulks,
    admin_inbox,
    admin_messages,
    admin_phonebooks,
    admin_state,
    admin_threads,
)
from ippanel_mock.http.admin_common import ADMIN_PREFIX
from ippanel_mock.http.operations import ADMIN_TOKEN_HEADER, Call, Operations, json_response

tooling = Operations("admin")


@tooling.get("/healthz", "Liveness", response="health", auth=False, operation_id="healthz")
async def healthz(call: Call) -> web.Response:
    return json_response({"status": "ok"})


def setup_admin(app: web.Application) -> None:
    """Register /__sandbox/* and /healthz."""
    tooling.register(app)
    admin_messages.routes.register(app)
    admin_state.routes.register(app)
    admin_bulks.routes.register(app)
    admin_inbox.routes.register(app)
    admin_threads.routes.register(app)
    admin_phonebooks.routes.register(app)


__all__ = ["ADMIN_PREFIX", "ADMIN_TOKEN_HEADER", "setup_admin"]
