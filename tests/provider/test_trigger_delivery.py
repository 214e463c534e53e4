"""IPPanelDeliveryTrigger: serialisation and real polling of the sandbox with the async client."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from airflow.sdk._shared.module_loading import import_string
from airflow_support import add_chaos, chaos_fired, force_state, send_sms, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox) -> ThreadedSandbox:
    use_sandbox(monkeypatch, ippanel_sandbox)
    return ippanel_sandbox


async def first_event(trigger: IPPanelDeliveryTrigger) -> dict[str, Any]:
    events = [event.payload async for event in trigger.run()]
    assert len(events) == 1
    payload: dict[str, Any] = json.loads(json.dumps(events[0]))  # JSON-only payload
    return payload


def test_serialize_round_trip_is_json_and_importable() -> None:
    trigger = IPPanelDeliveryTrigger(
        outbox_ids=[11, 12],
        wait_for="delivered",
        min_delivered_ratio=0.8,
        ippanel_conn_id="sms",
        poke_interval=5,
        deadline=1_900_000_000.0,
    )
    classpath, kwargs = trigger.serialize()
    rebuilt = import_string(classpath)(**json.loads(json.dumps(kwargs)))
    assert rebuilt.serialize() == (classpath, kwargs)
    assert kwargs["deadline"] == 1_900_000_000.0


@pytest.mark.ippanel_sandbox(delivery_delay=0.3)
async def test_run_fires_success_once_delivered(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567", "09351234567")
    trigger = IPPanelDeliveryTrigger(
        outbox_ids=ids, wait_for="delivered", poke_interval=0.1, deadline=time.time() + 30
    )
    event = await first_event(trigger)
    assert event["status"] == "success"
    assert event["summary"][str(ids[0])]["counts"]["delivered"] == 2


@pytest.mark.ippanel_sandbox(delivery_delay=600)
async def test_run_fires_failure_for_a_failed_bulk(sandbox: ThreadedSandbox) -> None:
    [bulk_id] = send_sms(sandbox, "09121234567")
    force_state(sandbox, bulk_id, 8)
    trigger = IPPanelDeliveryTrigger(outbox_ids=[bulk_id], poke_interval=0.1)
    event = await first_event(trigger)
    assert event["status"] == "failure"
    assert f"bulk {bulk_id} ended in state 8" in event["message"]


@pytest.mark.ippanel_sandbox(delivery_delay=600)
async def test_run_fires_timeout_at_its_deadline(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    trigger = IPPanelDeliveryTrigger(outbox_ids=ids, poke_interval=0.05, deadline=time.time() + 0.2)
    event = await first_event(trigger)
    assert event["status"] == "timeout"
    assert event["summary"][str(ids[0])]["state_id"] in (2, 5)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_reports_an_unknown_bulk_as_failure(sandbox: ThreadedSandbox) -> None:
    trigger = IPPanelDeliveryTrigger(outbox_ids=[999], poke_interval=0.05)
    event = await first_event(trigger)
    assert event["status"] == "failure"
    assert "404" in event["message"]


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_polls_through_a_server_error(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    add_chaos(sandbox, route="/api/report/*", first_n=1, status=500)
    trigger = IPPanelDeliveryTrigger(outbox_ids=ids, poke_interval=0.05, deadline=time.time() + 30)
    event = await first_event(trigger)
    assert event["status"] == "success"
    assert chaos_fired(sandbox) == 1
