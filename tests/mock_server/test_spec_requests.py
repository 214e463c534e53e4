"""The spec's own request bodies are served as the spec says (copied in fixtures/spec_requests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ippanel_mock import SandboxConfig
from sandbox_support import AUTH, AiohttpClient, app_client

BODIES = Path(__file__).resolve().parents[2] / "fixtures/spec_requests/bodies.json"
SEND_BODIES = [
    body
    for body in json.loads(BODIES.read_text("utf-8"))
    if body.get("sending_type") not in (None, "peer_to_peer_file")  # that one is multipart
]


@pytest.mark.parametrize("body", SEND_BODIES, ids=lambda b: str(b["sending_type"]))
async def test_every_send_example_of_the_spec_is_accepted_or_answered_as_documented(
    body: dict[str, Any], aiohttp_client: AiohttpClient
) -> None:
    client = await app_client(aiohttp_client, SandboxConfig(delivery_delay=0))
    resp = await client.post("/api/send", json=body, headers=AUTH)
    answer = await resp.json()
    if body["sending_type"] == "pattern":
        # the spec's code "xxxxxxxxxxxxxxx" is a placeholder: an unknown pattern
        assert resp.status == 400
        assert answer["meta"]["message_code"] == "400-1"
        return
    assert resp.status == 200, answer
    ids = answer["data"]["message_outbox_ids"]
    expected = len(body["params"]) if body["sending_type"] == "peer_to_peer" else 1
    assert len(ids) == expected
    report = await client.get(
        "/api/report/by_bulk", params={"messages_outbox_id": str(ids[0])}, headers=AUTH
    )
    assert (await report.json())["data"]["messages_outbox_id"] == str(ids[0])


def test_the_spec_examples_cover_every_json_sending_type() -> None:
    assert {b["sending_type"] for b in SEND_BODIES} == {
        "normal", "webservice", "peer_to_peer", "postal_code", "pattern", "votp",
    }  # fmt: skip
