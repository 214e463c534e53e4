"""Fixtures for the end-to-end runs: one sandbox, one Airflow home, all DAG runs at once.

Besides one run of each example DAG: the CSV campaign once more with a file below its
delivered-ratio threshold, and a test-only DAG (``dags/``) for native rendering and mapping.
"""

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
TEST_DAGS = Path(__file__).parent / "dags"
NATIVE_DAG = "ippanel_native_rendering"
CAMPAIGN_BELOW_THRESHOLD = "ippanel_csv_campaign:below_threshold"
BELOW_THRESHOLD_CSV = (
    "recipient,message\n"
    "09121230011,Hello one\n"
    "09121230012,Hello two\n"
    "09121230013,Hello three\n"
    "09120000003,Hello four\n"  # ends in 0003: not delivered
    "09390000004,Hello five\n"  # ends in 0004: blacklisted
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
    below = tmp_path_factory.mktemp("campaign") / "below_threshold.csv"
    below.write_text(BELOW_THRESHOLD_CSV, encoding="utf-8")
    url = e2e_sandbox.url
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        futures = {
            dag_id: pool.submit(run_dag_test, dag_id, url, env, airflow_home=home)
            for dag_id in EXAMPLE_DAGS
        }
        futures[CAMPAIGN_BELOW_THRESHOLD] = pool.submit(
            run_dag_test,
            "ippanel_csv_campaign",
            url,
            env,
            airflow_home=home,
            conf={"csv_path": str(below)},
        )
        futures[NATIVE_DAG] = pool.submit(
            run_dag_test,
            NATIVE_DAG,
            url,
            {"AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True"},
            airflow_home=home,
            dags_folder=TEST_DAGS,
        )
        return {key: future.result() for key, future in futures.items()}
