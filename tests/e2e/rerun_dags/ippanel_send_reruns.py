"""Test-only DAG: SMS sends whose task dies after IPPanel accepted (some of) the send, one task
per case in ``SCENARIOS``, each with ``retries=2``:

- ``fail_at="post_execute"``: after the whole send went out (on the tries in ``fail_on_tries``);
- ``fail_at="after_chunk"``: in the middle of a multi-chunk send, once the sandbox accepted
  ``chunks_before_failure`` requests.

The failure is a plain exception, so Airflow retries the task as after a lost worker.
"""

from __future__ import annotations

from typing import Any

import pendulum
from airflow.sdk import DAG
from ippanel_provider.operators.send import IPPanelSendSmsOperator

SCENARIOS: dict[str, dict[str, Any]] = {
    # the measurement: 2 recipients, the task dies after the send on tries 1 and 2
    "measured": {"recipients": ["09121110001", "09121110002"], "message": "KPI 97%",
                 "on_rerun": "reconcile", "fail_at": "post_execute", "fail_on_tries": [1, 2]},
    # 5 recipients in 3 requests (2 per request); try 1 dies once 2 requests were accepted
    "partial": {"recipients": [f"0912111002{i}" for i in range(5)], "message": "Campaign",
                "on_rerun": "reconcile", "fail_at": "after_chunk", "chunks_before_failure": 2,
                "fail_on_tries": [1]},
    "policy_fail": {"recipients": ["09121110031", "09121110032"], "message": "Policy fail",
                    "on_rerun": "fail", "fail_at": "post_execute", "fail_on_tries": [1]},
    "policy_resend": {"recipients": ["09121110041", "09121110042"], "message": "Policy resend",
                      "on_rerun": "resend", "fail_at": "post_execute", "fail_on_tries": [1]},
}  # fmt: skip


class DyingSendSmsOperator(IPPanelSendSmsOperator):
    """IPPanelSendSmsOperator whose task fails at ``fail_at`` on the tries ``fail_on_tries``."""

    def __init__(
        self,
        *,
        fail_at: str,
        fail_on_tries: list[int],
        chunks_before_failure: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fail_at, self.fail_on_tries = fail_at, fail_on_tries
        self.chunks_before_failure = chunks_before_failure
        self._dies_at: str | None = None

    def execute(self, context: Any) -> list[int]:
        dies = context["ti"].try_number in self.fail_on_tries
        self._dies_at = self.fail_at if dies else None
        return super().execute(context)

    def _send(self, client: Any, sender: str | None) -> Any:
        if self._dies_at == "after_chunk":
            attempt, accepted = client._attempt, []

            def dying_attempt(request: Any, authorization: Any, seconds: float) -> Any:
                result = attempt(request, authorization, seconds)
                if request.is_send:
                    accepted.append(result)
                    if len(accepted) == self.chunks_before_failure:
                        raise RuntimeError(f"worker lost after chunk {len(accepted)} was accepted")
                return result

            client._attempt = dying_attempt
        return super()._send(client, sender)

    def post_execute(self, context: Any, result: Any = None) -> None:
        super().post_execute(context, result)
        if self._dies_at == "post_execute":
            raise RuntimeError("worker lost after IPPanel accepted the send")


with DAG(
    "ippanel_send_reruns",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"retries": 2, "retry_delay": pendulum.duration(seconds=0)},
):
    for name, scenario in SCENARIOS.items():
        DyingSendSmsOperator(task_id=name, **scenario)
