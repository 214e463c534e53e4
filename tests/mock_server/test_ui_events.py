"""The web UI's server side: the event stream, its hooks on the models, the static page."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxServer
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import BACKEND, create_app
from ippanel_mock.models.backend import SandboxBackend
from sandbox_support import AUTH

TOKEN = "ui-admin-token"
SEND = {
    "sending_type": "webservice",
    "from_number": "+983000505",
    "message": "سلام، این پیام نباید در HTML باشد",
    "params": {"recipients": ["09121234567"]},
}


async def send(client: TestClient | aiohttp.ClientSession, base: str = "") -> int:
    resp = await client.post(f"{base}/api/send", json=SEND, headers=AUTH)
    assert resp.status == 200, await resp.text()
    return int((await resp.json())["data"]["message_outbox_ids"][0])


async def next_event(resp: aiohttp.ClientResponse, timeout: float = 5.0) -> tuple[str, Any]:
    """The next event of the stream (keep-alive comments skipped)."""
    while True:
        block = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), timeout)
        lines = block.decode().strip().splitlines()
        fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":"))
        if "data" in fields:
            return fields["event"], json.loads(fields["data"])


async def change_with(resp: aiohttp.ClientResponse, topic: str, timeout: float = 5.0) -> Any:
    while True:
        name, data = await next_event(resp, timeout)
        if name == "change" and topic in data["topics"]:
            return data


def listener_counts(backend: SandboxBackend) -> tuple[int, ...]:
    b = backend
    watched = (b.messages, b.journal, b.outbox, b.clock, b.inbox, b.autoreplies)
    return tuple(len(m.listeners) for m in watched)


UNWATCHED, WATCHED = (0,) * 6, (1,) * 6


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(SandboxConfig(delivery_delay=0.4)))


async def test_models_are_watched_only_while_a_stream_is_open(client: TestClient) -> None:
    backend = client.app[BACKEND]
    assert listener_counts(backend) == UNWATCHED
    await send(client)  # no page open: nothing is hooked, nothing is queued
    stream = await client.get("/__sandbox/events")
    assert stream.status == 200
    assert stream.content_type == "text/event-stream"
    assert (await next_event(stream))[0] == "hello"
    assert listener_counts(backend) == WATCHED

    stream.close()
    await send(client)  # the next change finds the stream gone
    for _ in range(100):
        if listener_counts(backend) == UNWATCHED:
            break
        await asyncio.sleep(0.02)
    assert listener_counts(backend) == UNWATCHED


async def test_a_send_is_announced_with_its_topics_and_the_clock(client: TestClient) -> None:
    stream = await client.get("/__sandbox/events")
    name, hello = await next_event(stream)
    assert name == "hello"
    assert set(hello["topics"]) == {"messages", "bulks", "journal", "clock", "inbox"}
    assert hello["clock"]["offset"] == 0

    await send(client)
    name, change = await next_event(stream)
    assert name == "change"
    assert {"messages", "bulks", "journal"} <= set(change["topics"])
    assert "clock" not in change["topics"]


async def status_of(client: TestClient, bulk_id: int) -> int | None:
    resp = await client.get(f"/__sandbox/bulks/{bulk_id}/recipients")
    status: int | None = (await resp.json())["items"][0]["message_status"]
    return status


@pytest.fixture
async def slow_client(aiohttp_client: Any) -> TestClient:
    """A 1 s delivery delay: transitions 0.5 s apart, far more than the 0.1 s coalescing."""
    return await aiohttp_client(create_app(SandboxConfig(delivery_delay=1.0)))


async def test_statuses_are_pushed_at_their_transition_times(slow_client: TestClient) -> None:
    """Nothing but time passes after the send, and the stream still says when to look."""
    stream = await slow_client.get("/__sandbox/events")
    await next_event(stream)
    bulk_id = await send(slow_client)
    await change_with(stream, "journal")  # the send itself
    assert await status_of(slow_client, bulk_id) == 0
    pushed = [await change_with(stream, "messages", timeout=3) for _ in range(2)]
    assert [set(change["topics"]) for change in pushed] == [{"bulks", "messages"}] * 2
    assert await status_of(slow_client, bulk_id) == 2
    with pytest.raises(TimeoutError):  # final: no more wake-ups
        await next_event(stream, timeout=0.8)


async def test_clock_moves_are_announced_and_retime_the_transitions(
    slow_client: TestClient,
) -> None:
    client = slow_client
    backend = client.app[BACKEND]
    stream = await client.get("/__sandbox/events")
    await next_event(stream)
    bulk_id = await send(client)
    sent_at = backend.outbox.get_any(bulk_id).created_at  # type: ignore[union-attr]

    moved = await client.post("/__sandbox/clock/advance", json={"seconds": 60})
    assert moved.status == 200
    change = await change_with(stream, "clock")
    assert change["clock"]["offset"] >= 60
    assert {"bulks", "messages"} <= set(change["topics"])
    assert await status_of(client, bulk_id) == 2

    # Back to before the send: the bulk is queued again and goes through its phases anew.
    back = await client.post("/__sandbox/clock/set", json={"time": sent_at - 0.3})
    assert back.status == 200
    await change_with(stream, "clock")
    assert await status_of(client, bulk_id) is None
    pushed = 0
    while await status_of(client, bulk_id) != 2:
        await change_with(stream, "bulks", timeout=3)
        pushed += 1
    assert pushed >= 2  # start, half and full delay: some may share an event, never all


async def test_received_messages_are_announced_when_they_arrive(slow_client: TestClient) -> None:
    """An injection now, an auto-reply due later: each is announced when it becomes visible,
    without a clock move, and rule changes are announced too."""
    client = slow_client
    stream = await client.get("/__sandbox/events")
    await next_event(stream)
    rule = {"number": "09121234567", "reply": "بله", "delay": 0.6}
    assert (await client.post("/__sandbox/autoreplies", json=rule)).status == 201
    assert (await change_with(stream, "inbox"))["topics"] == ["inbox"]

    injected = {"from": "09350000003", "to": "+983000505", "text": "سلام", "user": "sandbox"}
    assert (await client.post("/__sandbox/inbox", json=injected)).status == 201
    await change_with(stream, "inbox")
    assert (await (await client.get("/__sandbox/inbox")).json())["total"] == 1

    await send(client)  # to the rule's number: its reply is due 0.6 s after the message lands
    await change_with(stream, "journal")
    inbox = await (await client.get("/__sandbox/inbox")).json()
    assert (inbox["total"], inbox["pending"]) == (1, 1)
    while (await (await client.get("/__sandbox/inbox")).json())["total"] < 2:
        await change_with(stream, "inbox", timeout=3)
    newest = (await (await client.get("/__sandbox/inbox")).json())["items"][0]
    assert (newest["from"], newest["text"]) == ("+989121234567", "بله")


async def test_a_change_made_off_the_server_thread_still_arrives(client: TestClient) -> None:
    backend = client.app[BACKEND]
    stream = await client.get("/__sandbox/events")
    await next_event(stream)
    await asyncio.to_thread(backend.clock.advance, 5)
    assert (await change_with(stream, "clock"))["clock"]["offset"] == 5


async def test_the_event_stream_needs_the_admin_token(aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(SandboxConfig(admin_token=TOKEN)))
    for headers in ({}, {"X-Sandbox-Admin-Token": "wrong"}):
        refused = await client.get("/__sandbox/events", headers=headers)
        assert refused.status == 401
        assert "error" in await refused.json()
    assert listener_counts(client.app[BACKEND]) == UNWATCHED
    allowed = await client.get("/__sandbox/events", headers={"X-Sandbox-Admin-Token": TOKEN})
    assert allowed.status == 200
    assert (await next_event(allowed))[0] == "hello"


async def test_the_page_is_a_static_shell_that_never_carries_data(aiohttp_client: Any) -> None:
    client = await aiohttp_client(create_app(SandboxConfig(admin_token=TOKEN)))
    blank = await (await client.get("/")).read()
    await send(client)
    for path in ("/", "/__sandbox/ui"):
        resp = await client.get(path)
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
        body = await resp.read()
        assert body == blank
        assert SEND["message"].encode() not in body  # type: ignore[union-attr]
        assert b"/__sandbox/ui/assets/app.js" in body


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("app.js", "text/javascript"),
        ("inbox.js", "text/javascript"),
        ("app.css", "text/css"),
        ("icon.svg", "image/svg+xml"),
    ],
)
async def test_assets_are_served_from_the_package(
    client: TestClient, name: str, media_type: str
) -> None:
    resp = await client.get(f"/__sandbox/ui/assets/{name}")
    assert resp.status == 200
    assert resp.content_type == media_type
    assert len(await resp.read()) > 100


@pytest.mark.parametrize("name", ["index.html", "nope.js", "..%2Fapp.py", "app.js.map"])
async def test_anything_else_under_assets_is_a_404(client: TestClient, name: str) -> None:
    resp = await client.get(f"/__sandbox/ui/assets/{name}")
    assert resp.status == 404
    assert await resp.json() == {"error": "no such asset"}


async def test_chaos_and_the_rate_limit_leave_the_page_alone(client: TestClient) -> None:
    rule = await client.post(
        "/__sandbox/chaos", json={"route": "*", "probability": 1, "status": 503}
    )
    assert rule.status == 201
    limit = await client.put("/__sandbox/ratelimit", json={"rate": 0.1, "burst": 1})
    assert limit.status == 200
    for _ in range(3):
        assert (await client.get("/")).status == 200
    resp = await client.post("/api/send", json=SEND, headers=AUTH)
    assert resp.status == 503


async def test_stopping_the_server_ends_open_streams_cleanly() -> None:
    server = SandboxServer(SandboxConfig())
    await server.start()
    async with aiohttp.ClientSession() as session:
        stream = await session.get(f"{server.url}/__sandbox/events")
        assert (await next_event(stream))[0] == "hello"
        stopping = asyncio.create_task(server.stop())
        rest = await asyncio.wait_for(stream.content.read(), 3)  # raises if cut off mid-stream
        assert rest == b""
        await stopping
