"""Fixtures for the end-to-end runs: one sandbox, one Airflow home, all example DAGs at once."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airflow_env import DagRunResult, prepare_airflow_home, run_dag_test
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox

EXAMPLE_DAGS = (
    "ippanel_daily_kpi_alert",
    "ippanel_otp_pattern",
    "ippanel_csv_campaign",
    "ippanel_oncall_on_failure",
    "ippanel_report_export",
)
PARALLEL_RUNS = 3


@pytest.fixture(scope="session")
def e2e_sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(seed=11, delivery_delay=1.0, history=300)) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def dag_runs(
    e2e_sandbox: ThreadedSandbox, report_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, DagRunResult]:
    """Every example DAG run once with ``airflow dags test``, a few at a time."""
    home = prepare_airflow_home(tmp_path_factory.mktemp("airflow_home"))
    env = {"IPPANEL_POKE_INTERVAL": "1", "IPPANEL_REPORT_DIR": str(report_dir)}
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        futures = {
            dag_id: pool.submit(run_dag_test, dag_id, e2e_sandbox.url, env, airflow_home=home)
            for dag_id in EXAMPLE_DAGS
        }
        return {dag_id: future.result() for dag_id, future in futures.items()}
