"""The /__sandbox admin API through the real in-process app."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from sandbox_support import API_KEY, AUTH, PASSWORD, app_client


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await app_client(aiohttp_client, SandboxConfig(delivery_delay=0))


async def send(client: TestClient, recipients: list[str], message: str = "سلام") -> int:
    body = {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": message,
        "params": {"recipients": recipients},
    }
    resp = await client.post("/api/send", json=body, headers=AUTH)
    assert resp.status == 200, await resp.text()
    return int((await resp.json())["data"]["message_outbox_ids"][0])


async def get_json(client: TestClient, path: str, status: int = 200, **kw: Any) -> Any:
    resp = await client.get(path, **kw)
    assert resp.status == status, await resp.text()
    return await resp.json()


async def test_healthz(client: TestClient) -> None:
    assert await get_json(client, "/healthz") == {"status": "ok"}


async def test_messages_newest_first_filtered_and_paginated(client: TestClient) -> None:
    first = await send(client, ["09120000001", "09120000002"], "first text")
    second = await send(client, ["+989120000001"], "second text")

    listing = await get_json(client, "/__sandbox/messages")
    assert listing["total"] == 3
    assert [m["text"] for m in listing["items"]] == ["second text", "first text", "first text"]

    by_recipient = await get_json(client, "/__sandbox/messages?recipient=09120000001")
    assert [m["bulk_id"] for m in by_recipient["items"]] == [second, first]
    assert by_recipient["items"][0]["recipient"] == "+989120000001"
    assert by_recipient["items"][0]["user"] == "sandbox"
    assert by_recipient["items"][0]["sender"] == "+983000505"

    by_text = await get_json(client, "/__sandbox/messages", params={"text": "first"})
    assert by_text["total"] == 2
    by_bulk = await get_json(client, f"/__sandbox/messages?bulk_id={second}")
    assert by_bulk["total"] == 1

    page2 = await get_json(client, "/__sandbox/messages?per_page=2&page=2")
    assert (page2["total"], page2["last_page"], len(page2["items"])) == (3, 2, 1)
    assert page2["items"][0]["recipient"] == "+989120000001"


async def test_status_filter_follows_the_lifecycle(client: TestClient) -> None:
    await send(client, ["+989120000003", "+989120000077"])
    undelivered = await get_json(client, "/__sandbox/messages?status=3")
    assert [m["recipient"] for m in undelivered["items"]] == ["+989120000003"]
    assert undelivered["items"][0]["message_status"] == 3
    delivered = await get_json(client, "/__sandbox/messages?status=2")
    assert [m["recipient"] for m in delivered["items"]] == ["+989120000077"]


async def test_since_until_use_the_sandbox_clock(client: TestClient) -> None:
    await send(client, ["+989120000011"], "old")
    clock = await get_json(client, "/__sandbox/clock")
    await client.post("/__sandbox/clock/advance", json={"seconds": 3600})
    await send(client, ["+989120000011"], "new")
    after = await get_json(client, f"/__sandbox/messages?since={clock['now'] + 1800}")
    assert [m["text"] for m in after["items"]] == ["new"]
    before = await get_json(client, f"/__sandbox/messages?until={clock['now'] + 1800}")
    assert [m["text"] for m in before["items"]] == ["old"]


async def test_latest_and_404_when_nothing_matches(client: TestClient) -> None:
    missing = await get_json(client, "/__sandbox/messages/latest", 404)
    assert "no captured message" in missing["error"]
    await send(client, ["+989120000021"], "one")
    await send(client, ["+989120000022"], "two")
    latest = await get_json(client, "/__sandbox/messages/latest?recipient=%2B989120000021")
    assert latest["text"] == "one"


async def test_wait_returns_a_message_sent_after_the_call(client: TestClient) -> None:
    await send(client, ["+989120000031"], "before")
    waiting = asyncio.create_task(
        client.get("/__sandbox/messages/wait?recipient=09120000031&timeout=10")
    )
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await send(client, ["+989120000031"], "after")
    resp = await waiting
    assert resp.status == 200
    assert (await resp.json())["text"] == "after"


async def test_wait_times_out_with_408(client: TestClient) -> None:
    await send(client, ["+989120000041"])
    body = await get_json(
        client, "/__sandbox/messages/wait?recipient=09120000041&timeout=0.05", 408
    )
    assert "within" in body["error"]


async def test_wait_with_since_returns_an_existing_message(client: TestClient) -> None:
    await send(client, ["+989120000051"], "already here")
    found = await get_json(client, "/__sandbox/messages/wait?since=0&timeout=0.05")
    assert found["text"] == "already here"


async def test_delete_messages_by_filter_then_all(client: TestClient) -> None:
    await send(client, ["+989120000061", "+989120000062"])
    await send(client, ["+989120000061"])
    resp = await client.delete("/__sandbox/messages?recipient=%2B989120000061")
    assert await resp.json() == {"deleted": 2}
    assert (await get_json(client, "/__sandbox/messages"))["total"] == 1
    resp = await client.delete("/__sandbox/messages")
    assert await resp.json() == {"deleted": 1}
    assert (await get_json(client, "/__sandbox/messages"))["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "per_page=100000",
        "bulk_id=abc",
        "status=9",
        "since=soon",
        "recipient=12",
        "since=-10",
        "timeout=-1",
    ],
)
async def test_bad_message_queries_are_400(client: TestClient, query: str) -> None:
    path = "/__sandbox/messages/wait" if query.startswith("timeout") else "/__sandbox/messages"
    body = await get_json(client, f"{path}?{query}", 400)
    assert body["error"]


async def test_otp_of_an_sms_user_can_complete_the_login(client: TestClient) -> None:
    assert (await client.get("/__sandbox/otp/sandbox-sms")).status == 404
    resp = await client.post(
        "/api/acl/auth/login", json={"username": "sandbox-sms", "password": PASSWORD}
    )
    token = (await resp.json())["data"]["token"]
    resp = await client.post("/api/acl/auth/send_sms_otp", json={"token": token})
    assert resp.status == 200
    otp = await get_json(client, "/__sandbox/otp/sandbox-sms")
    assert otp["code"] in otp["message"]["text"]
    assert otp["message"]["sending_type"] == "otp"
    resp = await client.post("/api/acl/auth/confirm_otp", json={"token": token, "otp": otp["code"]})
    assert resp.status == 200
    assert (await resp.json())["data"]["method"] == "login"
    assert (await client.get("/__sandbox/otp/nobody")).status == 404


async def test_users_list_shows_credentials(client: TestClient) -> None:
    users = {u["username"]: u for u in (await get_json(client, "/__sandbox/users"))["items"]}
    assert users["sandbox"]["api_key"] == API_KEY
    assert users["sandbox"]["password"] == PASSWORD
    assert users["sandbox-ga"]["method"] == "ga"
    assert users["sandbox-ga"]["totp_secret"]
    assert len(users["sandbox-ga"]["totp_code"]) == 6
    assert users["sandbox"]["credit"] > 0


async def test_created_user_can_use_its_api_key(client: TestClient) -> None:
    new_user = {"username": "qa", "mobile": "09121110000", "api_key": "qa-key", "credit": 10**9}
    resp = await client.post("/__sandbox/users", json=new_user)
    assert resp.status == 201
    assert (await resp.json())["mobile"] == "+989121110000"
    resp = await client.post("/api/acl/auth/check_token", headers={"Authorization": "qa-key"})
    assert resp.status == 200
    assert (await resp.json())["data"]["user_name"] == "qa"

    dup = await client.post("/__sandbox/users", json={**new_user, "api_key": "other"})
    assert dup.status == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", 400),
        ("", 400),
        ("[1, 2]", 422),
        ('{"username": "x"}', 422),
        ('{"username": "x", "mobile": 9121110000}', 422),
        ('{"username": "x", "mobile": "12"}', 422),
        ('{"username": "x", "mobile": "09121110000", "api_keys": "abc"}', 422),
        ('{"username": "x", "mobile": "09121110000", "colour": "red"}', 422),
        ('{"username": "x", "mobile": "09121110000", "api_key": "sandbox-api-key"}', 409),
    ],
)
async def test_bad_user_bodies_are_rejected_and_change_nothing(
    client: TestClient, body: str, status: int
) -> None:
    before = await get_json(client, "/__sandbox/users")
    resp = await client.post(
        "/__sandbox/users", data=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status == status
    assert (await resp.json())["error"]
    assert await get_json(client, "/__sandbox/users") == before


async def test_patterns_list_add_and_reject(client: TestClient) -> None:
    codes = [p["code"] for p in (await get_json(client, "/__sandbox/patterns"))["items"]]
    assert "sandbox-otp" in codes
    resp = await client.post("/__sandbox/patterns", json={"code": "qa", "text": "hi %name%"})
    assert resp.status == 201
    assert (await resp.json())["variables"] == ["name"]
    duplicate = await client.post("/__sandbox/patterns", json={"code": "qa", "text": "x"})
    assert duplicate.status == 409
    missing_text = await client.post("/__sandbox/patterns", json={"code": "q2"})
    assert missing_text.status == 422
    codes = [p["code"] for p in (await get_json(client, "/__sandbox/patterns"))["items"]]
    assert codes.count("qa") == 1
    assert "q2" not in codes


async def test_clock_advance_and_set(client: TestClient) -> None:
    start = await get_json(client, "/__sandbox/clock")
    resp = await client.post("/__sandbox/clock/advance", json={"seconds": 86400})
    advanced = await resp.json()
    assert advanced["now"] - start["now"] >= 86400
    resp = await client.post("/__sandbox/clock/set", json={"time": "2030-01-02T03:04:05Z"})
    assert (await resp.json())["iso"].startswith("2030-01-02T03:04:0")
    resp = await client.post("/__sandbox/clock/set", json={"time": 1900000000})
    assert round((await resp.json())["now"]) in (1900000000, 1900000001)
    for path, body in [
        ("/__sandbox/clock/advance", {"seconds": -5}),
        ("/__sandbox/clock/advance", {"seconds": "5"}),
        ("/__sandbox/clock/set", {"time": "next tuesday"}),
        ("/__sandbox/clock/set", {"time": True}),
    ]:
        resp = await client.post(path, json=body)
        assert resp.status == 422, (path, body)


async def test_forced_bulk_state_shows_in_the_report(client: TestClient) -> None:
    bulk_id = await send(client, ["+989120000081"])
    resp = await client.post(f"/__sandbox/bulks/{bulk_id}/state", json={"state_id": 9})
    assert await resp.json() == {"id": bulk_id, "state_id": 9}
    resp = await client.post(f"/__sandbox/bulks/{bulk_id}/state", json={"state_id": 6})
    assert resp.status == 422
    resp = await client.post("/__sandbox/bulks/42/state", json={"state_id": 9})
    assert resp.status == 404
    for bad_id in ("x", "%C2%B9", "-1"):
        resp = await client.post(f"/__sandbox/bulks/{bad_id}/state", json={"state_id": 9})
        assert resp.status == 400, bad_id
    listing = await get_json(client, f"/__sandbox/messages?bulk_id={bulk_id}")
    assert listing["items"][0]["message_status"] is None


async def test_request_journal_filters_and_clears(client: TestClient) -> None:
    await send(client, ["+989120000091"])
    await client.post("/api/send", json={}, headers=AUTH)
    await client.get("/healthz")
    await client.get("/__sandbox/messages")
    journal = await get_json(client, "/__sandbox/requests?method=POST&path=/api/send")
    assert [e["status"] for e in journal["items"]] == [422, 200]
    assert all(API_KEY not in str(e) for e in journal["items"])
    everything = await get_json(client, "/__sandbox/requests")
    assert all(not e["path"].startswith("/__sandbox") for e in everything["items"])
    assert (await get_json(client, "/__sandbox/requests?status=422"))["total"] == 1
    resp = await client.delete("/__sandbox/requests")
    assert (await resp.json())["deleted"] == 3
    assert (await get_json(client, "/__sandbox/requests"))["total"] == 0


async def test_journal_is_capped(aiohttp_client: Any) -> None:
    client = await app_client(aiohttp_client, SandboxConfig(journal_capacity=5))
    for _ in range(8):
        await client.get("/healthz")
    assert (await get_json(client, "/__sandbox/requests"))["total"] == 5


async def test_reset_restores_the_seeded_start(client: TestClient) -> None:
    start_users = await get_json(client, "/__sandbox/users")
    await send(client, ["+989120000101"])
    await client.post("/__sandbox/users", json={"username": "tmp", "mobile": "09121112222"})
    await client.post("/__sandbox/patterns", json={"code": "tmp", "text": "t"})
    await client.post("/__sandbox/chaos", json={"route": "*", "first_n": 1, "status": 503})
    await client.post("/__sandbox/clock/advance", json={"seconds": 10**6})

    resp = await client.post("/__sandbox/reset")
    assert resp.status == 200
    assert (await get_json(client, "/__sandbox/messages"))["total"] == 0
    assert (await get_json(client, "/__sandbox/requests"))["total"] == 0
    assert (await get_json(client, "/__sandbox/chaos"))["rules"] == []
    assert (await get_json(client, "/__sandbox/clock"))["offset"] == 0
    patterns = await get_json(client, "/__sandbox/patterns")
    assert "tmp" not in [p["code"] for p in patterns["items"]]
    users = await get_json(client, "/__sandbox/users")
    assert [u["username"] for u in users["items"]] == [u["username"] for u in start_users["items"]]
    assert (await client.get("/api/payment/credit/mine", headers=AUTH)).status == 200


async def test_admin_token_guards_every_admin_route(aiohttp_client: Any) -> None:
    client = await app_client(aiohttp_client, SandboxConfig(admin_token="s3cret"))
    guarded = [
        ("GET", "/__sandbox/messages"),
        ("POST", "/__sandbox/reset"),
        ("GET", "/__sandbox/users"),
        ("PUT", "/__sandbox/ratelimit"),
    ]
    for method, path in guarded:
        resp = await client.request(method, path)
        assert resp.status == 401, path
        assert "X-Sandbox-Admin-Token" in (await resp.json())["error"]
        wrong = await client.request(method, path, headers={"X-Sandbox-Admin-Token": "nope"})
        assert wrong.status == 401
    resp = await client.get("/__sandbox/users", headers={"X-Sandbox-Admin-Token": "s3cret"})
    assert resp.status == 200
    assert (await client.get("/healthz")).status == 200


async def test_a_reset_refuses_a_users_file_that_went_bad_and_resets_nothing(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """The users file is read again on every reset; edited into a bad one after start-up, the
    reset answered 500 half done (the file's users gone, the rest reset)."""
    users = tmp_path / "users.json"
    users.write_text('[{"username": "qa", "mobile": "09121110000", "api_key": "qa-key"}]')
    client = await app_client(aiohttp_client, SandboxConfig(users_file=str(users)))
    await client.post("/__sandbox/clock/advance", json={"seconds": 60})
    users.write_text('[{"username": "qa", "mobile": "09121110000", "credit": NaN}]')
    resp = await client.post("/__sandbox/reset")
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"] == (
        "user 1 ('qa'): credit must be a finite number from 0 to 1000000000000000"
    )
    assert (await get_json(client, "/__sandbox/clock"))["offset"] == 60
    assert "qa" in [u["username"] for u in (await get_json(client, "/__sandbox/users"))["items"]]
    users.write_text('[{"username": "qa2", "mobile": "09121110000"}]')
    assert (await client.post("/__sandbox/reset")).status == 200
    names = [u["username"] for u in (await get_json(client, "/__sandbox/users"))["items"]]
    assert names[-1] == "qa2"
    assert "qa" not in names
