"""What the delivery sensor tells its user: counts per bulk and in total, SMS-sized defaults,
and a clear outcome for recipients the operator never reports on (numbers ending 0000/0001)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from itertools import islice

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
from airflow_support import poke, send_sms, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor
from ippanel_provider.triggers import delivery as trigger_module
from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger

STUCK_AT_OPERATOR = "09120000000"  # the sandbox leaves it at status 0 ("sent to operator")
STUCK_RECEIVED = "09350000001"  # status 1 ("operator received"), never final
NOT_DELIVERED = "09120000003"


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_delivered_wait_reports_failed_recipients_instead_of_all_delivered(
    sandbox: ThreadedSandbox,
) -> None:
    """1 of 4 not delivered: the outcome says so, per bulk and in total."""
    [bulk_a] = send_sms(sandbox, "09121234567", "09351234567", NOT_DELIVERED)
    [bulk_b] = send_sms(sandbox, "09191234567")
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=[bulk_a, bulk_b], wait_for="delivered")
    verdict = sensor.check_once()
    assert verdict is not None
    assert verdict.status == "success"
    assert "all 2 bulk(s) delivered" not in verdict.message
    assert "4 recipient(s) in 2 bulk(s): 3 delivered, 1 failed, 0 blacklisted, 0 pending" in (
        verdict.message
    )
    assert f"bulk {bulk_a} (sent): 2 delivered, 1 failed, 0 blacklisted, 0 pending" in (
        verdict.message
    )
    assert f"bulk {bulk_b} (sent): 1 delivered, 0 failed" in verdict.message


@pytest.mark.ippanel_sandbox(delivery_delay=600)
def test_waiting_message_counts_pending_recipients(sandbox: ThreadedSandbox) -> None:
    [bulk] = send_sms(sandbox, "09121234567", "09351234567")
    verdict = IPPanelDeliverySensor(task_id="w", outbox_ids=bulk).check_once()
    assert verdict is not None
    assert verdict.status == "waiting"
    assert f"Waiting for bulk(s) {bulk} to be sent" in verdict.message
    assert "2 recipient(s) in 1 bulk(s): 0 delivered, 0 failed, 0 blacklisted, 2 pending" in (
        verdict.message
    )


def test_defaults_fit_sms_not_airflows_seven_days() -> None:
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=[1])
    assert sensor.timeout == 3600
    assert sensor.poke_interval == 2
    assert sensor.exponential_backoff is True
    assert sensor.max_wait == timedelta(seconds=60)


def test_dag_default_args_still_override_the_defaults() -> None:
    with DAG(
        "defaults",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1),
        default_args={"timeout": 120, "poke_interval": 10, "exponential_backoff": False},
    ):
        sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=[1])
    assert (sensor.timeout, sensor.poke_interval, sensor.exponential_backoff) == (120, 10, False)


@pytest.mark.ippanel_sandbox(delivery_delay=600)
def test_deferred_wait_polls_at_two_seconds_then_backs_off_to_a_minute(
    sandbox: ThreadedSandbox,
) -> None:
    ids = send_sms(sandbox, "09121234567")
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=ids, deferrable=True)
    with pytest.raises(TaskDeferred) as info:
        sensor.execute(task_context())  # type: ignore[arg-type]
    trigger = info.value.trigger
    assert isinstance(trigger, IPPanelDeliveryTrigger)
    assert (trigger.poke_interval, trigger.max_poke_interval) == (2.0, 60.0)
    assert trigger.deadline == pytest.approx(time.time() + 3600, abs=30)
    waits = list(islice(trigger_module.poll_intervals(2.0, 60.0), 8))
    assert waits == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert sum(islice(trigger_module.poll_intervals(2.0, 60.0), 65)) > 3600  # ~60 polls an hour


def test_trigger_kwargs_survive_serialisation_and_old_ones_still_load() -> None:
    trigger = IPPanelDeliveryTrigger(outbox_ids=[1], poke_interval=2, max_poke_interval=60)
    classpath, kwargs = trigger.serialize()
    assert IPPanelDeliveryTrigger(**json.loads(json.dumps(kwargs))).serialize() == (
        classpath,
        kwargs,
    )
    old = {k: v for k, v in kwargs.items() if k != "max_poke_interval"}  # before this release
    assert list(islice(trigger_module.poll_intervals(7.0, None), 3)) == [7.0, 7.0, 7.0]
    assert IPPanelDeliveryTrigger(**old).max_poke_interval is None


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_stuck_recipients_do_not_hold_up_a_ratio_that_is_already_met(
    sandbox: ThreadedSandbox,
) -> None:
    ids = send_sms(sandbox, "09121234567", "09351234567", "09191234567", STUCK_AT_OPERATOR)
    sensor = IPPanelDeliverySensor(
        task_id="w", outbox_ids=ids, wait_for="delivered", min_delivered_ratio=0.75
    )
    counts = poke(sensor)[str(ids[0])]["counts"]
    assert counts["delivered"] == 3
    assert counts["pending"] + counts["sent"] == 1  # still at the operator, not waited for


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_a_ratio_that_can_no_longer_be_met_fails_without_waiting_for_stuck_ones(
    sandbox: ThreadedSandbox,
) -> None:
    ids = send_sms(sandbox, "09121234567", NOT_DELIVERED, NOT_DELIVERED, STUCK_RECEIVED)
    sensor = IPPanelDeliverySensor(
        task_id="w", outbox_ids=ids, wait_for="delivered", min_delivered_ratio=0.6
    )
    with pytest.raises(AirflowFailException) as info:
        poke(sensor)
    assert "Only 1 of 4 recipient(s) delivered (25.0%) and at most 50.0% can be" in str(info.value)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_poke_mode_timeout_names_the_recipients_without_a_final_status(
    sandbox: ThreadedSandbox,
) -> None:
    ids = send_sms(sandbox, "09121234567", STUCK_AT_OPERATOR, STUCK_RECEIVED)
    sensor = IPPanelDeliverySensor(
        task_id="w", outbox_ids=ids, wait_for="delivered", timeout=0.5, poke_interval=0.1
    )
    with pytest.raises(AirflowSensorTimeout) as info:
        sensor.execute(task_context())  # type: ignore[arg-type]
    assert "2 recipient(s) never got a final status" in str(info.value)
    assert "1 delivered, 0 failed, 0 blacklisted, 2 pending" in str(info.value)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
async def test_trigger_timeout_names_the_recipients_without_a_final_status(
    sandbox: ThreadedSandbox,
) -> None:
    ids = send_sms(sandbox, STUCK_AT_OPERATOR, "09121234567")
    trigger = IPPanelDeliveryTrigger(
        outbox_ids=ids, wait_for="delivered", poke_interval=0.05, deadline=time.time() + 0.3
    )
    [event] = [e.payload async for e in trigger.run()]
    assert event["status"] == "timeout"
    assert "1 recipient(s) never got a final status" in event["message"]
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=ids, wait_for="delivered", timeout=90)
    with pytest.raises(AirflowSensorTimeout, match=r"never got a final status.*\(timeout 90 s\)"):
        sensor.execute_complete(task_context(), event)  # type: ignore[arg-type]


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_a_message_lists_at_most_ten_bulks_but_counts_them_all(sandbox: ThreadedSandbox) -> None:
    ids = [bulk for n in range(12) for bulk in send_sms(sandbox, f"0912123{n + 10:04d}")]
    verdict = IPPanelDeliverySensor(task_id="w", outbox_ids=ids).check_once()
    assert verdict is not None
    assert "12 recipient(s) in 12 bulk(s): 12 delivered" in verdict.message
    assert verdict.message.count("bulk 11") == 10
    assert verdict.message.endswith("; 2 more bulk(s)]")
