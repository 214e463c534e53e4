"""Test-only DAGs for the worker-death tests: a 3-request SMS send whose task process SIGKILLs
itself where the run's conf says, so the real scheduler and executor must retry it.

``conf["kills"]`` maps a try number (as a string) to a kill point:

- ``before_request:K``: just before the K-th send request leaves;
- ``held:K``: while the sandbox holds the K-th send request (chaos latency), 0.15 s into it;
- ``after_accepted:K``: right after the sandbox answered the K-th send request;
- ``after_xcom``: after the whole send, once the returned ids are in XCom.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pendulum
from airflow.sdk import DAG
from ippanel_provider.operators.send import IPPanelSendSmsOperator

HELD_KILL_DELAY = 0.15


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class SelfKillingSendSmsOperator(IPPanelSendSmsOperator):
    def execute(self, context: Any) -> list[int]:
        kills = (context["dag_run"].conf or {}).get("kills", {})
        point = kills.get(str(context["ti"].try_number), "")
        self._where, _, number = point.partition(":")
        self._request = int(number or 0)
        result = super().execute(context)
        if self._where == "after_xcom":
            context["ti"].xcom_push(key="return_value", value=result)
            die()
        return result

    def _send(self, client: Any, sender: str | None) -> Any:
        attempt, sends = client._attempt, []

        def attempt_or_die(request: Any, authorization: Any, seconds: float) -> Any:
            if request.is_send:
                sends.append(request)
                if len(sends) == self._request:
                    if self._where == "before_request":
                        die()
                    if self._where == "held":
                        threading.Timer(HELD_KILL_DELAY, die).start()
            result = attempt(request, authorization, seconds)
            if request.is_send and len(sends) == self._request and self._where == "after_accepted":
                die()
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
