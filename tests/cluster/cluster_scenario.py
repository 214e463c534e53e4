"""One pass of every example DAG through a real Airflow deployment, recorded for the tests.

All runs go at once, started the ways users start them: the Trigger button (``logical_date``
null), the Trigger form with its pre-filled logical date, and the schedule (unpausing a
``@daily`` DAG with ``catchup=False`` makes the scheduler create today's run at once).
The sandbox delivers nothing until its clock is moved, so every delivery sensor (and the approval
DAG's inbox sensor: the approver answers once the request is delivered) is provably deferred
when the triggerer is SIGKILLed; a new triggerer must take the triggers over before
the clock moves and the runs finish.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from airflow_cluster import AirflowCluster
from airflow_rest import FINISHED, AirflowApi
from backing_services import SandboxProcess
from managed_process import wait_until

KPI = "ippanel_daily_kpi_alert"
OTP = "ippanel_otp_pattern"
CAMPAIGN = "ippanel_csv_campaign"
ONCALL = "ippanel_oncall_on_failure"
ONCALL_NUMBER = "+989121112233"
"""Texted by the failing task's callback (the task's worker runs it)."""
TEAM_NUMBER = "+989121112255"
"""Texted by the DAG's own failure callback (the dag-processor runs it)."""
REPORT = "ippanel_report_export"
PHONEBOOK = "ippanel_phonebook_nightly"
APPROVAL = "ippanel_approval_by_sms"
APPROVER = "09121110099"
"""The approval DAG's default approver; the sandbox answers YES for this phone."""
EXAMPLE_DAGS = (KPI, OTP, CAMPAIGN, ONCALL, REPORT, PHONEBOOK, APPROVAL)
SCHEDULED_DAGS = (KPI, REPORT, PHONEBOOK)
BUTTON, FORM_WITH_DATE, SCHEDULE = "trigger button", "trigger form with a date", "schedule"
DELIVERY_DELAY = 3600.0  # sandbox seconds; nothing is delivered before the test moves the clock
# what each run holds at while the triggerer is killed: deferred sensors, finished sends
HOLD_STATES = {
    KPI: {"wait_for_delivery": "deferred"},
    CAMPAIGN: {"check_delivery": "deferred"},
    APPROVAL: {"wait_for_reply": "deferred"},  # the reply comes when its request is delivered
    OTP: {"send_otp": "success"},
}
WAIT = 180.0
DAG_CALLBACK_WITHOUT_CONTEXT = (
    "Airflow 3.0.0's dag-processor calls a DAG's own callbacks with an empty context "
    '(airflow/dag_processing/processor.py, _execute_dag_callbacks: `context = {}`, "TODO: We '
    "need a proper context object!\"), so a notifier there fails with KeyError 'dag' before it "
    'can render or send anything (the dag-processor logs "Callback failed"); from 3.0.1 the '
    "context holds dag, run_id and reason (apache/airflow#51402), from 3.1 the whole run "
    "context (apache/airflow#53684)"
)


def dag_callbacks_get_a_context(airflow: str) -> bool:
    """False on the Airflow whose dag-processor gives a DAG's callbacks an empty context."""
    return airflow != "3.0.0"


@dataclass
class RunRecord:
    dag_id: str
    started_by: str
    run: dict[str, Any]
    task_instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    xcoms: dict[str, Any] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return str(self.run["dag_run_id"])


@dataclass
class TriggererKill:
    """What the REST API and the sandbox showed around the SIGKILL of the triggerer."""

    deferred: dict[str, dict[str, Any]]  # "dag_id/run_id/task" -> task instance, before the kill
    old_job: dict[str, Any]
    exit_status: int | None
    while_dead: dict[str, str | None]  # same keys -> state while no triggerer was alive
    new_job: dict[str, Any]
    taken_over: dict[str, int | None]  # same keys -> triggerer id once the new one claimed them
    messages_before: list[dict[str, Any]]


@dataclass
class Scenario:
    airflow: str
    executor: str
    cluster: AirflowCluster
    sandbox: SandboxProcess
    report_dirs: dict[str, Path]
    runs: dict[tuple[str, str], RunRecord] = field(default_factory=dict)
    kill: TriggererKill | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    phonebooks: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    dag_callback_failure: str | None = None
    """The dag-processor's "Callback failed" log record (Airflow 3.0.0, see
    DAG_CALLBACK_WITHOUT_CONTEXT)."""


def failed_dag_callback(cluster: AirflowCluster, dag_id: str) -> str | None:
    """The dag-processor's log record of ``dag_id``'s DAG callback failing, if there is one."""
    for log in (cluster.home / "logs" / "dag_processor").rglob(f"{dag_id}.py.log"):
        for line in log.read_text(encoding="utf-8").splitlines():
            if '"Callback failed"' in line:
                return line
    return None


def held(api: AirflowApi, record: RunRecord) -> bool:
    """True once the run sits where the scenario wants it before the kill; raises if it
    finished without getting there."""
    finished = api.dag_run(record.dag_id, record.run_id)["state"] in FINISHED
    wanted = HOLD_STATES.get(record.dag_id)
    if wanted is None:
        return finished
    tis = api.task_instances(record.dag_id, record.run_id)
    if all(tis.get(task, {}).get("state") == state for task, state in wanted.items()) and all(
        (tis[task]["trigger"] or {}).get("triggerer_id") is not None
        for task, state in wanted.items()
        if state == "deferred"
    ):
        return True  # deferred, and the triggerer has claimed the trigger
    if finished:
        raise AssertionError(f"run ended first: {api.describe_run(record.dag_id, record.run_id)}")
    return False


