"""IPPanelDeliverySensor: poke outcomes against the sandbox's lifecycle, deferral, resume."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout, TaskDeferred
from airflow_support import add_chaos, force_state, poke, send_sms, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import OutboxState
from ippanel_provider.client.delivery import coerce_outbox_ids
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor
from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_delivered_bulk_returns_a_summary(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567", "09351234567")
    summary = poke(IPPanelDeliverySensor(task_id="w", outbox_ids=ids, wait_for="delivered"))
    [bulk] = summary.values()
    assert list(summary) == [str(ids[0])]
    assert bulk["state_id"] == 6
    assert bulk["counts"]["delivered"] == 2
    assert bulk["delivered_ratio"] == 1.0


@pytest.mark.ippanel_sandbox(delivery_delay=600)
@pytest.mark.parametrize("wait_for", ["sent", "delivered"])
def test_bulk_still_sending_keeps_the_sensor_waiting(
    sandbox: ThreadedSandbox, wait_for: str
) -> None:
    ids = send_sms(sandbox, "09121234567")
    assert poke(IPPanelDeliverySensor(task_id="w", outbox_ids=ids, wait_for=wait_for)) is False


@pytest.mark.ippanel_sandbox(delivery_delay=600)
@pytest.mark.parametrize("state", [3, 4, 7, 8, 9])
def test_failed_bulk_states_fail_the_task_naming_bulk_and_meaning(
    sandbox: ThreadedSandbox, state: int
) -> None:
    [bulk_id] = send_sms(sandbox, "09121234567")
    force_state(sandbox, bulk_id, state)
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=bulk_id)
    with pytest.raises(AirflowFailException) as info:
        poke(sensor)
    assert str(bulk_id) in str(info.value)
    assert OutboxState(state).meaning in str(info.value)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_delivered_ratio_is_enforced_over_all_bulks(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567") + send_sms(sandbox, "09120000003")
    strict = IPPanelDeliverySensor(
        task_id="w", outbox_ids=ids, wait_for="delivered", min_delivered_ratio=0.9
    )
    with pytest.raises(AirflowFailException, match="Only 1 of 2"):
        poke(strict)
    lenient = IPPanelDeliverySensor(
        task_id="w", outbox_ids=ids, wait_for="delivered", min_delivered_ratio=0.5
    )
    summary = poke(lenient)
    assert summary[str(ids[1])]["counts"]["failed"] == 1


@pytest.mark.ippanel_sandbox(delivery_delay=600)
def test_poke_mode_times_out(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=ids, timeout=0.3, poke_interval=0.1)
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute(task_context())  # type: ignore[arg-type]


@pytest.mark.ippanel_sandbox(delivery_delay=600)
def test_deferrable_sensor_defers_to_the_trigger(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    sensor = IPPanelDeliverySensor(
        task_id="w",
        outbox_ids=str(ids[0]),
        wait_for="delivered",
        min_delivered_ratio=0.5,
        deferrable=True,
        poke_interval=7,
        timeout=120,
        ippanel_conn_id="ippanel_default",
    )
    with pytest.raises(TaskDeferred) as info:
        sensor.execute(task_context())  # type: ignore[arg-type]
    trigger = info.value.trigger
    assert isinstance(trigger, IPPanelDeliveryTrigger)
    assert info.value.method_name == "execute_complete"
    assert trigger.outbox_ids == ids
    assert (trigger.wait_for, trigger.min_delivered_ratio, trigger.poke_interval) == (
        "delivered",
        0.5,
        7.0,
    )
    assert trigger.deadline is not None


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_deferrable_sensor_finishes_at_once_when_already_done(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=ids, deferrable=True)
    summary = sensor.execute(task_context())  # type: ignore[arg-type]
    assert summary[str(ids[0])]["state_id"] == 6


def test_execute_complete_maps_events_to_outcomes() -> None:
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=[1])
    ctx: Any = task_context()
    summary = {"1": {"state_id": 6}}
    assert sensor.execute_complete(ctx, {"status": "success", "summary": summary}) == summary
    with pytest.raises(AirflowFailException, match="bulk 1 ended"):
        sensor.execute_complete(ctx, {"status": "failure", "message": "bulk 1 ended in state 8"})
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute_complete(ctx, {"status": "timeout", "message": "late", "summary": {}})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, [5]),
        ("5, 6", [5, 6]),
        ("[5, 6]", [5, 6]),
        ([[5, 6], [7]], [5, 6, 7]),
        ([5, "5"], [5]),
    ],
)
def test_outbox_ids_accept_xcom_shapes(value: object, expected: list[int]) -> None:
    assert coerce_outbox_ids(value) == expected


@pytest.mark.parametrize("value", ["", [], ["x"], [0], True, {"a": 1}])
def test_outbox_ids_reject_nonsense(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        coerce_outbox_ids(value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wait_for": "read"},
        {"wait_for": "delivered", "min_delivered_ratio": 1.5},
        {"wait_for": "sent", "min_delivered_ratio": 0.5},
    ],
)
def test_bad_sensor_arguments_fail_at_parse_time(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        IPPanelDeliverySensor(task_id="w", outbox_ids=[1], **kwargs)


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_server_error_during_a_poke_means_poke_again(sandbox: ThreadedSandbox) -> None:
    ids = send_sms(sandbox, "09121234567")
    add_chaos(sandbox, route="/api/report/*", first_n=1, status=500)
    sensor = IPPanelDeliverySensor(task_id="w", outbox_ids=ids)
    assert poke(sensor) is False
    assert poke(sensor)[str(ids[0])]["state_id"] == 6


def test_rendered_outbox_ids_are_resolved_to_the_ids() -> None:
    with DAG("ids", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        sensor = IPPanelDeliverySensor(task_id="w", outbox_ids="{{ params.ids }}")
    sensor.render_template_fields({"dag": dag, "params": {"ids": "11, 12"}})  # type: ignore[arg-type]
    assert sensor.outbox_ids == [11, 12]


def test_deferrable_defaults_to_the_operators_default_deferrable_setting() -> None:
    """The default is read from ``[operators] default_deferrable`` when the module is imported."""
    code = (
        "from ippanel_provider.sensors.delivery import IPPanelDeliverySensor\n"
        "print(IPPanelDeliverySensor(task_id='w', outbox_ids=[1]).deferrable)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__OPERATORS__")}
    runs = {
        setting: subprocess.Popen(
            [sys.executable, "-c", code],
            env={**env, "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": setting},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for setting in ("True", "False")
    }
    seen = {}
    for setting, process in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        seen[setting] = stdout.strip().splitlines()[-1]
    assert seen == {"True": "True", "False": "False"}


def test_old_delivery_check_path_still_works_and_says_where_it_moved() -> None:
    code = (
        "import warnings\n"
        "warnings.simplefilter('error', DeprecationWarning)\n"
        "try:\n"
        "    import ippanel_provider.sensors.delivery_check\n"
        "except DeprecationWarning as exc:\n"
        "    print(exc)\n"
        "warnings.simplefilter('ignore', DeprecationWarning)\n"
        "from ippanel_provider.sensors.delivery_check import evaluate_delivery\n"
        "from ippanel_provider.client.delivery import evaluate_delivery as moved\n"
        "print(evaluate_delivery is moved)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.splitlines()[-2:] == [
        "ippanel_provider.sensors.delivery_check is deprecated; "
        "import from ippanel_provider.client.delivery instead",
        "True",
    ]
