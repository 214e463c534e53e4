"""GET /__sandbox/events: a server-sent event stream telling the web UI what changed.

Events carry topics, not data (`{"topics": ["bulks", "messages"], "clock": {...}}`): the page
then reads what it shows through the admin API, so there is one source of truth and nothing to
keep in sync. Bursts are merged (at most one event per COALESCE_SECONDS per stream); a comment
line every HEARTBEAT_SECONDS finds clients that went away. Guarded by --admin-token like every
admin route (browsers read it with fetch(), which can send the header, not with EventSource).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from ippanel_mock.http.admin_state import clock_body
from ippanel_mock.http.base import BACKEND
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.ui.feed import TOPICS, ChangeFeed

EVENTS_PATH = "/__sandbox/events"
FEED = web.AppKey("ui_change_feed", ChangeFeed)
COALESCE_SECONDS = 0.1
HEARTBEAT_SECONDS = 15.0

routes = Operations("admin")


def sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@routes.get(
    EVENTS_PATH,
    "Server-sent events for the web UI: `change` names the topics that changed (messages, "
    "bulks, journal, clock, inbox) with the clock; read the data itself through the admin API",
    response="ui_events",
)
async def event_stream(call: Call) -> web.StreamResponse:
    request = call.request
    feed = request.app[FEED]
    clock = call.backend.clock
    response = web.StreamResponse(headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
    response.content_type = "text/event-stream"
    response.charset = "utf-8"
    await response.prepare(request)
    stream = feed.open()
    try:
        hello = {"topics": list(TOPICS), "clock": clock_body(clock.now(), clock.offset)}
        await response.write(sse("hello", hello))
        while not feed.closed:
            try:
                await asyncio.wait_for(stream.wake.wait(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if feed.closed or request.transport is None or request.transport.is_closing():
                break
            await asyncio.sleep(COALESCE_SECONDS)
            body = {"topics": stream.take(), "clock": clock_body(clock.now(), clock.offset)}
            await response.write(sse("change", body))
    except ConnectionError:
        pass  # the page went away
    finally:
        feed.release(stream)
    return response


async def _close_streams(app: web.Application) -> None:
    app[FEED].shutdown()


def setup_events(app: web.Application) -> None:
    """The change feed of the app's backend (ended when the app shuts down) and its stream."""
    app[FEED] = ChangeFeed(app[BACKEND])
    app.on_shutdown.append(_close_streams)
    routes.register(app)
