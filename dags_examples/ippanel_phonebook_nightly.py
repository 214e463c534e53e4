"""Every night, make an IPPanel phonebook mirror a customer CSV, then text everyone in it.

The sync adds new numbers, updates changed names and e-mails, and removes numbers that left the
file (``remove_missing=True``: the file is the source of truth). Numbers are normalized first
(``0912…``, ``+98 912 …``, Persian digits are one person) and a number listed twice counts
once; a row without a valid number is logged and skipped (``on_bad_row="skip"``), and the
task's return value counts everything. A second run with the same file writes nothing, so
retries and re-runs are safe; ``max_active_runs=1`` keeps two runs from syncing at once.

The phonebook is found by its exact title and created on the first run. The CSV path comes from
the ``csv_path`` param; the default is ``IPPANEL_PHONEBOOK_CSV``, else
``phonebook_customers.csv`` in ``IPPANEL_FIXTURES_DIR`` (set by docker-compose), else this
repository's ``fixtures/phonebook_customers.csv``. Needs an ``ippanel_default`` connection whose
``sender`` extra names a line number.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag
from ippanel_provider.operators.phonebook import (
    IPPanelPhonebookSendOperator,
    IPPanelPhonebookSyncOperator,
)

FIXTURES_DIR = os.environ.get(
    "IPPANEL_FIXTURES_DIR", str(Path(__file__).resolve().parents[1] / "fixtures")
)
DEFAULT_CSV = os.environ.get(
    "IPPANEL_PHONEBOOK_CSV", str(Path(FIXTURES_DIR) / "phonebook_customers.csv")
)


@dag(
    schedule="0 1 * * *",  # 01:00 UTC
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "csv_path": Param(DEFAULT_CSV, type="string"),
        "phonebook": Param("Customers (nightly)", type="string", minLength=1),
        "message": Param("فروشگاه امشب تا ساعت ۲۳ باز است.", type="string", minLength=1),
    },
    tags=["ippanel", "example"],
)
def ippanel_phonebook_nightly() -> None:
    sync = IPPanelPhonebookSyncOperator(
        task_id="sync_customers",
        phonebook="{{ params.phonebook }}",
        source="{{ params.csv_path }}",
        remove_missing=True,
        on_bad_row="skip",
    )
    send = IPPanelPhonebookSendOperator(
        task_id="send_to_phonebook",
        message="{{ params.message }}",
        phonebook_ids="{{ ti.xcom_pull(task_ids='sync_customers')['phonebook_id'] }}",
    )
    sync >> send


ippanel_phonebook_nightly()
