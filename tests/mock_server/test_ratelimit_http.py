"""The rate limiter through the real app, with an injected monotonic clock (no sleeping)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import create_app
from ippanel_mock.http.ratelimit import RATE_LIMITER
from sandbox_support import AUTH, GA_API_KEY, app_client

CREDIT = "/api/payment/credit/mine"


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


async def limited_client(
    aiohttp_client: Any, rate: float, burst: int
) -> tuple[TestClient, FakeMonotonic]:
    app = create_app(SandboxConfig(rate_limit=rate, rate_burst=burst))
    clock = FakeMonotonic()
    app[RATE_LIMITER].clock = clock
    return await aiohttp_client(app), clock


async def test_burst_then_429_with_retry_after_then_one_more(aiohttp_client: Any) -> None:
    client, clock = await limited_client(aiohttp_client, rate=0.25, burst=3)
    assert [(await client.get(CREDIT, headers=AUTH)).status for _ in range(3)] == [200] * 3
    limited = await client.get(CREDIT, headers=AUTH)
    assert limited.status == 429
    assert limited.headers["Retry-After"] == "4"
    body = await limited.json()
    assert body["meta"]["message_code"] == "429-1"
    assert body["meta"]["status"] is False
    assert body["meta"]["message"]

    clock.now += 4
    assert (await client.get(CREDIT, headers=AUTH)).status == 200
    assert (await client.get(CREDIT, headers=AUTH)).status == 429


async def test_each_api_key_and_anonymous_caller_has_its_own_bucket(aiohttp_client: Any) -> None:
    client, _ = await limited_client(aiohttp_client, rate=1, burst=1)
    assert (await client.get(CREDIT, headers=AUTH)).status == 200
    assert (await client.get(CREDIT, headers=AUTH)).status == 429
    other = {"Authorization": GA_API_KEY}
    assert (await client.get(CREDIT, headers=other)).status == 200
    assert (await client.get(CREDIT)).status == 401
    assert (await client.get(CREDIT)).status == 429


async def test_tooling_routes_are_never_limited(aiohttp_client: Any) -> None:
    client, _ = await limited_client(aiohttp_client, rate=1, burst=1)
    for path in ["/healthz", "/openapi.json", "/__sandbox/messages"] * 3:
        assert (await client.get(path)).status != 429, path


async def test_off_by_default_and_switched_by_the_admin_api(aiohttp_client: Any) -> None:
    client = await app_client(aiohttp_client, SandboxConfig())
    assert await (await client.get("/__sandbox/ratelimit")).json() == {"rate": None, "burst": None}
    assert all([(await client.get(CREDIT, headers=AUTH)).status == 200 for _ in range(30)])

    resp = await client.put("/__sandbox/ratelimit", json={"rate": 0.5, "burst": 2})
    assert await resp.json() == {"rate": 0.5, "burst": 2}
    assert [(await client.get(CREDIT, headers=AUTH)).status for _ in range(3)] == [200, 200, 429]

    resp = await client.put("/__sandbox/ratelimit", json={"rate": None})
    assert (await resp.json())["rate"] is None
    assert (await client.get(CREDIT, headers=AUTH)).status == 200


async def test_bad_settings_are_rejected_and_change_nothing(aiohttp_client: Any) -> None:
    client = await app_client(aiohttp_client, SandboxConfig(rate_limit=5, rate_burst=5))
    for body in ({"rate": -1}, {"rate": "fast"}, {"rate": 1, "burst": 0}, {"burst": 3}):
        resp = await client.put("/__sandbox/ratelimit", json=body)
        assert resp.status == 422, body
    assert await (await client.get("/__sandbox/ratelimit")).json() == {"rate": 5, "burst": 5}


async def test_reset_restores_the_configured_limit(aiohttp_client: Any) -> None:
    client = await app_client(aiohttp_client, SandboxConfig(rate_limit=2, rate_burst=4))
    await client.put("/__sandbox/ratelimit", json={"rate": None})
    await client.post("/__sandbox/reset")
    assert await (await client.get("/__sandbox/ratelimit")).json() == {"rate": 2, "burst": 4}
