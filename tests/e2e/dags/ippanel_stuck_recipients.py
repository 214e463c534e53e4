"""Test-only DAG: a recipient the operator never reports on (the sandbox's 0000 number) keeps a
``wait_for="delivered"`` sensor waiting, so it always defers (``[operators] default_deferrable``
turned on by the test, no ``deferrable=`` here) and ends in a timeout that names it."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag
from ippanel_provider.operators.send import IPPanelSendSmsOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor


@dag(schedule=None, start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), catchup=False)
def ippanel_stuck_recipients() -> None:
    send = IPPanelSendSmsOperator(
        task_id="send", recipients=["09121234567", "09120000000"], message="stuck"
    )
    IPPanelDeliverySensor(task_id="wait", outbox_ids=send.output, wait_for="delivered", timeout=8)


ippanel_stuck_recipients()
