"""Export yesterday's outbox report and every bulk's recipients to a CSV file.

The file goes to the ``output_dir`` param (default ``IPPANEL_REPORT_DIR`` or
``/tmp/ippanel_reports``) as ``outbox_<day>.csv``, one row per recipient.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task

DEFAULT_DIR = os.environ.get("IPPANEL_REPORT_DIR", "/tmp/ippanel_reports")
COLUMNS = (
    "messages_outbox_id",
    "created_at",
    "type",
    "state_id",
    "state",
    "sender",
    "recipient",
    "message_status",
    "message_status_meaning",
)


@dag(
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    params={"output_dir": Param(DEFAULT_DIR, type="string")},
    tags=["ippanel", "example"],
)
def ippanel_report_export() -> None:
    @task
    def export_yesterday(params: dict[str, Any] | None = None, dag_run: Any = None) -> str:
        import csv
        from pathlib import Path

        from ippanel_provider.client.models import OutboxFilters
        from ippanel_provider.hooks.ippanel import IPPanelHook

        # a run from the Trigger button has no logical date: the day it was triggered counts
        run_day = dag_run.logical_date or dag_run.run_after
        day_end = pendulum.instance(run_day).in_tz("UTC").start_of("day")
        day_start = day_end.subtract(days=1)
        out_dir = Path((params or {}).get("output_dir") or DEFAULT_DIR)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"outbox_{day_start.to_date_string()}.csv"
        filters = OutboxFilters(create_from_date=day_start, create_to_date=day_end)
        bulks = rows = 0
        with IPPanelHook() as hook, path.open("w", newline="", encoding="utf-8") as handle:
            client = hook.get_conn()
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            for bulk in client.iter_outbox_report(filters=filters):
                bulks += 1
                state = bulk.state_id
                head = (
                    bulk.messages_outbox_id,
                    pendulum.from_timestamp(bulk.time).to_iso8601_string() if bulk.time else "",
                    bulk.type or "",
                    int(state) if state is not None else "",
                    state.meaning if state is not None else "",
                    bulk.number or "",
                )
                for recipient in client.iter_bulk_recipients(bulk.messages_outbox_id):
                    status = recipient.message_status
                    writer.writerow(
                        (
                            *head,
                            recipient.recipient,
                            int(status) if status is not None else "",
                            status.meaning if status is not None else "",
                        )
                    )
                    rows += 1
        print(f"wrote {rows} recipient row(s) of {bulks} bulk(s) to {path}")
        return str(path)

    export_yesterday()


ippanel_report_export()
