"""The example DAGs' sensors poll on their own SMS-sized schedule unless told otherwise.

Tests and the demo set ``IPPANEL_POKE_INTERVAL`` to poll every second; a user who runs the
examples as shipped gets the sensors' defaults, not a fixed 30 s wait for a 2 s delivery.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow.dag_processing.dagbag import DagBag
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor
from ippanel_provider.sensors.inbox import IPPanelInboxSensor

EXAMPLES = Path(__file__).resolve().parents[1] / "dags_examples"
SENSORS = {
    ("ippanel_daily_kpi_alert", "wait_for_delivery"): lambda: IPPanelDeliverySensor(
        task_id="defaults", outbox_ids=[1]
    ),
    ("ippanel_approval_by_sms", "wait_for_reply"): lambda: IPPanelInboxSensor(
        task_id="defaults", from_numbers="09121234567"
    ),
}


def sensor(dag_id: str, task_id: str) -> Any:
    bag = DagBag(str(EXAMPLES / f"{dag_id}.py"), bundle_path=EXAMPLES)
    assert not bag.import_errors, bag.import_errors
    return bag.dags[dag_id].get_task(task_id)


@pytest.mark.parametrize(("dag_id", "task_id"), sorted(SENSORS))
def test_sensor_polls_on_its_own_defaults_as_shipped(
    dag_id: str, task_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IPPANEL_POKE_INTERVAL", raising=False)
    assert sensor(dag_id, task_id).poke_interval == SENSORS[dag_id, task_id]().poke_interval


@pytest.mark.parametrize(("dag_id", "task_id"), sorted(SENSORS))
def test_sensor_polls_as_the_variable_says(
    dag_id: str, task_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPPANEL_POKE_INTERVAL", "1")
    assert sensor(dag_id, task_id).poke_interval == 1
