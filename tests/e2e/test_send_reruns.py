"""A send task that fails after IPPanel accepted its SMS, retried by Airflow (``airflow dags
test``, retries=2): each ``on_rerun`` policy, counted in the SMS the sandbox captured.

The task dies by a plain exception (``rerun_dags/ippanel_rerun.py``), as after a lost worker:
in ``post_execute`` after the whole send, or in the middle of a multi-chunk send. Killing real
worker processes with SIGKILL is in tests/cluster/test_send_reruns_cluster.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow_env import DagRunResult, ippanel_connection_json, prepare_airflow_home, run_dag_test
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(600)]

RERUN_DAGS = Path(__file__).parent / "rerun_dags"
CHUNK = 2
"""Recipients per send request (the connection's ``recipients_per_request``)."""
DAG_ID = "ippanel_send_reruns"


def load_scenarios() -> dict[str, dict[str, Any]]:
    spec = importlib.util.spec_from_file_location("rerun_dag", RERUN_DAGS / f"{DAG_ID}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scenarios: dict[str, dict[str, Any]] = module.SCENARIOS
    return scenarios


SCENARIOS = load_scenarios()


@pytest.fixture(scope="module")
def rerun_sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0)) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def run(rerun_sandbox: ThreadedSandbox, tmp_path_factory: pytest.TempPathFactory) -> DagRunResult:
    """One run of the DAG: its tasks (one per scenario) fail and are retried one after another."""
    home = prepare_airflow_home(tmp_path_factory.mktemp("airflow_home"), dags_folders=[RERUN_DAGS])
    connection = json.loads(ippanel_connection_json(rerun_sandbox.url))
    connection["extra"]["recipients_per_request"] = CHUNK
    env = {"AIRFLOW_CONN_IPPANEL_DEFAULT": json.dumps(connection)}
    return run_dag_test(DAG_ID, rerun_sandbox.url, env, airflow_home=home, dags_folder=RERUN_DAGS)


def captured(sandbox: ThreadedSandbox, **query: Any) -> list[dict[str, Any]]:
    response = requests.get(
        f"{sandbox.url}/__sandbox/messages", params={**query, "per_page": 500}, timeout=10
    )
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def texts(sandbox: ThreadedSandbox, name: str) -> Counter[str]:
    """SMS captured for the run's recipients, counted per recipient."""
    numbers = SCENARIOS[name]["recipients"]
    return Counter(m["recipient"] for n in numbers for m in captured(sandbox, recipient=n))


def national(numbers: list[str]) -> set[str]:
    return {"+98" + n[1:] for n in numbers}


def task_log(run: DagRunResult, task_id: str) -> str:
    """The output of every try of ``task_id`` (dags test runs one task at a time)."""
    parts = re.split(r"(?=\[DAG TEST\] running task <TaskInstance: )", run.output)
    return "".join(
        p
        for p in parts
        if p.startswith(f"[DAG TEST] running task <TaskInstance: {DAG_ID}.{task_id} ")
    )


def test_a_task_failing_after_the_send_texts_each_recipient_once_over_three_tries(
    run: DagRunResult, rerun_sandbox: ThreadedSandbox
) -> None:
    assert run.task_states["measured"] == "success", run.output[-3000:]
    recipients = SCENARIOS["measured"]["recipients"]
    assert texts(rerun_sandbox, "measured") == dict.fromkeys(national(recipients), 1)
    [bulk] = {m["bulk_id"] for m in captured(rerun_sandbox, recipient=recipients[0])}
    assert run.xcoms["measured"] == [bulk]  # what the first try returned, adopted on try 3
    log = task_log(run, "measured")
    assert log.count(f"adopted outbox ids [{bulk}]; 0 request(s) sent now") == 2  # tries 2, 3


def test_a_send_that_died_between_chunks_sends_only_the_missing_chunk(
    run: DagRunResult, rerun_sandbox: ThreadedSandbox
) -> None:
    assert run.task_states["partial"] == "success", run.output[-3000:]
    recipients = SCENARIOS["partial"]["recipients"]
    assert texts(rerun_sandbox, "partial") == dict.fromkeys(national(recipients), 1)
    bulk_of = {
        m["recipient"]: m["bulk_id"]
        for n in recipients
        for m in captured(rerun_sandbox, recipient=n)
    }
    chunk_ids = [bulk_of["+98" + n[1:]] for n in recipients[::CHUNK]]
    assert len(set(chunk_ids)) == 3
    assert run.xcoms["partial"] == chunk_ids  # one id per request, in order, as a first try
    log = task_log(run, "partial")
    assert "worker lost after chunk 2 was accepted" in log
    assert (
        f"2 request(s) had gone out before, adopted outbox ids {chunk_ids[:2]}; "
        f"1 request(s) sent now, outbox ids {chunk_ids[2:]}"
    ) in log


def test_policy_fail_fails_the_rerun_without_sending(
    run: DagRunResult, rerun_sandbox: ThreadedSandbox
) -> None:
    assert run.task_states["policy_fail"] == "failed"
    recipients = SCENARIOS["policy_fail"]["recipients"]
    assert texts(rerun_sandbox, "policy_fail") == dict.fromkeys(national(recipients), 1)
    log = task_log(run, "policy_fail")
    assert "worker lost after IPPanel accepted the send" in log  # try 1
    assert "Try 2 of an IPPanel send" in log
    assert "on_rerun='fail'. Nothing was sent." in log
    assert "Try 3" not in log  # failed without Airflow retries
    assert run.state == "failed"  # because of this task only
    assert {t for t, state in run.task_states.items() if state != "success"} == {"policy_fail"}


def test_policy_resend_sends_again_knowingly(
    run: DagRunResult, rerun_sandbox: ThreadedSandbox
) -> None:
    assert run.task_states["policy_resend"] == "success"
    recipients = national(SCENARIOS["policy_resend"]["recipients"])
    assert texts(rerun_sandbox, "policy_resend") == dict.fromkeys(recipients, 2)
    log = task_log(run, "policy_resend")
    assert "Try 2: on_rerun='resend', sending everything again." in log
