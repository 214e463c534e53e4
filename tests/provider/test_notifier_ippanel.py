"""IPPanelNotifier: rendered SMS (or pattern SMS) reach the on-call numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pendulum
import pytest
import structlog
from airflow.sdk import DAG
from airflow_support import captured
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.notifications.ippanel import IPPanelNotifier, send_ippanel_notification

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


def callback_context() -> dict[str, Any]:
    dag = DAG("nightly_etl", schedule=None, start_date=pendulum.datetime(2025, 1, 1))
    return {"dag": dag, "run_id": "manual__1", "params": {"oncall": "09121112233,09351112233"}}


def test_notifier_renders_and_texts_every_recipient(sandbox: ThreadedSandbox) -> None:
    notifier = IPPanelNotifier(
        recipients="{{ params.oncall }}", message="{{ dag.dag_id }} failed in {{ run_id }}"
    )
    notifier(callback_context())
    messages = captured(sandbox)
    assert [m["recipient"] for m in messages] == ["+989121112233", "+989351112233"]
    assert {m["text"] for m in messages} == {"nightly_etl failed in manual__1"}
    assert {m["sender"] for m in messages} == {"+983000505"}


def test_notifier_can_send_a_pattern_to_each_recipient(sandbox: ThreadedSandbox) -> None:
    notifier = send_ippanel_notification(
        recipients=["09121112233", "09351112233"],
        pattern_code="sandbox-otp",
        pattern_params={"code": "{{ run_id }}"},
        sender="+9810001",
    )
    notifier(callback_context())
    messages = captured(sandbox)
    assert len({m["bulk_id"] for m in messages}) == 2
    assert all("manual__1" in m["text"] and m["sending_type"] == "pattern" for m in messages)
    assert {m["sender"] for m in messages} == {"+9810001"}


async def test_notifier_is_awaitable_with_the_async_client(sandbox: ThreadedSandbox) -> None:
    notifier = IPPanelNotifier(recipients="09121112233", message="async {{ run_id }}")
    notifier.context = callback_context()  # type: ignore[assignment]
    await notifier
    [message] = captured(sandbox)
    assert message["text"] == "async manual__1"


def test_default_message_works_without_a_task_instance(sandbox: ThreadedSandbox) -> None:
    IPPanelNotifier(recipients="09121112233")(callback_context())
    [message] = captured(sandbox)
    assert message["text"] == "Airflow: DAG nightly_etl run manual__1"


def test_notifier_with_no_recipients_fails_clearly(sandbox: ThreadedSandbox) -> None:
    with pytest.raises(ValueError, match="recipients is empty"):
        IPPanelNotifier(recipients="", message="x")(callback_context())
    assert captured(sandbox) == []


DAG_WITH_CALLBACKS = """
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG
from ippanel_provider.notifications.ippanel import IPPanelNotifier

with DAG(
    "nightly_etl",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1),
    on_failure_callback=IPPanelNotifier(
        recipients="09121112233", message="{{ dag.dag_id }} {{ run_id }}: {{ reason }}"
    ),
    on_success_callback=IPPanelNotifier(recipients="09351112233"),
):
    EmptyOperator(task_id="load")
"""


@pytest.mark.parametrize("failure", [True, False])
def test_dag_level_callbacks_through_airflows_own_callback_runner(
    sandbox: ThreadedSandbox, tmp_path: Path, failure: bool
) -> None:
    """``airflow dags test`` skips DAG-level callbacks, so run them the way the DAG processor
    does: parse the file into a DagBag and hand it a DagCallbackRequest."""
    processor = pytest.importorskip("airflow.dag_processing.processor")
    from airflow.callbacks.callback_requests import DagCallbackRequest

    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.1
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    path = tmp_path / "nightly_etl.py"
    path.write_text(DAG_WITH_CALLBACKS, encoding="utf-8")
    bag = DagBag(str(path))
    assert not bag.import_errors
    request = DagCallbackRequest(
        filepath=path.name,
        bundle_name="dags-folder",
        bundle_version=None,
        dag_id="nightly_etl",
        run_id="scheduled__2025-01-02",
        is_failure_callback=failure,
        msg="task_failure" if failure else "success",
    )
    processor._execute_dag_callbacks(bag, request, structlog.get_logger())
    [message] = captured(sandbox)
    if failure:
        assert message["recipient"] == "+989121112233"
        assert message["text"] == "nightly_etl scheduled__2025-01-02: task_failure"
    else:
        assert message["recipient"] == "+989351112233"
        assert message["text"] == "Airflow: DAG nightly_etl run scheduled__2025-01-02"
