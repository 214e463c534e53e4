"""provider/README.md is real: every class its table names exists, every Python example builds
the tasks it describes (inside a DAG where it is a DAG's body), and the client example acts on
the sandbox the connection points at."""

from __future__ import annotations

import contextlib
import importlib
import io
import re
from pathlib import Path
from typing import Any

import doc_snippets
import pendulum
import pytest
import requests
from airflow.sdk import DAG
from ippanel_mock.server import ThreadedSandbox
from sandbox_support import API_KEY

README = Path(__file__).resolve().parents[2] / "provider" / "README.md"
TEXT = README.read_text(encoding="utf-8")

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


def python_blocks() -> list[str]:
    return doc_snippets.python_blocks(TEXT)


def block(containing: str) -> str:
    """The one example that contains `containing` (examples move as the README grows)."""
    [found] = [b for b in python_blocks() if containing in b]
    return found


def run(source: str) -> tuple[dict[str, Any], str]:
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, str(README), "exec"), namespace)
    return namespace, printed.getvalue()


def build(source: str) -> DAG:
    with DAG("readme_example", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        run(source)
    return dag


def test_every_example_is_tested() -> None:
    markers = ("IPPanelDeliverySensor(", "def customers_nightly", "remind = ", "create_pattern(",
               "IPPanelInboxSensor(", "IPPanelSendJobOperator(")  # fmt: skip
    assert len(python_blocks()) == len(markers)
    for marker in markers:
        block(marker)


def test_every_class_in_the_table_exists() -> None:
    module = ""
    named = re.findall(r"^\| `((?:ippanel_provider|\.\.\.)[\w.]*)`", TEXT, re.M)
    assert len(named) >= 15
    for path in named:
        if path.startswith("..."):
            path = f"{module}.{path.removeprefix('...')}"
        module, _, name = path.rpartition(".")
        assert getattr(importlib.import_module(module), name), path


def test_the_delivery_example() -> None:
    dag = build(block("IPPanelDeliverySensor("))
    wait = dag.get_task("delivered")
    assert type(wait).__name__ == "IPPanelDeliverySensor"
    assert wait.upstream_task_ids == {"send"}
    assert (wait.deferrable, wait.min_delivered_ratio) == (True, 0.9)


def test_the_phonebook_examples(sandbox: ThreadedSandbox) -> None:
    names, _ = run(block("def customers_nightly"))
    dag = names["customers_nightly"]()
    assert isinstance(dag, DAG)
    assert dag.max_active_runs == 1
    sync, send = dag.get_task("sync"), dag.get_task("send")
    assert type(sync).__name__ == "IPPanelPhonebookSyncOperator"
    assert (sync.remove_missing, sync.on_bad_row, sync.create_missing) == (True, "skip", True)
    assert send.upstream_task_ids == {"sync"}

    names, _ = run(block("remind = "))
    assert type(names["remind"]).__name__ == "IPPanelKeywordPhonebookSendOperator"

    names, printed = run(block("create_pattern("))
    code = names["pattern"].code
    assert printed.splitlines()[0] == f"{code} pending"
    answer = requests.get(
        f"{sandbox.url}/api/patterns/{code}",
        headers={"Authorization": API_KEY},
        timeout=10,
    )
    assert answer.json()["data"]["pattern_message"] == "Your code: %code%"


def test_the_reply_example_waits_then_branches() -> None:
    dag = build(block("IPPanelInboxSensor("))
    reply: Any = dag.get_task("reply")
    assert type(reply).__name__ == "IPPanelInboxSensor"
    assert (reply.options, reply.defaults, reply.deferrable) == (["YES", "NO"], ["NO"], True)
    assert reply.upstream_task_ids == {"ask"}
    assert dag.get_task("decide").upstream_task_ids == {"reply"}
    assert dag.get_task("decide").downstream_task_ids == {"publish", "hold"}


@pytest.mark.parametrize(
    ("task_id", "kind"),
    [("engineers", "IPPanelSendJobOperator"), ("codes", "IPPanelSendKeywordOperator")],
)
def test_the_audience_examples(task_id: str, kind: str) -> None:
    assert type(build(block("IPPanelSendJobOperator(")).get_task(task_id)).__name__ == kind
