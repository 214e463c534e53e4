"""Bodies an attacker crafts (issue 9, items 1, 3 and 4): lone surrogates, deep nesting, NaN and
Infinity. Every one gets a 4xx on public and admin routes alike, nothing is stored, and every
listing still answers 200 afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from ippanel_mock import SandboxConfig
from ippanel_mock.http.body import MAX_JSON_DEPTH
from sandbox_support import API_KEY, AUTH, AiohttpClient, Client, app_client, backend_of

JSON = {"Content-Type": "application/json"}
SEND = (
    b'{"sending_type":"webservice","from_number":"+983000505","message":%s,'
    b'"params":{"recipients":%s}}'
)
LISTINGS = (
    ("GET", "/__sandbox/users"),
    ("GET", "/__sandbox/patterns"),
    ("GET", "/__sandbox/messages"),
    ("GET", "/__sandbox/requests"),
    ("GET", "/__sandbox/clock"),
    ("GET", "/__sandbox/ratelimit"),
    ("POST", "/api/report/new_list"),
    ("GET", "/api/payment/credit/mine"),
)


def nested(depth: int, leaf: bytes = b"") -> bytes:
    return b"[" * depth + leaf + b"]" * depth


@pytest.fixture
async def client(aiohttp_client: AiohttpClient) -> Client:
    return await app_client(aiohttp_client, SandboxConfig(delivery_delay=0))


async def post_raw(client: Client, path: str, body: bytes, key: str | None = API_KEY) -> Any:
    headers = {**JSON, **({"Authorization": key} if key else {})}
    resp = await client.post(path, data=body, headers=headers)
    assert 400 <= resp.status < 500, (path, resp.status, await resp.text())
    return resp.status, await resp.json()


async def assert_healthy(client: Client) -> None:
    for method, path in LISTINGS:
        resp = await client.request(method, path, headers={"Authorization": API_KEY})
        assert resp.status == 200, (method, path, await resp.text())


# -- 1. lone UTF-16 surrogates ---------------------------------------------------------------

SURROGATE_BODIES = [
    ("/api/send", SEND % (b'"\\ud800"', b'["09121234567"]')),
    ("/api/send", SEND % (b'"hi"', b'["\\udfff"]')),
    ("/api/report/new_list", b'{"filters": {"message": "\\ud83d"}}'),
    ("/api/acl/auth/login", b'{"username": "\\ud800", "password": "x"}'),
    ("/__sandbox/users", b'{"username": "qq", "mobile": "09121110000", "name": "\\ud800"}'),
    ("/__sandbox/users", b'{"username": "qq", "mobile": "09121110000", "\\udc00": 1}'),
    ("/__sandbox/patterns", b'{"code": "qq", "text": "hi \\udbff"}'),
    ("/__sandbox/chaos", b'{"route": "\\ud800", "first_n": 1, "status": 503}'),
]


@pytest.mark.parametrize(("path", "body"), SURROGATE_BODIES)
async def test_a_lone_surrogate_is_refused_and_stored_nowhere(
    client: Client, path: str, body: bytes
) -> None:
    await post_raw(client, path, body)
    backend = backend_of(client)
    assert backend.users.get("qq") is None
    assert backend.patterns.get("qq") is None
    assert backend.outbox.count() == 0
    assert backend.chaos.rules == []
    await assert_healthy(client)


# -- 3. nesting --------------------------------------------------------------------------------

DEEP_BODIES = [
    ("/api/send", SEND % (b'"hi"', nested(1000))),
    ("/api/send", SEND % (b'"hi"', b"[" + nested(1000, b'"x"') + b"]")),
    ("/api/report/new_list", b'{"filters": {"username": ' + nested(1000) + b"}}"),
    ("/api/report/new_list", nested(100_000)),
    ("/api/send/calculate-price", b'{"message": ' + nested(999) + b"}"),
    ("/__sandbox/users", nested(100_000)),
    ("/__sandbox/users", b'{"username": "qq", "mobile": ' + nested(1000) + b"}"),
    ("/__sandbox/chaos", b'{"route": ' + nested(1000) + b', "first_n": 1, "status": 503}'),
    ("/__sandbox/clock/set", b'{"time": ' + nested(900) + b"}"),
]


@pytest.mark.parametrize(("path", "body"), DEEP_BODIES, ids=lambda v: str(v)[:40])
async def test_deep_nesting_is_refused_on_every_route(
    client: Client, path: str, body: bytes
) -> None:
    await post_raw(client, path, body)
    assert backend_of(client).outbox.count() == 0
    await assert_healthy(client)


async def test_nesting_up_to_the_limit_is_read_and_judged_by_the_schema(client: Client) -> None:
    """The limit is the JSON's nesting: a body just under it reaches validation (422 naming the
    field), one just over it is refused as unreadable (400)."""
    inside = MAX_JSON_DEPTH - 2  # {"params": {"recipients": [...]}}: the array is level 3
    status, answer = await post_raw(client, "/api/send", SEND % (b'"hi"', nested(inside)))
    assert (status, answer["meta"]["message_code"]) == (422, "400-2")
    status, answer = await post_raw(client, "/api/send", SEND % (b'"hi"', nested(inside + 1)))
    assert (status, answer["meta"]["message_code"]) == (400, "400-3")


# -- 4. NaN and Infinity -----------------------------------------------------------------------

NON_FINITE = [
    ("/__sandbox/clock/advance", b'{"seconds": NaN}'),
    ("/__sandbox/clock/advance", b'{"seconds": Infinity}'),
    ("/__sandbox/clock/set", b'{"time": 1e400}'),
    ("/__sandbox/ratelimit", b'{"rate": NaN}'),
    ("/__sandbox/users", b'{"username": "qq", "mobile": "09121110000", "credit": NaN}'),
    ("/__sandbox/users", b'{"username": "qq", "mobile": "09121110000", "credit": -Infinity}'),
    ("/__sandbox/chaos", b'{"route": "*", "probability": NaN, "status": 503}'),
    ("/api/report/new_list", b'{"page": NaN}'),
    ("/api/send", SEND % (b"NaN", b'["09121234567"]')),
]


@pytest.mark.parametrize(("path", "body"), NON_FINITE)
async def test_nan_and_infinity_are_refused_and_change_nothing(
    client: Client, path: str, body: bytes
) -> None:
    method = "PUT" if path.endswith("ratelimit") else "POST"
    resp = await client.request(method, path, data=body, headers={**JSON, "Authorization": API_KEY})
    assert resp.status == 400, await resp.text()
    backend = backend_of(client)
    assert backend.clock.offset == 0
    assert backend.rate_limiter.rate is None
    assert backend.users.get("qq") is None
    assert backend.chaos.rules == []
    await assert_healthy(client)


def test_the_config_takes_finite_numbers_only() -> None:
    for field in ("delivery_delay", "rate_limit"):
        for value in (float("nan"), float("inf")):
            with pytest.raises(ValueError, match=field):
                SandboxConfig(**{field: value})


# -- valid inputs that add up to an out-of-range state -----------------------------------------


async def test_the_clock_refuses_to_advance_past_the_year_3000(client: Client) -> None:
    """Each advance of the schema's maximum (3.2e9 s) is valid; ~78 of them passed year 9999 and
    every later read of the clock answered 500 until a reset."""
    step = {"seconds": 3_200_000_000}
    for _ in range(100):
        resp = await client.post("/__sandbox/clock/advance", json=step)
        if resp.status != 200:
            break
    assert resp.status == 422, await resp.text()
    error = (await resp.json())["error"]
    assert error.startswith(
        "the sandbox clock stays from 1970-01-01T00:00:00Z (unix 0) to 3000-01-01T00:00:00Z "
        "(unix 32503680000): it is at unix "
    ), error
    clock = backend_of(client).clock
    offset = clock.offset
    assert clock.now() <= 32503680000
    resp = await client.post("/__sandbox/clock/advance", json=step)
    assert resp.status == 422
    assert " and 3200000000 s more would pass the end" in (await resp.json())["error"]
    assert clock.offset == offset
    await assert_healthy(client)
    assert (await client.post("/api/report/new_list", json={}, headers=AUTH)).status == 200
    resp = await client.post("/__sandbox/clock/advance", json={"seconds": 0})
    assert resp.status == 200, await resp.text()
