"""The provider README's Python examples run as written: the DAGs build with the operators they
name (the first example is a DAG's body), and the client example acts on the sandbox the
connection points at."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow.sdk import DAG
from ippanel_mock.server import ThreadedSandbox

README = Path(__file__).resolve().parents[2] / "provider" / "README.md"

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def run(source: str) -> tuple[dict[str, Any], str]:
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, str(README), "exec"), namespace)
    return namespace, printed.getvalue()


def test_every_example_runs(sandbox: ThreadedSandbox) -> None:
    send_and_wait, nightly, keyword, hook = blocks()

    with DAG("readme_send", schedule=None):  # the first example is the body of a DAG
        names, _ = run(send_and_wait)
    assert names["send"].downstream_task_ids == {"delivered"}

    names, _ = run(nightly)
    dag = names["customers_nightly"]()
    assert isinstance(dag, DAG)
    assert dag.max_active_runs == 1
    sync, send = dag.get_task("sync"), dag.get_task("send")
    assert type(sync).__name__ == "IPPanelPhonebookSyncOperator"
    assert (sync.remove_missing, sync.on_bad_row, sync.create_missing) == (True, "skip", True)
    assert send.upstream_task_ids == {"sync"}

    names, _ = run(keyword)
    assert type(names["remind"]).__name__ == "IPPanelKeywordPhonebookSendOperator"

    names, printed = run(hook)
    code = names["pattern"].code
    assert printed.splitlines()[0] == f"{code} pending"
    answer = requests.get(
        f"{sandbox.url}/api/patterns/{code}",
        headers={"Authorization": "sandbox-api-key"},
        timeout=10,
    )
    assert answer.json()["data"]["pattern_message"] == "Your code: %code%"
