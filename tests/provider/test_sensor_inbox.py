"""IPPanelInboxSensor: poke and deferrable modes on the sandbox's inbox, resume, defaults, and
arguments refused when the DAG is parsed or the fields rendered."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
from airflow_support import SANDBOX_SENDER, RecordingTaskInstance, send_sms
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import InvalidRecipientsError
from ippanel_provider.client.inbox import InboxQuery
from ippanel_provider.sensors.inbox import IPPanelInboxSensor
from ippanel_provider.triggers.inbox import IPPanelInboxTrigger


def receive(
    sandbox: ThreadedSandbox, text: str, sender: str = "09121234567", at: float = 0
) -> None:
    body: dict[str, Any] = {"from": sender, "to": SANDBOX_SENDER, "text": text, "user": "sandbox"}
    if at:
        body["time"] = at
    requests.post(f"{sandbox.url}/__sandbox/inbox", json=body, timeout=10).raise_for_status()


def context(started: datetime | None = None) -> Any:
    """A task context whose DAG run started at ``started`` (default: a minute ago)."""
    start = started or datetime.now(UTC) - timedelta(minutes=1)
    return {"ti": RecordingTaskInstance(), "dag_run": SimpleNamespace(start_date=start)}


def yes_no(**kwargs: Any) -> IPPanelInboxSensor:
    return IPPanelInboxSensor(
        task_id="wait", from_numbers="0912 123 4567", options=["YES", "NO"], **kwargs
    )


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_poke_waits_then_returns_the_reply_and_the_option(sandbox: ThreadedSandbox) -> None:
    sensor = yes_no()
    receive(sandbox, "YES", sender="09351234567")
    assert sensor.poke(context()) is False
    receive(sandbox, "Yes.")
    result = sensor.poke(context()).xcom_value  # type: ignore[union-attr]
    assert result["chosen_options"] == ["YES"]
    assert (result["message"]["from"], result["message"]["text"]) == ("+989121234567", "Yes.")


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_replies_from_before_the_run_started_do_not_count(sandbox: ThreadedSandbox) -> None:
    receive(sandbox, "YES")
    time.sleep(1.1)  # inbox times are whole seconds
    sensor = yes_no()
    assert sensor.poke(context(datetime.now(UTC))) is False
    explicit = yes_no(received_after=(datetime.now(UTC) - timedelta(minutes=5)).isoformat())
    assert explicit.poke(context(datetime.now(UTC))).xcom_value["chosen_options"] == ["YES"]  # type: ignore[union-attr]


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_after_send_ignores_replies_from_before_the_send_went_out(
    sandbox: ThreadedSandbox,
) -> None:
    """A YES that came after the run started but before the question was sent answers nothing."""
    receive(sandbox, "YES")
    time.sleep(1.1)  # inbox and report times are whole seconds
    ids = send_sms(sandbox, "09121234567", message="Release? Reply YES or NO")
    assert yes_no().poke(context()).xcom_value["chosen_options"] == ["YES"]  # type: ignore[union-attr]
    for given in (ids, str(ids), ids[0]):  # the XCom, its rendered text, one id
        assert yes_no(after_send=given).poke(context()) is False
    receive(sandbox, "no")
    result = yes_no(after_send=str(ids)).poke(context()).xcom_value  # type: ignore[union-attr]
    assert (result["chosen_options"], result["message"]["text"]) == (["NO"], "no")


@pytest.mark.parametrize("given", ["abc", "[0]", [-3]])
def test_after_send_must_name_outbox_ids(given: Any) -> None:
    sensor = yes_no(after_send=given)
    with pytest.raises(ValueError, match="after_send must be outbox ids"):
        sensor._after_render()


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_a_reply_to_the_sent_sms_ends_the_wait(sandbox: ThreadedSandbox) -> None:
    """The conversation as a DAG has it: a send, the phone's auto-reply, the sensor."""
    requests.post(
        f"{sandbox.url}/__sandbox/autoreplies",
        json={"number": "09121234567", "reply": "no", "delay": 0.5},
        timeout=10,
    ).raise_for_status()
    send_sms(sandbox, "09121234567", message="Release? Reply YES or NO")
    sensor = yes_no(poke_interval=0.2, timeout=30)
    result = sensor.execute(context())
    assert result["chosen_options"] == ["NO"]


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_poke_mode_timeout_fails_or_chooses_the_defaults(sandbox: ThreadedSandbox) -> None:
    receive(sandbox, "maybe")
    with pytest.raises(AirflowSensorTimeout, match="No reply: waited for an SMS with one of"):
        yes_no(timeout=0.3, poke_interval=0.1).execute(context())
    chosen = yes_no(timeout=0.3, poke_interval=0.1, defaults="NO").execute(context())
    assert chosen == {"chosen_options": ["NO"], "message": None, "messages": []}


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_deferrable_sensor_defers_from_the_last_message_it_read(sandbox: ThreadedSandbox) -> None:
    receive(sandbox, "maybe")
    started = datetime.now(UTC) - timedelta(minutes=1)
    sensor = yes_no(deferrable=True, poke_interval=7, timeout=120, to_line="3000505")
    with pytest.raises(TaskDeferred) as info:
        sensor.execute(context(started))
    trigger = info.value.trigger
    assert isinstance(trigger, IPPanelInboxTrigger)
    assert info.value.method_name == "execute_complete"
    query = InboxQuery.from_json(trigger.query)
    assert (query.senders, query.options, query.line) == (
        ("+989121234567",),
        ("YES", "NO"),
        "+983000505",
    )
    assert query.received_after == started.timestamp()
    assert trigger.from_id == 1  # "maybe" was read: the trigger starts after it
    assert trigger.poke_interval == 7.0
    assert trigger.deadline is not None
    assert trigger.deadline - time.time() > 100


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_deferrable_sensor_finishes_at_once_when_the_reply_is_there(
    sandbox: ThreadedSandbox,
) -> None:
    receive(sandbox, "yes")
    result = yes_no(deferrable=True).execute(context())
    assert result["chosen_options"] == ["YES"]


def test_execute_complete_maps_events_to_outcomes() -> None:
    ctx = context()
    reply = {"chosen_options": ["YES"], "message": {"text": "yes"}, "messages": []}
    assert yes_no().execute_complete(ctx, {"status": "success", "result": reply}) == reply
    with pytest.raises(AirflowSensorTimeout, match="No reply"):
        yes_no(timeout=60).execute_complete(ctx, {"status": "timeout", "message": "No reply"})
    defaulted = yes_no(defaults=["NO"]).execute_complete(ctx, {"status": "timeout"})
    assert defaulted["chosen_options"] == ["NO"]
    with pytest.raises(AirflowFailException, match="401"):
        yes_no().execute_complete(ctx, {"status": "failure", "message": "IPPanel: HTTP 401"})


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"options": ["YES"], "pattern": "y"}, "not options and pattern"),
        ({"defaults": ["NO"]}, "defaults needs options"),
        ({"options": ["YES", "NO"], "defaults": ["MAYBE"]}, "not among options"),
        ({"received_after": 1.0, "after_send": [1100000001]}, "received_after or after_send"),
    ],
)
def test_bad_sensor_arguments_fail_at_parse_time(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        IPPanelInboxSensor(task_id="wait", **kwargs)


def test_a_bad_rendered_number_fails_before_the_first_read() -> None:
    sensor = IPPanelInboxSensor(task_id="wait", from_numbers="09121234567, 12345")
    with pytest.raises(InvalidRecipientsError, match="#2: '12345'"):
        sensor._after_render()
