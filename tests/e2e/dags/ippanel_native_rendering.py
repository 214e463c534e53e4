"""Test-only DAG: native rendering keeps numbers intact, mapping over a task's XCom, a task-level
success notifier, a mapped voice OTP whose code stays masked, and a sensor whose deferrable
default comes from the configuration."""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task
from ippanel_provider.notifications.ippanel import IPPanelNotifier
from ippanel_provider.operators.send import (
    IPPanelSendPatternOperator,
    IPPanelSendSmsOperator,
    IPPanelSendVotpOperator,
)
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    render_template_as_native_obj=True,
    params={
        "int_number": "9121234567",  # renders natively to the int 9121234567
        "zero_number": "09351234567",  # leading zero: must reach IPPanel as 0935..., not 935...
        "oncall": "09121112244",
        "code": "012345",
    },
)
def ippanel_native_rendering() -> None:
    @task
    def team_numbers() -> list[object]:
        return [9191234567, "09131234567"]

    mapped = IPPanelSendSmsOperator.partial(
        task_id="send_mapped", message="mapped {{ ti.map_index }}"
    ).expand(recipients=team_numbers())
    IPPanelSendSmsOperator(task_id="send_int", recipients="{{ params.int_number }}", message="int")
    IPPanelSendSmsOperator(
        task_id="send_zero",
        recipients="{{ params.zero_number }}",
        message="zero",
        on_success_callback=IPPanelNotifier(
            recipients="{{ params.oncall }}",
            message="{{ ti.task_id }} of {{ dag.dag_id }} succeeded",
        ),
    )
    IPPanelSendPatternOperator(
        task_id="send_code",
        pattern_code="sandbox-otp",
        recipient="{{ params.zero_number }}",
        pattern_params={"code": "{{ params.code }}"},
    )
    IPPanelSendVotpOperator.partial(task_id="send_votp", recipient="09121234567").expand(
        code=["731592"]
    )
    IPPanelDeliverySensor(
        task_id="wait_mapped",
        outbox_ids=mapped.output,
        wait_for="sent",
        poke_interval=1,
        timeout=120,
    )


ippanel_native_rendering()
