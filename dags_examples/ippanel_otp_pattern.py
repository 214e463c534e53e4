"""Send a one-time code with a stored pattern, then wait until IPPanel has sent it.

The sandbox ships the pattern ``sandbox-otp`` (text ``کد تایید شما: %code%``). Trigger with
``{"recipient": "09121234567"}`` to choose the phone.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task
from ippanel_provider.operators.send import IPPanelSendPatternOperator
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor

POKE_INTERVAL = float(os.environ.get("IPPANEL_POKE_INTERVAL", "30"))


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    params={
        "recipient": Param("09121234567", type="string", description="mobile number"),
        "pattern_code": Param("sandbox-otp", type="string"),
    },
    tags=["ippanel", "example"],
)
def ippanel_otp_pattern() -> None:
    @task(show_return_value_in_logs=False)  # the return value is the OTP: keep it out of logs
    def generate_code() -> str:
        import secrets

        return f"{secrets.randbelow(1_000_000):06d}"

    code = generate_code()
    send = IPPanelSendPatternOperator(
        task_id="send_otp",
        code="{{ params.pattern_code }}",
        recipient="{{ params.recipient }}",
        pattern_params={"code": "{{ ti.xcom_pull(task_ids='generate_code') }}"},
    )
    sent = IPPanelDeliverySensor(
        task_id="wait_until_sent",
        outbox_ids=send.output,
        wait_for="sent",
        poke_interval=POKE_INTERVAL,
        timeout=5 * 60,
    )
    code >> send >> sent


ippanel_otp_pattern()
