"""Fixtures for the end-to-end runs: per Airflow version, one sandbox, one Airflow home, all DAG
runs at once.

Every test here runs once per Airflow installation: the locked one (uv.lock) and each version of
``scripts/airflow_matrix.py`` (the lowest supported 3.0.x and 3.1.x, each in its own venv built
from pins kept in the repo). Besides one run of each example DAG: the test-only DAGs of
``dags/`` (native rendering and mapping; a recipient that never gets a final status) and, on the
locked Airflow only, the CSV campaign once more with a file below its delivered-ratio threshold
(the ratio logic does not depend on the Airflow version; the matrix stays lean), and the
approval DAG once more with an approver who answers NO.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import airflow_matrix
import pytest
import requests
from airflow_env import DAGS_FOLDER, DagRunResult, prepare_airflow_home, run_dag_test
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox

EXAMPLE_DAGS = (
    "ippanel_daily_kpi_alert",
    "ippanel_otp_pattern",
    "ippanel_csv_campaign",
    "ippanel_oncall_on_failure",
    "ippanel_report_export",
    "ippanel_phonebook_nightly",
    "ippanel_approval_by_sms",
)
TEST_DAGS = Path(__file__).parent / "dags"
NATIVE_DAG = "ippanel_native_rendering"
STUCK_DAG = "ippanel_stuck_recipients"
CAMPAIGN_BELOW_THRESHOLD = "ippanel_csv_campaign:below_threshold"
BELOW_THRESHOLD_CSV = (
    "recipient,message\n"
    "09121230011,Hello one\n"
    "09121230012,Hello two\n"
    "09121230013,Hello three\n"
    "09120000003,Hello four\n"  # ends in 0003: not delivered
    "09390000004,Hello five\n"  # ends in 0004: blacklisted
)
APPROVAL_REJECTED = "ippanel_approval_by_sms:rejected"
APPROVER, REJECTER = "09121110099", "09121110077"
"""Phones of the approval DAG's runs: the sandbox answers for them (auto-reply rules)."""
REPLY_DELAY = 5.0
"""Seconds after delivery (sandbox clock) the approver answers: usually after the sensor's
first read, so the wait defers to the trigger."""
PARALLEL_RUNS = 3


@pytest.fixture(scope="session", params=airflow_matrix.TESTED, ids=lambda v: f"airflow-{v}")
def airflow_python(request: pytest.FixtureRequest) -> str:
    """The interpreter of one Airflow installation (built from its pins if not yet there)."""
    return airflow_matrix.interpreter(request.param)


@pytest.fixture(scope="session")
def dag_test_sandbox(airflow_python: str) -> Iterator[ThreadedSandbox]:
    """A fresh sandbox per Airflow version, so each version's captured SMS can be counted."""
    with ThreadedSandbox(SandboxConfig(seed=11, delivery_delay=1.0, history=300)) as sandbox:
        yield sandbox


@pytest.fixture(scope="session")
def report_dir(airflow_python: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="session")
def dag_runs(
    airflow_python: str,
    dag_test_sandbox: ThreadedSandbox,
    report_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, DagRunResult]:
    """Every example DAG run once with ``airflow dags test``, a few at a time."""
    python = airflow_python
    home = prepare_airflow_home(
        tmp_path_factory.mktemp("airflow_home"), python, (DAGS_FOLDER, TEST_DAGS)
    )
    env = {"IPPANEL_POKE_INTERVAL": "1", "IPPANEL_REPORT_DIR": str(report_dir)}
    below = tmp_path_factory.mktemp("campaign") / "below_threshold.csv"
    below.write_text(BELOW_THRESHOLD_CSV, encoding="utf-8")
    url = dag_test_sandbox.url
    for number, reply in ((APPROVER, "Yes"), (REJECTER, "no!")):
        rule = {"number": number, "reply": reply, "delay": REPLY_DELAY}
        requests.post(f"{url}/__sandbox/autoreplies", json=rule, timeout=10).raise_for_status()
    env["IPPANEL_REPLY_TIMEOUT"] = "120"
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        futures = {
            dag_id: pool.submit(run_dag_test, dag_id, url, env, airflow_home=home, python=python)
            for dag_id in EXAMPLE_DAGS
        }
        if python == sys.executable:  # Airflow-independent logic: once, on the locked Airflow
            futures[CAMPAIGN_BELOW_THRESHOLD] = pool.submit(
                run_dag_test,
                "ippanel_csv_campaign",
                url,
                env,
                airflow_home=home,
                conf={"csv_path": str(below)},
                python=python,
            )
            futures[APPROVAL_REJECTED] = pool.submit(
                run_dag_test,
                "ippanel_approval_by_sms",
                url,
                env,
                airflow_home=home,
                conf={"approver": REJECTER},
                python=python,
            )
        for dag_id in (NATIVE_DAG, STUCK_DAG):
            futures[dag_id] = pool.submit(
                run_dag_test,
                dag_id,
                url,
                {"AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True"},
                airflow_home=home,
                dags_folder=TEST_DAGS,
                python=python,
            )
        return {key: future.result() for key, future in futures.items()}
