"""Chaos rules through the real app: status faults, seeded replay, exemptions, wire faults."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
import requests
from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.chaos import CHAOS
from ippanel_mock.server import SandboxServer, ThreadedSandbox
from sandbox_support import AUTH, app_client

SEND_BODY = {
    "sending_type": "webservice",
    "from_number": "+983000505",
    "message": "chaos test",
    "params": {"recipients": ["+989120000001"]},
}


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await app_client(aiohttp_client, SandboxConfig(delivery_delay=0, seed=5))


async def add_rule(client: TestClient, rule: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post("/__sandbox/chaos", json=rule)
    assert resp.status == 201, await resp.text()
    return dict(await resp.json())


async def captured(client: TestClient) -> int:
    return int((await (await client.get("/__sandbox/messages")).json())["total"])


async def test_first_two_sends_fail_third_succeeds_and_one_capture(client: TestClient) -> None:
    await add_rule(client, {"route": "POST /api/send", "first_n": 2, "status": 503})
    statuses = []
    for _ in range(3):
        resp = await client.post("/api/send", json=SEND_BODY, headers=AUTH)
        statuses.append(resp.status)
        body = await resp.json()
    assert statuses == [503, 503, 200]
    assert body["meta"]["status"] is True
    assert await captured(client) == 1
    rules = (await (await client.get("/__sandbox/chaos")).json())["rules"]
    assert (rules[0]["matched"], rules[0]["fired"]) == (3, 2)


async def test_status_fault_body_is_the_ippanel_envelope(client: TestClient) -> None:
    await add_rule(client, {"route": "*", "first_n": 1, "status": 503})
    resp = await client.post("/api/send", json=SEND_BODY, headers=AUTH)
    body = await resp.json()
    assert resp.status == 503
    assert body["data"] is None
    assert body["meta"]["status"] is False
    assert body["meta"]["message_code"] == "503-1"
    assert body["meta"]["message"]
    assert await captured(client) == 0


async def _fault_pattern(aiohttp_client: Any, seed: int) -> list[int]:
    client = await app_client(aiohttp_client, SandboxConfig(seed=seed))
    rule = {"route": "POST /api/acl/auth/check_token", "probability": 0.5, "status": 500}
    await add_rule(client, rule)
    return [
        (await client.post("/api/acl/auth/check_token", headers=AUTH)).status for _ in range(30)
    ]


async def test_same_seed_same_fault_pattern(aiohttp_client: Any) -> None:
    first = await _fault_pattern(aiohttp_client, 11)
    second = await _fault_pattern(aiohttp_client, 11)
    assert first == second
    assert set(first) == {200, 500}
    assert await _fault_pattern(aiohttp_client, 12) != first


async def test_reset_replays_the_same_pattern(client: TestClient) -> None:
    rule = {"route": "*", "probability": 0.4, "status": 502}

    async def run() -> list[int]:
        await add_rule(client, rule)
        return [
            (await client.get("/api/payment/credit/mine", headers=AUTH)).status for _ in range(20)
        ]

    first = await run()
    await client.post("/__sandbox/reset")
    assert await run() == first


async def test_tooling_routes_are_never_chaosd(client: TestClient) -> None:
    await add_rule(client, {"route": "*", "probability": 1, "status": 500})
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/openapi.json")).status == 200
    assert (await client.get("/__sandbox/messages")).status == 200
    assert (await client.get("/api/payment/credit/mine", headers=AUTH)).status == 500


async def test_latency_rule_still_answers(client: TestClient) -> None:
    await add_rule(client, {"route": "GET /api/*", "first_n": 1, "latency_ms": 10, "jitter_ms": 5})
    assert (await client.get("/api/payment/credit/mine", headers=AUTH)).status == 200


async def test_rules_can_be_deleted(client: TestClient) -> None:
    rule = await add_rule(client, {"route": "*", "probability": 1, "status": 500})
    assert (await client.delete(f"/__sandbox/chaos/{rule['id']}")).status == 200
    assert (await client.delete(f"/__sandbox/chaos/{rule['id']}")).status == 404
    await add_rule(client, {"route": "*", "probability": 1, "status": 500})
    assert await (await client.delete("/__sandbox/chaos")).json() == {"deleted": 1}
    assert (await client.get("/api/payment/credit/mine", headers=AUTH)).status == 200


@pytest.mark.parametrize(
    ("rule", "fields"),
    [
        ({"route": "*", "probability": 2, "status": 503}, {"probability"}),  # the schema file
        ({"route": "*", "probability": 0.5}, {"action"}),  # the rule grammar
        ({"route": "*", "first_n": 1, "probability": 0.5, "status": 503}, {"trigger"}),
    ],
)
async def test_invalid_rule_names_fields(
    client: TestClient, rule: dict[str, object], fields: set[str]
) -> None:
    resp = await client.post("/__sandbox/chaos", json=rule)
    body = await resp.json()
    assert resp.status == 422
    assert set(body["fields"]) == fields
    assert (await (await client.get("/__sandbox/chaos")).json())["rules"] == []


# -- wire faults on a real socket ------------------------------------------------------------


@pytest.fixture
async def server() -> Any:
    async with SandboxServer(SandboxConfig(delivery_delay=0)) as sandbox:
        yield sandbox


async def _send_over_wire(server: SandboxServer, timeout: float = 10) -> BaseException | int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        try:
            async with session.post(f"{server.url}/api/send", json=SEND_BODY, headers=AUTH) as r:
                await r.read()
                return r.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            return exc


async def _healthy(server: SandboxServer) -> bool:
    async with aiohttp.ClientSession() as session, session.get(f"{server.url}/healthz") as r:
        return r.status == 200


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("reset_before", aiohttp.ClientConnectionError),
        ("empty_reply", aiohttp.ServerDisconnectedError),
        ("garbage", aiohttp.ClientPayloadError),
    ],
)
async def test_unprocessed_wire_faults_leave_no_trace(
    server: SandboxServer, fault: str, error: type[BaseException]
) -> None:
    server.app[CHAOS].add({"route": "POST /api/send", "first_n": 1, "fault": fault})
    outcome = await _send_over_wire(server)
    assert isinstance(outcome, error), outcome
    assert len(server.backend.messages) == 0
    assert server.backend.outbox.count() == 0
    assert await _healthy(server)
    assert await _send_over_wire(server) == 200


async def test_reset_after_processes_the_send_but_the_client_gets_an_error(
    server: SandboxServer,
) -> None:
    server.app[CHAOS].add({"route": "POST /api/send", "first_n": 1, "fault": "reset_after"})
    outcome = await _send_over_wire(server)
    assert isinstance(outcome, aiohttp.ClientConnectionError), outcome
    latest = server.backend.messages.latest()
    assert latest is not None
    assert latest.text == "chaos test"
    assert server.backend.outbox.count() == 1
    assert await _healthy(server)


async def test_hang_outlasts_the_client_and_stops_on_shutdown() -> None:
    sandbox = SandboxServer(SandboxConfig())
    await sandbox.start()
    sandbox.app[CHAOS].add({"route": "*", "first_n": 2, "fault": "hang"})
    outcome = await _send_over_wire(sandbox, timeout=0.3)
    assert isinstance(outcome, TimeoutError | aiohttp.ServerTimeoutError), outcome
    assert len(sandbox.backend.messages) == 0
    assert await _healthy(sandbox)

    pending = asyncio.create_task(_send_over_wire(sandbox, timeout=60))
    await asyncio.sleep(0.1)
    await asyncio.wait_for(sandbox.stop(), timeout=20)
    assert isinstance(await pending, aiohttp.ClientError)


def test_reset_after_with_a_sync_requests_client() -> None:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0)) as sandbox:
        rule = {"route": "POST /api/send", "first_n": 1, "fault": "reset_after"}
        added = requests.post(f"{sandbox.url}/__sandbox/chaos", json=rule, timeout=5)
        assert added.status_code == 201
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{sandbox.url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)
        messages = requests.get(f"{sandbox.url}/__sandbox/messages", timeout=5).json()
        assert [m["text"] for m in messages["items"]] == ["chaos test"]
        retry = requests.post(f"{sandbox.url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)
        assert retry.status_code == 200
