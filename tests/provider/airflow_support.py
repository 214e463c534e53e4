"""Helpers for the Airflow-side tests: connections from env vars, captured SMS, a small context."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import sandbox_support
from ippanel_mock.server import ThreadedSandbox

SANDBOX_KEY = sandbox_support.API_KEY
SANDBOX_SENDER = sandbox_support.SENDER
GA_SECRET = sandbox_support.GA_TOTP_SECRET


def set_connection(
    monkeypatch: pytest.MonkeyPatch, conn_id: str = "ippanel_default", **fields: Any
) -> None:
    """Define an Airflow connection through ``AIRFLOW_CONN_<ID>`` (JSON form)."""
    monkeypatch.setenv(
        f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps({"conn_type": "ippanel", **fields})
    )


def use_sandbox(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: ThreadedSandbox,
    conn_id: str = "ippanel_default",
    **extra: Any,
) -> None:
    """Point ``conn_id`` at the sandbox with its API key and default sender."""
    set_connection(
        monkeypatch,
        conn_id,
        host=sandbox.url,
        password=SANDBOX_KEY,
        extra={"sender": SANDBOX_SENDER, **extra},
    )


def captured(sandbox: ThreadedSandbox, **query: Any) -> list[dict[str, Any]]:
    """SMS the sandbox captured, oldest first (GET /__sandbox/messages)."""
    response = requests.get(
        f"{sandbox.url}/__sandbox/messages", params={**query, "per_page": 500}, timeout=10
    )
    response.raise_for_status()
    return list(reversed(response.json()["items"]))


def force_state(sandbox: ThreadedSandbox, bulk_id: int, state_id: int | None) -> None:
    response = requests.post(
        f"{sandbox.url}/__sandbox/bulks/{bulk_id}/state", json={"state_id": state_id}, timeout=10
    )
    response.raise_for_status()


class RecordingTaskInstance:
    """Stands in for ``context["ti"]`` where only XCom pushes matter."""

    def __init__(self) -> None:
        self.pushed: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value


def task_context() -> dict[str, Any]:
    return {"ti": RecordingTaskInstance()}


def poke(sensor: Any) -> Any:
    """One ``sensor.poke``: its XCom value when done, else ``False``."""
    from airflow.sdk import PokeReturnValue

    result = sensor.poke(task_context())
    return result.xcom_value if isinstance(result, PokeReturnValue) else result


def send_sms(sandbox: ThreadedSandbox, *recipients: str, message: str = "hello") -> list[int]:
    """Send through the plain client (not the code under test) and return the bulk ids."""
    from ippanel_provider.client import IPPanelClient

    with IPPanelClient(sandbox.url, api_key=SANDBOX_KEY, default_sender=SANDBOX_SENDER) as client:
        return client.send_sms(list(recipients), message).message_outbox_ids


def add_chaos(sandbox: ThreadedSandbox, **rule: Any) -> None:
    requests.post(f"{sandbox.url}/__sandbox/chaos", json=rule, timeout=10).raise_for_status()


def chaos_fired(sandbox: ThreadedSandbox) -> int:
    rules = requests.get(f"{sandbox.url}/__sandbox/chaos", timeout=10).json()["rules"]
    return sum(int(rule["fired"]) for rule in rules)
