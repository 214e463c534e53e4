"""A DAG-level IPPanelNotifier sends its SMS on every path Airflow 3 runs DAG callbacks on.

``airflow dags test`` hands the callback a serialized DAG (no Jinja environment: Airflow's
apache/airflow#64649); the dag-processor hands it the DAG parsed from the file. The full
``dags test`` run is in tests/e2e (the on-call example, every supported Airflow version).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow_env import base_env, ippanel_connection_json, prepare_airflow_home
from airflow_support import captured
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.notifications.ippanel import IPPanelNotifier

TEAM = "09121112255"


def serialized(dag: DAG) -> Any:
    """The DAG as ``airflow dags test`` gives it to DAG callbacks (scheduler side)."""
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_dag_callback_with_a_serialized_dag_renders_and_sends(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    with DAG("nightly_etl", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        pass
    dag.fileloc = str(tmp_path / "nightly_etl.py")  # a template file beside the DAG file
    scheduler_dag = serialized(dag)
    assert not hasattr(scheduler_dag, "get_template_env")  # what broke the callback
    (tmp_path / "sms.txt").write_text("{{ dag.dag_id }} run {{ run_id }} failed", encoding="utf-8")
    notifier = IPPanelNotifier(recipients=TEAM, message="{% include 'sms.txt' %}")
    notifier({"dag": scheduler_dag, "run_id": "manual__1", "reason": "task_failure"})
    [message] = captured(sandbox, recipient=TEAM)
    assert message["text"] == "nightly_etl run manual__1 failed"


@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_undefined_names_still_fail_loudly_with_a_serialized_dag(sandbox: ThreadedSandbox) -> None:
    with DAG("nightly_etl", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        pass
    notifier = IPPanelNotifier(recipients=TEAM, message="{{ no_such_name }}")
    with pytest.raises(Exception, match="no_such_name"):
        notifier({"dag": serialized(dag), "run_id": "manual__1"})
    assert captured(sandbox, recipient=TEAM) == []


QUEUE_CALLBACK = """
from airflow.callbacks.callback_requests import DagCallbackRequest
from airflow.models.db_callback_request import DbCallbackRequest
from airflow.utils.session import create_session

request = DagCallbackRequest(
    filepath="ippanel_oncall_on_failure.py", dag_id="ippanel_oncall_on_failure",
    run_id="manual__dag_processor_proof", bundle_name="dags-folder", bundle_version=None,
    is_failure_callback=True, msg="task_failure",
)
with create_session() as session:
    session.add(DbCallbackRequest(callback=request, priority_weight=1))
"""


@pytest.mark.airflow
@pytest.mark.ippanel_sandbox(delivery_delay=0)
def test_dag_processor_runs_the_example_dag_callback_and_the_sms_goes_out(
    ippanel_sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    """The real ``airflow dag-processor`` process picks up a failure callback queued in the
    database, as the scheduler queues it, and runs the example DAG's DAG-level notifier."""
    home = prepare_airflow_home(tmp_path / "home")
    database = home / "processor.db"
    database.write_bytes((home / "template.db").read_bytes())
    env = base_env(home, database)
    env["AIRFLOW_CONN_IPPANEL_DEFAULT"] = ippanel_connection_json(ippanel_sandbox.url)
    queue = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(QUEUE_CALLBACK)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert queue.returncode == 0, queue.stderr[-3000:]
    processor = subprocess.run(
        [sys.executable, "-m", "airflow", "dag-processor", "--num-runs", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = processor.stdout + processor.stderr
    assert processor.returncode == 0, output[-3000:]
    [message] = captured(ippanel_sandbox, recipient=TEAM)
    assert message["text"] == (
        "[Airflow] run manual__dag_processor_proof of ippanel_oncall_on_failure failed"
    )
