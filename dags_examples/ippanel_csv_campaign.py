"""Send a personalised campaign from a CSV file and require 70% of it to be delivered.

The CSV has the header ``recipient,message``. Its path comes from the ``csv_path`` param; the
default is ``IPPANEL_CAMPAIGN_CSV``, else ``campaign.csv`` in ``IPPANEL_FIXTURES_DIR`` (set by
docker-compose), else this repository's ``fixtures/campaign.csv``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag
from ippanel_provider.operators.send import IPPanelSendPeerToPeerFileOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor

FIXTURES_DIR = os.environ.get(
    "IPPANEL_FIXTURES_DIR", str(Path(__file__).resolve().parents[1] / "fixtures")
)
DEFAULT_CSV = os.environ.get("IPPANEL_CAMPAIGN_CSV", str(Path(FIXTURES_DIR) / "campaign.csv"))
MIN_DELIVERED_RATIO = 0.7


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    params={
        "csv_path": Param(DEFAULT_CSV, type="string"),
    },
    tags=["ippanel", "example"],
)
def ippanel_csv_campaign() -> None:
    send = IPPanelSendPeerToPeerFileOperator(
        task_id="send_campaign", source="{{ params.csv_path }}"
    )
    IPPanelDeliverySensor(
        task_id="check_delivery",
        outbox_ids=send.output,
        wait_for="delivered",
        min_delivered_ratio=MIN_DELIVERED_RATIO,
        deferrable=True,  # polls after 2 s, then backs off to once a minute; fails after 1 h
    )


ippanel_csv_campaign()
