"""Slowloris on real sockets (issue 9, item 6): clients that trickle a request head, or say
nothing at all, are dropped after the configured timeouts; past the connection cap the oldest
connection still waiting for a request makes room; /healthz answers throughout."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import aiohttp
from ippanel_mock import SandboxConfig
from ippanel_mock.server import SandboxServer

HEALTHZ_HEAD = b"GET /healthz HTTP/1.1\r\nHost: sandbox\r\n"


async def healthz_ok(session: aiohttp.ClientSession, url: str) -> bool:
    async with session.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
        return resp.status == 200 and await resp.json() == {"status": "ok"}


async def dropped_after(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, trickle: bool
) -> float:
    """Seconds until the server closed the connection; trickles a header byte every 50 ms."""
    started = time.monotonic()
    if trickle:
        writer.write(HEALTHZ_HEAD + b"X-Slow: ")
    try:
        while True:
            if trickle:
                writer.write(b"a")
                await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1024), 0.05) == b"":
                    break
            except TimeoutError:
                continue
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
    return time.monotonic() - started


async def open_many(
    url: str, count: int
) -> list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    parts = urlsplit(url)
    return [await asyncio.open_connection(parts.hostname, parts.port) for _ in range(count)]


async def watch_healthz(url: str, seconds: float) -> list[bool]:
    answers = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answers.append(await healthz_ok(session, url))
            await asyncio.sleep(0.05)
    return answers


async def test_trickling_heads_are_dropped_and_healthz_stays_up() -> None:
    config = SandboxConfig(header_timeout=0.5, idle_timeout=30, max_connections=20)
    async with SandboxServer(config) as sandbox:
        sockets = await open_many(sandbox.url, 60)
        drops = [asyncio.create_task(dropped_after(r, w, trickle=True)) for r, w in sockets]
        answers = await watch_healthz(sandbox.url, 1.2)
        durations = await asyncio.wait_for(asyncio.gather(*drops), 5)
    assert answers
    assert all(answers), answers
    assert max(durations) < 0.5 + 1.0, sorted(durations)[-5:]


async def test_silent_connections_are_dropped_after_the_idle_timeout() -> None:
    config = SandboxConfig(header_timeout=30, idle_timeout=0.5, max_connections=100)
    async with SandboxServer(config) as sandbox:
        sockets = await open_many(sandbox.url, 10)
        durations = await asyncio.wait_for(
            asyncio.gather(*(dropped_after(r, w, trickle=False) for r, w in sockets)), 5
        )
    assert all(0.3 < d < 0.5 + 1.0 for d in durations), durations


async def test_past_the_cap_the_oldest_waiting_connection_makes_room() -> None:
    config = SandboxConfig(header_timeout=30, idle_timeout=30, max_connections=20)
    async with SandboxServer(config) as sandbox:
        sockets = await open_many(sandbox.url, 50)
        answers = await watch_healthz(sandbox.url, 0.5)
        await asyncio.sleep(0.2)
        still_open = 0
        for reader, writer in sockets:
            try:
                closed = await asyncio.wait_for(reader.read(1), 0.05) == b""
            except TimeoutError:
                closed = False
            still_open += not closed
            writer.close()
    assert answers
    assert all(answers), answers
    assert still_open <= 20, still_open
    assert still_open >= 15, still_open  # the newest silent ones were kept, not all dropped


async def test_a_trickled_body_gets_408_within_the_header_timeout() -> None:
    config = SandboxConfig(header_timeout=0.5, idle_timeout=30, max_connections=20)
    async with SandboxServer(config) as sandbox:
        [(reader, writer)] = await open_many(sandbox.url, 1)
        started = time.monotonic()
        writer.write(
            b"POST /api/send HTTP/1.1\r\nHost: sandbox\r\nAuthorization: sandbox-api-key\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"
        )
        status_line = b""
        while not status_line and time.monotonic() - started < 5:
            writer.write(b" ")
            await writer.drain()
            try:
                status_line = await asyncio.wait_for(reader.readline(), 0.05)
            except TimeoutError:
                continue
        elapsed = time.monotonic() - started
        writer.close()
        outbox = sandbox.backend.outbox.count()
    assert status_line.split(b" ")[1] == b"408", status_line
    assert elapsed < 0.5 + 1.0
    assert outbox == 0
