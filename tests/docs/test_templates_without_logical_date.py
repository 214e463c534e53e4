"""Every task the READMEs, the docs pages and the example DAGs show renders on a run started
from the UI's Trigger button.

Airflow 3 gives such a run (and ``airflow dags trigger``, and the REST API by default) no
logical date, and then leaves ``ds``, ``ts``, ``logical_date``, ``data_interval_*`` and their
kin out of the template context: ``{{ ds }}`` raises ``UndefinedError`` and the task fails
before it sends. ``airflow dags test`` always supplies a date, so it never shows this.

Each example is loaded by Airflow's own DagBag (a README or docs snippet as the body of a DAG,
so loose operators get a DAG's template environment) and each task's templated fields, and
the notifiers on its callbacks, are rendered by the worker's own code
(``RuntimeTaskInstance.get_template_context`` and ``render_templates``) from the run context
the API server sends for such a run. The only stand-in is the supervisor the worker asks for
XComs: it answers with a value of the shape the upstream task returns.
"""

from __future__ import annotations

import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import BaseNotifier
from airflow.sdk.api.datamodels._generated import DagRun, DagRunState, DagRunType, TIRunContext
from airflow.sdk.definitions.mappedoperator import MappedOperator
from airflow.sdk.execution_time import comms, task_runner
from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
from doc_snippets import ROOT, every_python_example

EXAMPLE_DAGS = ROOT / "dags_examples"
BUILDS_TASKS = ("Operator(", "Sensor(", "@dag", "@task", "DAG(")
DATE_KEYS = ("ds", "ds_nodash", "ts", "ts_nodash", "logical_date", "data_interval_start")


def dag_snippets() -> list[tuple[str, str]]:
    return [
        (f"{name}#{number}", source)
        for name, number, source in every_python_example()
        if any(marker in source for marker in BUILDS_TASKS)
    ]


def snippet_module(label: str, source: str) -> str:
    """The snippet as the body of a DAG, as a user pastes it into one (its own @dag kept)."""
    return (
        "from airflow.sdk import DAG as _SnippetDag\n"
        "with _SnippetDag('snippet', schedule=None):\n"
        f"    exec(compile({source!r}, {label!r}, 'exec'))\n"
    )


class XComSupervisor:
    """Answers the worker's XCom reads as the API server would after the upstream ran."""

    def __init__(self, dag: Any) -> None:
        self.dag = dag
        self.read_from: list[str] = []

    def upstream_value(self, task_id: str) -> Any:
        if not self.dag.has_task(task_id):
            return None
        kind = type(self.dag.get_task(task_id))
        if kind.__name__ == "IPPanelPhonebookSyncOperator":
            return {"phonebook_id": 860001, "phonebook_title": "Customers", "added": 1}
        if kind.__name__ == "IPPanelInboxSensor":
            return {"chosen_options": ["YES"], "message": None, "messages": []}
        if kind.__module__.startswith("ippanel_provider.operators"):
            return [8600001]  # a send's message_outbox_ids
        return 42

    def send(self, msg: Any) -> Any:
        self.read_from.append(msg.task_id)
        value = self.upstream_value(msg.task_id)
        if isinstance(msg, comms.GetXCom):
            return comms.XComResult(key=msg.key, value=value)
        if isinstance(msg, comms.GetXComSequenceSlice):
            return comms.XComSequenceSliceResult(root=[value])
        if isinstance(msg, comms.GetXComSequenceItem):  # one mapped upstream instance
            if msg.offset in (0, -1):
                return comms.XComSequenceIndexResult(root=value)
            return comms.ErrorResponse(error=comms.ErrorType.XCOM_NOT_FOUND)
        if isinstance(msg, comms.GetXComCount):
            return comms.XComCountResponse(len=1)
        raise AssertionError(f"the worker asked for {msg!r}; only XCom reads are answered")


def manual_run_without_logical_date(dag_id: str) -> TIRunContext:
    """What the API server sends a worker for a Trigger-button run (Airflow 3's default)."""
    now = pendulum.now("UTC")
    return TIRunContext(
        dag_run=DagRun(
            dag_id=dag_id,
            run_id=f"manual__{now.isoformat()}",
            logical_date=None,
            data_interval_start=None,
            data_interval_end=None,
            run_after=now,
            start_date=now,
            end_date=None,
            run_type=DagRunType.MANUAL,
            state=DagRunState.RUNNING,
            consumed_asset_events=[],
            partition_key=None,
        ),
        max_tries=0,
    )


