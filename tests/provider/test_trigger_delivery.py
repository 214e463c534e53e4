"""IPPanelDeliveryTrigger: serialisation and real polling of the sandbox with the async client."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from airflow.sdk._shared.module_loading import import_string
from airflow_support import add_chaos, captured, chaos_fired, force_state, send_sms
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import delivery as delivery_module
from ippanel_provider.client.errors import IPPanelRateLimitError
from ippanel_provider.triggers import delivery as trigger_module
from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger


def journal(sandbox: ThreadedSandbox) -> list[dict[str, Any]]:
    """Requests the sandbox served (GET /__sandbox/requests)."""
    response = requests.get(
        f"{sandbox.url}/__sandbox/requests", params={"per_page": 500}, timeout=10
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


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


class RecordedSleeps:
    """Stands in for the trigger's ``asyncio`` name: records each sleep, ends the wait later."""

    def __init__(self, trigger: IPPanelDeliveryTrigger, stop_after: int) -> None:
        self.trigger = trigger
        self.stop_after = stop_after
        self.seconds: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)
        if len(self.seconds) >= self.stop_after:
            self.trigger.deadline = time.time() - 1  # the next poll is the last one

    async def to_thread(self, function: Any) -> Any:
        return function()


@pytest.mark.ippanel_sandbox(delivery_delay=600)
async def test_run_sleeps_poke_interval_between_polls_also_after_errors(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = send_sms(sandbox, "09121234567")
    add_chaos(sandbox, route="/api/report/*", first_n=1, status=500)
    real_collect = delivery_module.acollect_snapshots
    rate_limited: list[bool] = []

    async def rate_limited_once(client: Any, outbox_ids: Any) -> Any:
        if not rate_limited:
            rate_limited.append(True)
            raise IPPanelRateLimitError(429, "429-1", "too many requests", retry_after=1.0)
        return await real_collect(client, outbox_ids)

    trigger = IPPanelDeliveryTrigger(outbox_ids=ids, poke_interval=7, deadline=time.time() + 3600)
    sleeps = RecordedSleeps(trigger, stop_after=3)
    monkeypatch.setattr(trigger_module, "asyncio", sleeps)
    monkeypatch.setattr(delivery_module, "acollect_snapshots", rate_limited_once)
    event = await first_event(trigger)
    # polls: 429 -> sleep, 500 -> sleep, still sending -> sleep, still sending -> timeout
    assert sleeps.seconds == [7.0, 7.0, 7.0]
    assert chaos_fired(sandbox) == 1
    assert event["status"] == "timeout"
    assert event["summary"][str(ids[0])]["state_id"] in (2, 5)


@pytest.mark.ippanel_sandbox(delivery_delay=600)
async def test_run_sleeps_no_longer_than_the_deadline(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = send_sms(sandbox, "09121234567")
    trigger = IPPanelDeliveryTrigger(outbox_ids=ids, poke_interval=600, deadline=time.time() + 30)
    sleeps = RecordedSleeps(trigger, stop_after=1)
    monkeypatch.setattr(trigger_module, "asyncio", sleeps)
    event = await first_event(trigger)
    [slept] = sleeps.seconds
    assert 0 < slept <= 30
    assert event["status"] == "timeout"


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_run_only_reads(sandbox: ThreadedSandbox) -> None:
    """No side effects: polling sends nothing and changes no bulk, so a re-run is harmless."""
    ids = send_sms(sandbox, "09121234567")
    before = captured(sandbox)
    trigger = IPPanelDeliveryTrigger(outbox_ids=ids, wait_for="delivered", poke_interval=0.05)
    assert (await first_event(trigger))["status"] == "success"
    assert (await first_event(trigger))["status"] == "success"
    assert captured(sandbox) == before
    api_calls = [(e["method"], e["path"]) for e in journal(sandbox) if "/api/" in e["path"]]
    polls = [call for call in api_calls if call[1].startswith("/api/report/")]
    assert len(polls) >= 2
    assert [call for call in api_calls if call not in polls] == [("POST", "/api/send")]
