"""provider/README.md is real: every class its table names exists, and every Python example
builds, inside a DAG, the tasks it describes."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG

README = Path(__file__).resolve().parents[2] / "provider" / "README.md"
TEXT = README.read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", TEXT, re.S)


def build(index: int) -> DAG:
    with DAG(f"readme_{index}", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        exec(compile(python_blocks()[index], str(README), "exec"), {})
    return dag


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
    dag = build(0)
    wait = dag.get_task("delivered")
    assert type(wait).__name__ == "IPPanelDeliverySensor"
    assert wait.upstream_task_ids == {"send"}
    assert (wait.deferrable, wait.min_delivered_ratio) == (True, 0.9)


def test_the_reply_example_waits_then_branches() -> None:
    dag = build(1)
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
    assert type(build(2).get_task(task_id)).__name__ == kind
