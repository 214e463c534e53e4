"""Test-only DAGs for the worker-death tests: a 3-request SMS send whose task process SIGKILLs
itself where the run's conf says, so the real scheduler and executor must retry it.

``conf["kills"]`` maps a try number (as a string) to a kill point:

- ``before_request:K``: just before the K-th send request leaves;
- ``held:K``: while the sandbox holds the K-th send request (chaos latency), 0.15 s into it;
- ``after_accepted:K``: right after the sandbox answered the K-th send request;
- ``after_xcom``: after the whole send, once the returned ids are in XCom.

``conf["dies"]`` says what a kill takes down, as when the OOM killer, an eviction or a lost host
ends a worker: ``"task"`` (the default: the task process; its supervisor reports the try
failed at once), ``"supervisor"`` (the task and its parent, the supervisor that heartbeats and
reports the try's end) or ``"worker"`` (every process of the ``airflow celery worker`` that ran
it). Past ``"task"``, nobody reports the try, and the scheduler must find it by its missing
heartbeat (``[scheduler] task_instance_heartbeat_timeout``).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG
from ippanel_provider.operators.send import IPPanelSendSmsOperator

HELD_KILL_DELAY = 0.15
SUPERVISOR_TITLES = ("airflow worker -- LocalExecutor", "airflow supervisor:")
"""How Airflow 3.3 titles the process that supervises a task: a LocalExecutor worker runs the
supervisor in itself; other executors' workers (Celery) run it under its own title."""


def title(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()


def supervisor_pid() -> int:
    """The task's parent, refusing anything but a task supervisor (never the scheduler)."""
    parent = os.getppid()
    if not title(parent).startswith(SUPERVISOR_TITLES):
        raise RuntimeError(f"the task's parent {parent} is {title(parent)!r}, not a supervisor")
    return parent


def celery_worker_group() -> int:
    """The process group of the Celery worker running the supervisor (the cluster starts each
    component as its own group; the task itself runs in a group of its own)."""
    group = os.getpgid(supervisor_pid())
    if "celery" not in title(group):
        raise RuntimeError(f"the supervisor's group leader is {title(group)!r}, no celery worker")
    return group


def die(dies: str) -> None:
    if dies == "worker":
        os.killpg(celery_worker_group(), signal.SIGKILL)
    elif dies == "supervisor":
        os.kill(supervisor_pid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


class SelfKillingSendSmsOperator(IPPanelSendSmsOperator):
    def execute(self, context: Any) -> list[int]:
        conf = context["dag_run"].conf or {}
        point = conf.get("kills", {}).get(str(context["ti"].try_number), "")
        self._dies = conf.get("dies", "task")
        self._where, _, number = point.partition(":")
        self._request = int(number or 0)
        result = super().execute(context)
        if self._where == "after_xcom":
            context["ti"].xcom_push(key="return_value", value=result)
            self._die()
        return result

    def _die(self) -> None:
        die(self._dies)

    def _send(self, client: Any, sender: str | None) -> Any:
        attempt, sends = client._attempt, []

        def attempt_or_die(request: Any, authorization: Any, seconds: float) -> Any:
            if request.is_send:
                sends.append(request)
                if len(sends) == self._request:
                    if self._where == "before_request":
                        self._die()
                    if self._where == "held":
                        threading.Timer(HELD_KILL_DELAY, self._die).start()
            result = attempt(request, authorization, seconds)
            if request.is_send and len(sends) == self._request and self._where == "after_accepted":
                self._die()
            return result

        client._attempt = attempt_or_die
        return super()._send(client, sender)


for policy in ("reconcile", "resend"):
    with DAG(
        f"ippanel_killed_send_{policy}",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=64,
        default_args={"retries": 2, "retry_delay": pendulum.duration(seconds=0)},
    ):
        SelfKillingSendSmsOperator(
            task_id="send",
            recipients="{{ dag_run.conf['recipients'] }}",
            message="{{ dag_run.conf['message'] }}",
            on_rerun=policy,
        )
