"""Compute a daily KPI, text it to each team, and wait (deferred) until every SMS is delivered.

One mapped send task per team (dynamic task mapping); the sensor waits for all their bulks.
Needs an ``ippanel_default`` connection whose ``sender`` extra names a line number.

The day reported is the run's logical date, or, for a run started from the Trigger button or
``airflow dags trigger`` (which in Airflow 3 have none, so ``{{ ds }}`` is undefined), the
day the run was triggered (``dag_run.run_after``).
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import dag, task
from ippanel_provider.operators.send import IPPanelSendSmsOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor

# One entry per team; each is a comma-separated list of numbers.
KPI_TEAMS = os.environ.get("IPPANEL_KPI_TEAMS", "09121234567,09351234567;09191234567").split(";")
# The sensor's own polling schedule, sized for SMS, unless IPPANEL_POKE_INTERVAL (seconds) is set
POLLING: dict[str, Any] = (
    {"poke_interval": float(os.environ["IPPANEL_POKE_INTERVAL"])}
    if os.environ.get("IPPANEL_POKE_INTERVAL")
    else {}
)


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    tags=["ippanel", "example"],
)
def ippanel_daily_kpi_alert() -> None:
    @task
    def compute_kpi(dag_run: Any = None) -> int:
        """Stand-in for a warehouse query: a deterministic order count for the day."""
        day = pendulum.instance(dag_run.logical_date or dag_run.run_after).in_tz("UTC")
        return 1000 + (day.day_of_year * 37) % 500

    kpi = compute_kpi()
    # map_indexes=-1 names the unmapped compute_kpi's one value: a mapped task's xcom_pull on
    # an Airflow 3.0.0 worker otherwise looks under its own map index and finds None
    send = IPPanelSendSmsOperator.partial(
        task_id="send_kpi",
        message=(
            "Orders on {{ (dag_run.logical_date or dag_run.run_after) | ds }}: "
            "{{ ti.xcom_pull(task_ids='compute_kpi', map_indexes=-1) }}"
        ),
    ).expand(recipients=KPI_TEAMS)
    wait = IPPanelDeliverySensor(
        task_id="wait_for_delivery",
        outbox_ids=send.output,
        wait_for="delivered",
        deferrable=True,
        **POLLING,
        timeout=15 * 60,
    )
    kpi >> send >> wait


ippanel_daily_kpi_alert()
