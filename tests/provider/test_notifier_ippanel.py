"""IPPanelNotifier: rendered SMS (or pattern SMS) reach the on-call numbers."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow_support import captured, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.notifications.ippanel import IPPanelNotifier, send_ippanel_notification

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox) -> ThreadedSandbox:
    use_sandbox(monkeypatch, ippanel_sandbox)
    return ippanel_sandbox


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
