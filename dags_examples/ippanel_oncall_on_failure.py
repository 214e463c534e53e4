"""Text people when something fails (``IPPanelNotifier`` as a failure callback).

``load_orders`` fails on purpose. Its task-level ``on_failure_callback`` texts the on-call
engineer which task failed; the DAG's own ``on_failure_callback`` texts the team that the run
failed (in Airflow 3 the dag-processor runs DAG callbacks; ``airflow dags test`` runs them inline).
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task
from ippanel_provider.notifications.ippanel import IPPanelNotifier

ONCALL = os.environ.get("IPPANEL_ONCALL_NUMBER", "09121112233")
TEAM = os.environ.get("IPPANEL_TEAM_NUMBER", "09121112255")

notify_oncall = IPPanelNotifier(
    recipients=ONCALL,
    message="[Airflow] {{ dag.dag_id }}.{{ ti.task_id }} failed (run {{ run_id }})",
)


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 0},
    on_failure_callback=IPPanelNotifier(
        recipients=TEAM,
        message="[Airflow] run {{ run_id }} of {{ dag.dag_id }} failed",
    ),
    tags=["ippanel", "example"],
)
def ippanel_oncall_on_failure() -> None:
    @task(on_failure_callback=notify_oncall)
    def load_orders() -> None:
        raise RuntimeError("the orders feed is empty (deliberate failure for the example)")

    load_orders()


ippanel_oncall_on_failure()