def load(folder: Path) -> list[Any]:
    bag = DagBag(str(folder), bundle_path=folder)
    assert not bag.import_errors, bag.import_errors
    return [dag for dag in bag.dags.values() if dag.tasks]


def render_every_task(dags: list[Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Render each task as a worker does; yield "dag.task" for each one rendered.

    A task with secret pattern parameters must not read XCom: a secret taken from an upstream's
    XCom is already stored there, in the clear (make it inside the task, as the OTP example does).
    """
    for dag in dags:
        supervisor = XComSupervisor(dag)
        monkeypatch.setattr(task_runner, "SUPERVISOR_COMMS", supervisor, raising=False)
        server_context = manual_run_without_logical_date(dag.dag_id)
        for task in dag.tasks:
            ti = RuntimeTaskInstance.model_construct(
                id=uuid.uuid4(),
                task_id=task.task_id,
                dag_id=dag.dag_id,
                run_id=server_context.dag_run.run_id,
                try_number=1,
                dag_version_id=uuid.uuid4(),
                map_index=0 if isinstance(task, MappedOperator) else -1,
                task=task,
                _ti_context_from_server=server_context,
                max_tries=0,
                start_date=server_context.dag_run.start_date,
            )
            context = ti.get_template_context()
            assert not set(DATE_KEYS) & set(context), "the context is not that of a dateless run"
            supervisor.read_from.clear()
            ti.render_templates(context)
            if getattr(task, "secret_params", None):
                assert not supervisor.read_from, (
                    f"{task.task_id}'s secret params come from the XCom of {supervisor.read_from}"
                )
            for callback in (task.on_failure_callback or [], task.on_success_callback or []):
                for notifier in callback if isinstance(callback, list) else [callback]:
                    if isinstance(notifier, BaseNotifier):
                        notifier.render_template_fields(context)
            yield f"{dag.dag_id}.{task.task_id}"


@pytest.mark.parametrize(("label", "source"), dag_snippets(), ids=[s[0] for s in dag_snippets()])
def test_snippet_renders_on_a_run_without_logical_date(
    label: str, source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "snippet.py").write_text(snippet_module(label, source), encoding="utf-8")
    rendered = list(render_every_task(load(tmp_path), monkeypatch))
    assert rendered, f"{label} built no task"


def test_every_example_dag_renders_on_a_run_without_logical_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dags = load(EXAMPLE_DAGS)
    assert {dag.dag_id for dag in dags} == {p.stem for p in EXAMPLE_DAGS.glob("*.py")}
    rendered = list(render_every_task(dags, monkeypatch))
    assert len(rendered) >= 15, rendered


def test_the_snippets_were_found() -> None:
    labels = {label.partition("#")[0] for label, _ in dag_snippets()}
    assert {"README.md", "provider/README.md", "docs/index.md", "docs/provider/operators.md"} <= (
        labels
    )


def test_a_secret_from_xcom_fails_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = textwrap.dedent(
        """
        from airflow.sdk import task
        from ippanel_provider.operators.send import IPPanelSendPatternOperator

        @task
        def make_code() -> str:
            return "960388"

        make_code() >> IPPanelSendPatternOperator(
            task_id="otp", pattern_code="sandbox-otp", recipient="09121234567",
            pattern_params={"code": "{{ ti.xcom_pull('make_code') }}"}, secret_params=["code"])
        """
    )
    (tmp_path / "snippet.py").write_text(snippet_module("otp", source), encoding="utf-8")
    with pytest.raises(AssertionError, match=r"come from the XCom of \['make_code'\]"):
        list(render_every_task(load(tmp_path), monkeypatch))


def test_a_ds_template_fails_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself: a task that uses ``{{ ds }}`` does not render on such a run."""
    source = textwrap.dedent(
        """
        from ippanel_provider.operators.send import IPPanelSendSmsOperator
        IPPanelSendSmsOperator(task_id="s", recipients=["09121234567"], message="{{ ds }}")
        """
    )
    (tmp_path / "snippet.py").write_text(snippet_module("ds", source), encoding="utf-8")
    with pytest.raises(Exception, match="'ds' is undefined"):
        list(render_every_task(load(tmp_path), monkeypatch))
