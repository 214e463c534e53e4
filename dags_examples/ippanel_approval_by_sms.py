"""Approve a data release by SMS: text the approver, wait for YES or NO, then branch.

``ask_approval`` texts the approver; ``wait_for_reply`` waits (deferred, in the triggerer) for an
SMS from that number saying YES or NO (any case, Persian digits and punctuation are fine);
``decide`` follows ``release`` on YES and ``hold_release`` on NO. Nobody answering within the
timeout counts as NO (``defaults``), so the release never goes out unapproved.

Trigger with ``{"approver": "09121234567"}`` to choose the phone. Needs an ``ippanel_default``
connection whose ``sender`` extra names a line number that receives replies.
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import Param, dag, task
from ippanel_provider.operators.send import IPPanelSendSmsOperator
from ippanel_provider.sensors.inbox import IPPanelInboxSensor

APPROVER = os.environ.get("IPPANEL_APPROVER", "09121110099")
RELEASE_TEAM = os.environ.get("IPPANEL_RELEASE_TEAM", "09121110088")
# The sensor's own polling schedule, sized for SMS, unless IPPANEL_POKE_INTERVAL (seconds) is set
POLLING: dict[str, Any] = (
    {"poke_interval": float(os.environ["IPPANEL_POKE_INTERVAL"])}
    if os.environ.get("IPPANEL_POKE_INTERVAL")
    else {}
)
REPLY_TIMEOUT = float(os.environ.get("IPPANEL_REPLY_TIMEOUT", str(60 * 60)))


@dag(
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    params={"approver": Param(APPROVER, type="string", description="who approves, by SMS")},
    tags=["ippanel", "example"],
)
def ippanel_approval_by_sms() -> None:
    ask = IPPanelSendSmsOperator(
        task_id="ask_approval",
        recipients="{{ params.approver }}",
        message="Release {{ run_id }} is ready. Reply YES to publish it or NO to hold it.",
    )
    reply = IPPanelInboxSensor(
        task_id="wait_for_reply",
        from_numbers="{{ params.approver }}",
        after_send=ask.output,  # a YES sent before the question does not count
        options=["YES", "NO"],
        defaults=["NO"],
        deferrable=True,
        **POLLING,
        timeout=REPLY_TIMEOUT,
    )

    @task.branch
    def decide(answer: dict[str, Any]) -> str:
        """Follow the approver's choice."""
        return "release" if answer["chosen_options"] == ["YES"] else "hold_release"

    release = IPPanelSendSmsOperator(
        task_id="release",
        recipients=RELEASE_TEAM,
        message="Release {{ run_id }} approved by {{ params.approver }}: publishing.",
    )
    hold = IPPanelSendSmsOperator(
        task_id="hold_release",
        recipients=RELEASE_TEAM,
        message="Release {{ run_id }} not approved by {{ params.approver }}: on hold.",
    )
    ask >> reply
    decide(reply.output) >> [release, hold]


ippanel_approval_by_sms()
