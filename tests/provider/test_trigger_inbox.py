"""IPPanelInboxTrigger: serialisation, and real reads of the sandbox's inbox with the async
client (replies due later on the sandbox clock, a watermark, a deadline, a refused key)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from airflow.sdk._shared.module_loading import import_string
from airflow_support import SANDBOX_SENDER, set_connection
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client.inbox import InboxQuery
from ippanel_provider.triggers.inbox import IPPanelInboxTrigger

YES_NO = InboxQuery.build(senders="09121234567", options=["YES", "NO"]).to_json()


def receive(
    sandbox: ThreadedSandbox, text: str, *, sender: str = "09121234567", at: float = 0
) -> int | None:
    body: dict[str, Any] = {"from": sender, "to": SANDBOX_SENDER, "text": text, "user": "sandbox"}
    if at:
        body["time"] = at
    response = requests.post(f"{sandbox.url}/__sandbox/inbox", json=body, timeout=10)
    response.raise_for_status()
    message_id: int | None = response.json()["items"][0]["id"]
    return message_id


async def only_event(trigger: IPPanelInboxTrigger) -> dict[str, Any]:
    events = [event.payload async for event in trigger.run()]
    assert len(events) == 1
    payload: dict[str, Any] = json.loads(json.dumps(events[0]))  # JSON-only payload
    return payload


def test_serialize_round_trip_is_json_and_importable() -> None:
    trigger = IPPanelInboxTrigger(
        query=InboxQuery.build(
            senders=["0912 123 4567", "+989351234567"],
            line="3000505",
            pattern=r"ok (\d+)",
            received_after=1_800_000_000,
        ).to_json(),
        from_id=41,
        ippanel_conn_id="sms",
        poke_interval=5,
        deadline=1_900_000_000.0,
    )
    classpath, kwargs = trigger.serialize()
    rebuilt = import_string(classpath)(**json.loads(json.dumps(kwargs)))
    assert rebuilt.serialize() == (classpath, kwargs)
    query = InboxQuery.from_json(kwargs["query"])
    assert query.senders == ("+989121234567", "+989351234567")
    assert (query.line, query.pattern, query.received_after) == (
        "+983000505",
        r"ok (\d+)",
        1_800_000_000.0,
    )
    assert (kwargs["from_id"], kwargs["deadline"]) == (41, 1_900_000_000.0)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_fires_success_when_the_reply_arrives(sandbox: ThreadedSandbox) -> None:
    receive(sandbox, "YES", sender="09351234567")  # someone else
    receive(sandbox, "no", at=time.time() + 0.4)  # due later on the sandbox clock
    trigger = IPPanelInboxTrigger(query=YES_NO, poke_interval=0.1, deadline=time.time() + 30)
    event = await only_event(trigger)
    assert event["status"] == "success"
    assert event["result"]["chosen_options"] == ["NO"]
    assert event["result"]["message"]["from"] == "+989121234567"
    assert event["result"]["message"]["text"] == "no"


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_reads_only_above_its_watermark(sandbox: ThreadedSandbox) -> None:
    old = receive(sandbox, "YES")
    receive(sandbox, "NO", at=time.time() + 0.3)
    trigger = IPPanelInboxTrigger(
        query=YES_NO, from_id=old, poke_interval=0.1, deadline=time.time() + 30
    )
    event = await only_event(trigger)
    assert [m["text"] for m in event["result"]["messages"]] == ["NO"]


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_fires_timeout_at_its_deadline(sandbox: ThreadedSandbox) -> None:
    receive(sandbox, "maybe")
    trigger = IPPanelInboxTrigger(query=YES_NO, poke_interval=0.05, deadline=time.time() + 0.3)
    event = await only_event(trigger)
    assert event["status"] == "timeout"
    assert (
        "No reply: waited for an SMS with one of YES, NO from +989121234567" in (event["message"])
    )


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_a_refused_api_key_ends_the_wait_as_failure(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_connection(monkeypatch, host=sandbox.url, password="not-a-key")
    trigger = IPPanelInboxTrigger(query=YES_NO, poke_interval=0.05, deadline=time.time() + 30)
    event = await only_event(trigger)
    assert event["status"] == "failure"
    assert "401" in event["message"]
    assert "not-a-key" not in event["message"]
