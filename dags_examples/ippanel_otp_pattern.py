"""Send a one-time code with a stored pattern, the safe way, then wait until IPPanel has sent it.

The code is made inside the send task, by the DAG macro ``new_otp`` in ``pattern_params``, so it
never passes through XCom. ``secret_params=["code"]`` registers it with Airflow's secret masker
and shows ``***`` for it in the Rendered Template view (also for codes under the masker's
5-character minimum); the task returns only the bulk id. An app that checks the code later should
be the one to make it, or keep only a hash of it.

Each try makes a new code, so a try that runs again after IPPanel accepted the send (a killed
worker, a retry, a clear) cannot find the first SMS in the outbox: the default
``on_rerun="reconcile"`` sends a second SMS with a second code. Set ``on_rerun="fail"`` to
have such a try fail without sending instead.

The sandbox ships the pattern ``sandbox-otp`` (text ``کد تایید شما: %code%``). Trigger with
``{"recipient": "09121234567"}`` to choose the phone.
"""

from __future__ import annotations

import secrets

import pendulum
from airflow.sdk import Param, dag
from ippanel_provider.operators.send import IPPanelSendPatternOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor


def new_otp(digits: int = 6) -> str:
    """A random one-time code (``secrets``, not ``random``)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    params={
        "recipient": Param("09121234567", type="string", description="mobile number"),
        "pattern_code": Param("sandbox-otp", type="string"),
    },
    user_defined_macros={"new_otp": new_otp},
    tags=["ippanel", "example"],
)
def ippanel_otp_pattern() -> None:
    send = IPPanelSendPatternOperator(
        task_id="send_otp",
        pattern_code="{{ params.pattern_code }}",
        recipient="{{ params.recipient }}",
        pattern_params={"code": "{{ new_otp() }}"},
        secret_params=["code"],
    )
    IPPanelDeliverySensor(task_id="wait_until_sent", outbox_ids=send.output, wait_for="sent")


ippanel_otp_pattern()