def deferred_sensors(api: AirflowApi, runs: list[RunRecord]) -> dict[str, dict[str, Any]]:
    found = {}
    for record in runs:
        for task, state in HOLD_STATES.get(record.dag_id, {}).items():
            if state == "deferred":
                ti = api.task_instances(record.dag_id, record.run_id)[task]
                found[f"{record.dag_id}/{record.run_id}/{task}"] = ti
    return found


def run_scenario(scenario: Scenario) -> None:
    cluster, sandbox, api = scenario.cluster, scenario.sandbox, scenario.cluster.api
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        scenario.timings[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    cluster.start(dag_ids=EXAMPLE_DAGS)
    lap("start components")
    for dag_id in EXAMPLE_DAGS:  # as the Trigger form does ("unpause" ticked)
        api.set_paused(dag_id, False)
    report_conf = {"output_dir": str(scenario.report_dirs[BUTTON])}
    sandbox.admin("POST", "autoreplies", {"number": APPROVER, "reply": "YES"})
    records = [
        RunRecord(KPI, BUTTON, api.trigger(KPI)),
        RunRecord(KPI, FORM_WITH_DATE, api.trigger(KPI, logical_date=datetime.now(UTC))),
        RunRecord(OTP, BUTTON, api.trigger(OTP)),
        RunRecord(CAMPAIGN, BUTTON, api.trigger(CAMPAIGN)),
        RunRecord(ONCALL, BUTTON, api.trigger(ONCALL)),
        RunRecord(REPORT, BUTTON, api.trigger(REPORT, report_conf)),
        RunRecord(PHONEBOOK, BUTTON, api.trigger(PHONEBOOK)),
        RunRecord(APPROVAL, BUTTON, api.trigger(APPROVAL)),
    ]
    for dag_id in SCHEDULED_DAGS:

        def scheduled_runs(dag_id: str = dag_id) -> list[dict[str, Any]]:
            return [r for r in api.dag_runs(dag_id) if r["run_type"] == "scheduled"]

        scheduled = wait_until(
            scheduled_runs, timeout=WAIT,
            what=f"the scheduler to create a scheduled run of {dag_id}",
        )  # fmt: skip
        records.append(RunRecord(dag_id, SCHEDULE, scheduled[0]))
    wait_until(
        lambda: all(held(api, record) for record in records),
        timeout=WAIT, interval=0.5, what="every run to send and defer",
        details=lambda: "\n".join(api.describe_run(r.dag_id, r.run_id) for r in records),
    )  # fmt: skip
    lap("send and defer")

    deferred = deferred_sensors(api, records)
    [old_job] = api.alive_jobs("TriggererJob")
    messages_before = sandbox.messages()
    exit_status = cluster.kill("triggerer", signal.SIGKILL)
    wait_until(
        lambda: not api.alive_jobs("TriggererJob"), timeout=60, interval=0.5,
        what="Airflow to see the killed triggerer as dead",
    )  # fmt: skip
    while_dead = {key: ti["state"] for key, ti in deferred_sensors(api, records).items()}
    lap("kill triggerer")

    cluster.restart("triggerer")
    new_job = wait_until(
        lambda: next(iter(api.alive_jobs("TriggererJob")), None), timeout=WAIT,
        what="the restarted triggerer to heartbeat",
    )  # fmt: skip

    def claimed() -> dict[str, int | None] | None:
        sensors = deferred_sensors(api, records)
        now = {key: (ti["trigger"] or {}).get("triggerer_id") for key, ti in sensors.items()}
        return now if set(now.values()) == {new_job["id"]} else None

    taken_over = wait_until(claimed, timeout=WAIT, what="the new triggerer to claim every trigger")
    lap("restart triggerer, triggers claimed")
    scenario.kill = TriggererKill(
        deferred, old_job, exit_status, while_dead, new_job, taken_over, messages_before
    )

    sandbox.advance_clock(DELIVERY_DELAY)
    finished = api.wait_for_runs([(r.dag_id, r.run_id) for r in records], timeout=WAIT)
    lap("deliver and finish")
    for record in records:
        record.run = finished[(record.dag_id, record.run_id)]
        record.task_instances = api.task_instances(record.dag_id, record.run_id)
        record.xcoms = api.return_values(record.dag_id, record.run_id)
        scenario.runs[(record.dag_id, record.started_by)] = record
    # a DAG's own failure callback runs in the dag-processor, after the run has failed
    if dag_callbacks_get_a_context(scenario.airflow):
        wait_until(
            lambda: sandbox.messages(recipient=TEAM_NUMBER), timeout=WAIT, interval=0.5,
            what="the dag-processor to run the on-call DAG's own failure callback",
        )  # fmt: skip
    else:
        scenario.dag_callback_failure = wait_until(
            lambda: failed_dag_callback(cluster, ONCALL), timeout=WAIT, interval=0.5,
            what="the dag-processor to run (and fail) the on-call DAG's own failure callback",
        )  # fmt: skip
    scenario.messages = sandbox.messages()
    scenario.phonebooks = sandbox.admin("GET", "phonebooks?user=sandbox")["items"]
    lap("read results")
