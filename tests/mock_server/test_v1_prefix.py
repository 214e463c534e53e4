"""The public API under /v1 as well as at the root (issue 9, item 11): the real base URL is
https://edge.ippanel.com/v1 and clients (the official SDK, a connection copying that URL)
compose base_url + "/api/...". The admin API stays at the root only."""

from __future__ import annotations

from typing import Any

import pytest
from ippanel_mock import SandboxConfig
from ippanel_mock.http.openapi import build_document
from sandbox_support import AUTH, PASSWORD, AiohttpClient, Client, app_client, backend_of

SEND = {
    "sending_type": "webservice",
    "from_number": "+983000505",
    "message": "via v1",
    "params": {"recipients": ["09121234567"]},
}


@pytest.fixture
async def client(aiohttp_client: AiohttpClient) -> Client:
    return await app_client(aiohttp_client, SandboxConfig(delivery_delay=0))


async def test_a_client_whose_base_url_ends_in_v1_sends_reads_and_logs_in(client: Client) -> None:
    base = "/v1"
    resp = await client.post(f"{base}/api/send", json=SEND, headers=AUTH)
    assert resp.status == 200, await resp.text()
    [bulk_id] = (await resp.json())["data"]["message_outbox_ids"]
    captured = backend_of(client).messages.latest()
    assert captured is not None
    assert (captured.recipient, captured.text, captured.bulk_id) == (
        "+989121234567",
        "via v1",
        bulk_id,
    )
    resp = await client.get(
        f"{base}/api/report/recipients", params={"bulk_id": bulk_id}, headers=AUTH
    )
    assert (await resp.json())["data"][0]["recipient"] == "+989121234567"
    resp = await client.post(f"{base}/api/report/by_bulk/{bulk_id}", json={}, headers=AUTH)
    assert (await resp.json())["data"]["messages_outbox_id"] == str(bulk_id)
    resp = await client.post(
        f"{base}/api/acl/auth/login", json={"username": "sandbox", "password": PASSWORD}
    )
    assert resp.status == 200
    resp = await client.get(f"{base}/api/payment/credit/mine", headers=AUTH)
    assert resp.status == 200


async def test_v1_answers_like_the_root_errors_included(client: Client) -> None:
    for path in ("/api/send", "/v1/api/send"):
        resp = await client.post(path, json={**SEND, "message": ""}, headers=AUTH)
        body = await resp.json()
        assert (resp.status, body["meta"]["message_code"]) == (422, "400-2")
        resp = await client.post(path, json=SEND)
        assert resp.status == 401


async def test_chaos_rules_and_the_journal_see_both_paths(client: Client) -> None:
    await client.post(
        "/__sandbox/chaos", json={"route": "POST /api/send", "first_n": 1, "status": 503}
    )
    resp = await client.post("/v1/api/send", json=SEND, headers=AUTH)
    assert resp.status == 503
    resp = await client.post("/v1/api/send", json=SEND, headers=AUTH)
    assert resp.status == 200
    journal = await (await client.get("/__sandbox/requests", params={"path": "/v1/api/*"})).json()
    assert [e["status"] for e in journal["items"]] == [200, 503]


async def test_the_admin_api_is_at_the_root_only(client: Client) -> None:
    assert (await client.get("/v1/__sandbox/users")).status == 404
    assert (await client.get("/v1/healthz")).status == 404


def test_the_document_lists_v1_as_a_server_of_every_public_path() -> None:
    from ippanel_mock import create_app

    doc = build_document(create_app(SandboxConfig()))
    public: list[tuple[str, Any]] = [
        (p, item) for p, item in doc["paths"].items() if p.startswith("/api/")
    ]
    assert public
    for path, item in public:
        assert [s["url"] for s in item["servers"]] == ["/", "/v1"], path
    assert not any(p.startswith("/v1") for p in doc["paths"])
    assert "servers" not in doc["paths"]["/__sandbox/users"]
