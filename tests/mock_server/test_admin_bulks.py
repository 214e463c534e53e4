"""GET /__sandbox/bulks, /bulks/{id}, /bulks/{id}/recipients: the outbox of every user."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import BACKEND, create_app
from ippanel_mock.http.openapi import build_document
from jsonschema import Draft202012Validator
from sandbox_support import API_KEY

DELAY = 10.0


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_app(SandboxConfig(delivery_delay=DELAY)))


async def send(client: TestClient, recipients: list[str], message: str, key: str = API_KEY) -> int:
    body = {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": message,
        "params": {"recipients": recipients},
    }
    resp = await client.post("/api/send", json=body, headers={"Authorization": key})
    assert resp.status == 200, await resp.text()
    return int((await resp.json())["data"]["message_outbox_ids"][0])


async def get(client: TestClient, path: str, status: int = 200, **params: Any) -> Any:
    resp = await client.get(path, params={k: str(v) for k, v in params.items()})
    body = await resp.json()
    assert resp.status == status, body
    return body


def documented(path: str, status: int = 200) -> Draft202012Validator:
    doc = build_document(create_app(SandboxConfig()))
    response = doc["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": doc["components"]})


async def test_every_users_bulks_newest_first_with_cost_and_lifecycle(client: TestClient) -> None:
    persian = await send(client, ["09121234567", "09350000003"], "سلام دنیا")
    english = await send(client, ["09121110000"], "hello", key="sandbox-ga-api-key")

    listing = await get(client, "/__sandbox/bulks")
    documented("/__sandbox/bulks").validate(listing)
    assert [b["id"] for b in listing["items"]] == [english, persian]
    assert listing["total"] == 2
    ga, sandbox = listing["items"]
    assert (ga["user"], sandbox["user"]) == ("sandbox-ga", "sandbox")
    assert sandbox["recipients"] == 2
    assert (sandbox["parts"], sandbox["encoding"]) == (1, "fa")
    assert sandbox["cost"] == 2 * 1330
    assert sandbox["cost_per_message"] == 1330
    assert (ga["encoding"], ga["cost"]) == ("en", 3325)
    assert (sandbox["state_id"], sandbox["state"]) == (2, "sending")

    client.app[BACKEND].clock.advance(DELAY)
    later = await get(client, "/__sandbox/bulks")
    assert [(b["state_id"], b["state"]) for b in later["items"]] == [(6, "finish")] * 2


async def test_filters_and_pages(client: TestClient) -> None:
    ids = [await send(client, ["09121234567"], f"text {n}") for n in range(5)]
    other = await send(client, ["09121234567"], "ga's", key="sandbox-ga-api-key")

    page = await get(client, "/__sandbox/bulks", page=2, per_page=2)
    assert [b["id"] for b in page["items"]] == [ids[3], ids[2]]
    assert (page["total"], page["last_page"]) == (6, 3)
    beyond = await get(client, "/__sandbox/bulks", page=9, per_page=2)
    assert (beyond["items"], beyond["total"]) == ([], 6)

    chosen = await get(client, "/__sandbox/bulks", ids=f"{ids[0]},{other},1")
    assert [b["id"] for b in chosen["items"]] == [other, ids[0]]
    assert (await get(client, "/__sandbox/bulks", user="sandbox-ga"))["total"] == 1
    assert (await get(client, "/__sandbox/bulks", text="text 3"))["items"][0]["id"] == ids[3]
    assert (await get(client, "/__sandbox/bulks", state_id=2))["total"] == 6
    assert (await get(client, "/__sandbox/bulks", state_id=6))["total"] == 0
    first = (await get(client, f"/__sandbox/bulks/{ids[0]}"))["created_at"]
    assert (await get(client, "/__sandbox/bulks", until=first))["items"][0]["id"] == ids[0]
    assert (await get(client, "/__sandbox/bulks", since=first + 3600))["total"] == 0


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"ids": "1,,2"}, "ids"),
        ({"ids": "x"}, "ids"),
        ({"state_id": 10}, "state_id"),
        ({"since": "soon"}, "since"),
        ({"until": "-1"}, "until"),
        ({"per_page": 1001}, "per_page"),
        ({"page": 0}, "page"),
    ],
)
async def test_bad_filters_are_400_naming_the_parameter(
    client: TestClient, params: dict[str, Any], problem: str
) -> None:
    body = await get(client, "/__sandbox/bulks", status=400, **params)
    assert problem in body["error"]


async def test_one_bulk_counts_its_recipients_by_status_as_the_clock_moves(
    client: TestClient,
) -> None:
    bulk_id = await send(client, ["09121234567", "09350000003", "09120000000"], "سلام")
    detail = await get(client, f"/__sandbox/bulks/{bulk_id}")
    documented("/__sandbox/bulks/{bulk_id}").validate(detail)
    assert detail["by_status"] == [{"message_status": 0, "count": 3}]
    assert {(r["operator"], r["count"]) for r in detail["by_operator"]} == {
        ("mci", 2),
        ("irancell", 1),
    }

    backend = client.app[BACKEND]
    backend.clock.advance(DELAY / 2)
    assert (await get(client, f"/__sandbox/bulks/{bulk_id}"))["by_status"] == [
        {"message_status": 0, "count": 1},
        {"message_status": 1, "count": 2},
    ]
    backend.clock.advance(DELAY / 2)
    final = await get(client, f"/__sandbox/bulks/{bulk_id}")
    assert final["by_status"] == [
        {"message_status": 0, "count": 1},
        {"message_status": 2, "count": 1},
        {"message_status": 3, "count": 1},
    ]

    page = await get(client, f"/__sandbox/bulks/{bulk_id}/recipients", page=1, per_page=2)
    documented("/__sandbox/bulks/{bulk_id}/recipients").validate(page)
    assert page["items"] == [
        {"recipient": "+989121234567", "message_status": 2},
        {"recipient": "+989350000003", "message_status": 3},
    ]
    assert (page["total"], page["last_page"]) == (3, 2)

    forced = await client.post(f"/__sandbox/bulks/{bulk_id}/state", json={"state_id": 9})
    assert forced.status == 200
    after = await get(client, f"/__sandbox/bulks/{bulk_id}")
    assert (after["state_id"], after["by_status"]) == (9, [{"message_status": None, "count": 3}])


@pytest.mark.parametrize("suffix", ["", "/recipients"])
async def test_unknown_or_malformed_bulk_ids(client: TestClient, suffix: str) -> None:
    assert "no bulk" in (await get(client, f"/__sandbox/bulks/1100000999{suffix}", 404))["error"]
    bad = await get(client, f"/__sandbox/bulks/{'9' * 19}{suffix}", 400)
    assert "positive integer" in bad["error"]
