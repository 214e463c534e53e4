"""Benchmark 2: report latency with 1,000 vs 1,000,000 stored recipient rows, and bytes per row."""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc
from array import array
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
from aiohttp.test_utils import TestServer
from harness import SANDBOX_API_KEY, SANDBOX_SENDER, Section, median
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import create_app
from ippanel_mock.models.backend import SandboxBackend

BULK_SIZE = 1000
SMALL_ROWS = 1_000
LARGE_ROWS = 1_000_000
FIRST_NUMBER = 9_120_000_000
MESSAGE = "Benchmark report message"
NEW_LIST_FILTER = {"page": 1, "limit": 10, "filters": {"state_id": "6"}}
HEADERS = {"Authorization": SANDBOX_API_KEY}


@dataclass(frozen=True, slots=True)
class Built:
    backend: SandboxBackend
    middle_bulk: int
    traced_bytes: int
    seconds: float


def build_state(rows: int, *, trace: bool) -> Built:
    """A backend holding `rows` recipients in bulks of BULK_SIZE, made through the models
    exactly as POST /api/send makes them (outbox bulk, then the captured-message log)."""
    backend = SandboxBackend(SandboxConfig(delivery_delay=0.0))
    user = backend.users.get("sandbox")
    assert user is not None
    gc.collect()
    if trace:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    ids = []
    for start in range(FIRST_NUMBER, FIRST_NUMBER + rows, BULK_SIZE):
        numbers = array("q", range(start, min(start + BULK_SIZE, FIRST_NUMBER + rows)))
        bulk = backend.outbox.create(
            user, sender=SANDBOX_SENDER, text=MESSAGE, recipients=numbers, sending_type="webservice"
        )
        backend.capture_bulk(bulk.id)
        ids.append(bulk.id)
    seconds = time.perf_counter() - started
    traced = 0
    if trace:
        gc.collect()
        traced = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
    return Built(backend, ids[len(ids) // 2], traced, seconds)


Call = Callable[[], Awaitable[object]]


def _calls(session: aiohttp.ClientSession, base: str, bulk_id: int) -> dict[str, Call]:
    async def recipients() -> object:
        url = f"{base}/api/report/recipients?bulk_id={bulk_id}&page=5&per_page=100"
        async with session.get(url, headers=HEADERS) as response:
            assert response.status == 200, response.status
            return await response.read()

    async def new_list() -> object:
        url = f"{base}/api/report/new_list"
        async with session.post(url, json=NEW_LIST_FILTER, headers=HEADERS) as response:
            assert response.status == 200, response.status
            body = await response.json()
            assert body["meta"]["total"] >= 1, body["meta"]
            return body

    async def bulk_stats() -> object:
        url = f"{base}/api/report/bulk_stats?bulk_id={bulk_id}"
        async with session.get(url, headers=HEADERS) as response:
            assert response.status == 200, response.status
            return await response.read()

    return {
        "GET /api/report/recipients (page of 100)": recipients,
        "POST /api/report/new_list (state_id filter, 10 per page)": new_list,
        "GET /api/report/bulk_stats": bulk_stats,
    }


async def _timed(call: Call) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def measure(small: Built, large: Built, repetitions: int) -> dict[str, tuple[float, float]]:
    """Median latency per endpoint (small, large), requests interleaved so noise hits both."""
    results: dict[str, tuple[float, float]] = {}
    async with (
        TestServer(create_app(backend=small.backend)) as small_server,
        TestServer(create_app(backend=large.backend)) as large_server,
        aiohttp.ClientSession() as session,
    ):
        small_calls = _calls(session, str(small_server.make_url("")).rstrip("/"), small.middle_bulk)
        large_calls = _calls(session, str(large_server.make_url("")).rstrip("/"), large.middle_bulk)
        for name, small_call in small_calls.items():
            large_call = large_calls[name]
            for _ in range(20):
                await small_call()
                await large_call()
            small_times, large_times = [], []
            for i in range(repetitions):
                first, second = (small_call, large_call) if i % 2 == 0 else (large_call, small_call)
                a, b = await _timed(first), await _timed(second)
                small_times.append(a if i % 2 == 0 else b)
                large_times.append(b if i % 2 == 0 else a)
            results[name] = (median(small_times), median(large_times))
    return results


def run(repetitions: int) -> Section:
    section = Section(
        "2. Report scaling",
        f"One in-process sandbox holding {SMALL_ROWS:,} recipient rows and one holding "
        f"{LARGE_ROWS:,} (bulks of {BULK_SIZE:,} built through the backend models, each also "
        "captured in the bounded message log), each behind a real aiohttp server on loopback; "
        f"one keep-alive client, {repetitions} requests per endpoint and size, interleaved; "
        "median latency. Memory: tracemalloc of the 1,000,000-row build divided by the rows.",
    )
    small = build_state(SMALL_ROWS, trace=False)
    large = build_state(LARGE_ROWS, trace=True)
    latencies = asyncio.run(measure(small, large, repetitions))
    for name, (small_s, large_s) in latencies.items():
        growth = large_s / small_s
        section.add(
            f"{name}: median at 1k → 1M rows",
            f"{small_s * 1000:.2f} ms → {large_s * 1000:.2f} ms ({growth:.2f}×)",
            "≤ 3×",
            growth <= 3.0,
        )
    per_row = large.traced_bytes / LARGE_ROWS
    section.add(
        "Memory per stored recipient (1,000,000 rows)",
        f"{per_row:.0f} bytes ({large.traced_bytes / 1024**2:.1f} MiB traced)",
        "≤ 400 bytes",
        per_row <= 400,
    )
    section.notes.append(
        f"Building 1,000,000 rows through the models took {large.seconds:.1f} s "
        "(under tracemalloc)."
    )
    return section
