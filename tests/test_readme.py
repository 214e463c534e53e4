"""The README's DAG example is real code: it parses into the DAG it describes."""

from __future__ import annotations

from doc_snippets import ROOT, python_blocks

README = ROOT / "README.md"


def test_readme_dag_example_builds_the_dag_it_describes() -> None:
    from airflow.sdk import DAG

    (source,) = python_blocks(README.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {}
    exec(compile(source, str(README), "exec"), namespace)
    dag = namespace["kpi_alert"]()
    assert isinstance(dag, DAG)
    send, wait = dag.get_task("send"), dag.get_task("delivered")
    assert type(send).__name__ == "IPPanelSendSmsOperator"
    assert type(wait).__name__ == "IPPanelDeliverySensor"
    assert wait.upstream_task_ids == {"send"}
    assert wait.deferrable is True
    assert wait.min_delivered_ratio == 0.9
