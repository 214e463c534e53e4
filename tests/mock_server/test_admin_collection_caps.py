"""What the admin API adds is bounded: users, shared patterns, chaos rules and API keys have
a cap; past it the request is refused naming the limit, nothing changes, and a reset empties
them as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.chaos import MAX_CHAOS_RULES
from ippanel_mock.models.patterns import DEMO_PATTERNS, MAX_SHARED_PATTERNS
from ippanel_mock.models.users import MAX_USERS, UserError
from ippanel_mock.models.users_file import MAX_API_KEYS
from sandbox_support import app_client, backend_of


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await app_client(aiohttp_client, SandboxConfig(delivery_delay=0))


async def post(client: TestClient, path: str, body: dict[str, Any], status: int) -> Any:
    resp = await client.post(path, json=body)
    assert resp.status == status, await resp.text()
    return await resp.json()


async def listing(client: TestClient, path: str) -> Any:
    resp = await client.get(path)
    assert resp.status == 200, await resp.text()
    return await resp.json()


async def credit(client: TestClient, api_key: str) -> Any:
    return await client.get("/api/payment/credit/mine", headers={"Authorization": api_key})


def user_body(number: int) -> dict[str, Any]:
    return {"username": f"qa{number}", "mobile": f"0912{number:07d}", "api_key": f"qa{number}-key"}


def test_the_user_cap_holds_in_the_model() -> None:
    backend = SandboxBackend(SandboxConfig())
    users = backend.users
    for number in range(len(users.all()), MAX_USERS):
        users.create_from_mapping(user_body(number))
    assert len(users.all()) == MAX_USERS
    with pytest.raises(UserError, match=f"at most {MAX_USERS} users"):
        users.create_from_mapping(user_body(MAX_USERS))
    assert len(users.all()) == MAX_USERS
    assert users.get(f"qa{MAX_USERS}") is None
    backend.reset()
    assert len(users.all()) < 10


async def test_a_user_past_the_cap_is_a_409_naming_it_and_changes_nothing(
    client: TestClient,
) -> None:
    backend = backend_of(client)
    backend.users.max_users = len(backend.users.all()) + 2
    for number in range(2):
        await post(client, "/__sandbox/users", user_body(number), 201)
    before = await listing(client, "/__sandbox/users")

    refused = await post(client, "/__sandbox/users", user_body(7), 409)

    cap = backend.users.max_users
    assert refused == {"error": f"at most {cap} users; a reset removes the added ones"}
    assert await listing(client, "/__sandbox/users") == before
    assert (await credit(client, "qa7-key")).status == 401
    await post(client, "/__sandbox/reset", {}, 200)
    assert len((await listing(client, "/__sandbox/users"))["items"]) < len(before["items"])
    await post(client, "/__sandbox/users", user_body(7), 201)
    assert (await credit(client, "qa7-key")).status == 200


def test_a_users_file_past_the_user_cap_is_refused_naming_it(tmp_path: Path) -> None:
    backend = SandboxBackend(SandboxConfig())
    backend.users.max_users = len(backend.users.all()) + 1
    path = tmp_path / "users.json"
    path.write_text(json.dumps([user_body(1), user_body(2)]))
    with pytest.raises(UserError, match=r"user 2 \('qa2'\): at most \d+ users"):
        backend.users.load_file(path)


def test_a_user_holds_at_most_max_api_keys(tmp_path: Path) -> None:
    users = SandboxBackend(SandboxConfig()).users
    keys = [f"key-{i}" for i in range(MAX_API_KEYS)]
    users.create_user("full", mobile="09121110000", api_keys=keys)
    assert users.authenticate(keys[-1]) is not None

    path = tmp_path / "users.json"
    others = [f"other-{i}" for i in range(MAX_API_KEYS)]
    path.write_text(json.dumps([{**user_body(1), "api_keys": others}]))
    with pytest.raises(UserError, match=f"at most {MAX_API_KEYS} api keys"):
        users.load_file(path)
    assert users.get("qa1") is None
    assert users.authenticate("qa1-key") is None
    assert users.authenticate("other-0") is None


async def test_shared_patterns_fill_to_the_cap_then_409_changing_nothing(
    client: TestClient,
) -> None:
    for number in range(len(DEMO_PATTERNS), MAX_SHARED_PATTERNS):
        await post(client, "/__sandbox/patterns", {"code": f"p{number}", "text": "%x%"}, 201)
    before = await listing(client, "/__sandbox/patterns")
    assert len(before["items"]) == MAX_SHARED_PATTERNS

    refused = await post(client, "/__sandbox/patterns", {"code": "one-more", "text": "%y%"}, 409)

    assert refused == {
        "error": f"at most {MAX_SHARED_PATTERNS} shared patterns; a reset removes the added ones"
    }
    assert await listing(client, "/__sandbox/patterns") == before
    await post(client, "/__sandbox/reset", {}, 200)
    after = await listing(client, "/__sandbox/patterns")
    assert [p["code"] for p in after["items"]] == list(DEMO_PATTERNS)
    await post(client, "/__sandbox/patterns", {"code": "one-more", "text": "%y%"}, 201)


async def test_chaos_rules_fill_to_the_cap_then_409_changing_nothing(client: TestClient) -> None:
    rule = {"route": "GET /api/never", "first_n": 1, "status": 503}
    for _ in range(MAX_CHAOS_RULES):
        await post(client, "/__sandbox/chaos", rule, 201)
    before = await listing(client, "/__sandbox/chaos")
    assert len(before["rules"]) == MAX_CHAOS_RULES

    refused = await post(client, "/__sandbox/chaos", {**rule, "route": "*"}, 409)

    assert refused == {"error": f"at most {MAX_CHAOS_RULES} chaos rules; delete some first"}
    assert await listing(client, "/__sandbox/chaos") == before
    # the refused "*" rule (a 503 for everything) was not added
    assert (await credit(client, "sandbox-api-key")).status == 200
    resp = await client.delete(f"/__sandbox/chaos/{before['rules'][0]['id']}")
    assert resp.status == 200
    await post(client, "/__sandbox/chaos", rule, 201)
    await post(client, "/__sandbox/reset", {}, 200)
    assert (await listing(client, "/__sandbox/chaos"))["rules"] == []


async def test_a_chaos_route_longer_than_the_schema_allows_is_a_422(client: TestClient) -> None:
    refused = await post(
        client, "/__sandbox/chaos", {"route": "/" + "a" * 1000, "first_n": 1, "status": 503}, 422
    )
    assert "route" in refused["fields"]
    assert (await listing(client, "/__sandbox/chaos"))["rules"] == []


async def test_the_openapi_document_names_each_cap_and_its_409(client: TestClient) -> None:
    document = await listing(client, "/openapi.json")
    paths = document["paths"]
    for path, cap in (
        ("/__sandbox/users", MAX_USERS),
        ("/__sandbox/patterns", MAX_SHARED_PATTERNS),
        ("/__sandbox/chaos", MAX_CHAOS_RULES),
    ):
        operation = paths[path]["post"]
        assert f"at most {cap:,}" in operation["summary"]
        assert "409" in operation["responses"]
    rule = document["components"]["schemas"]["admin_chaos_rule_request"]
    assert rule["properties"]["route"]["maxLength"] == 200
