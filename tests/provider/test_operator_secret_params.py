"""A pattern parameter marked secret (an OTP) is sent, but never shown: not in the rendered
fields (even below the masker's 5-character minimum), not in XCom, registered with the masker."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.sdk._shared.secrets_masker import redact
from airflow_support import captured, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.operators.send import IPPanelSendPatternOperator

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


def rendered_otp_operator(code: str, **params: Any) -> IPPanelSendPatternOperator:
    with DAG("otp", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendPatternOperator(
            task_id="send_otp",
            pattern_code="sandbox-otp",
            recipient="09121234567",
            pattern_params={"code": "{{ params.code }}", **params},
            secret_params=["code"],
        )
    op.render_template_fields({"dag": dag, "params": {"code": code}})  # type: ignore[arg-type]
    return op


@pytest.mark.parametrize("code", ["482913", "4821"], ids=["6_digits", "4_digits"])
def test_secret_param_is_sent_but_shown_as_stars(sandbox: ThreadedSandbox, code: str) -> None:
    op = rendered_otp_operator(code)
    assert op.pattern_params == {"code": "***"}  # what Airflow stores as rendered
    context = task_context()
    ids = op.execute(context)
    [sms] = captured(sandbox)
    assert sms["text"] == f"کد تایید شما: {code}"
    assert ids == [sms["bulk_id"]]
    assert context["ti"].pushed == {}  # nothing but the bulk ids (the return value) to XCom


def test_only_the_secret_params_are_hidden(sandbox: ThreadedSandbox) -> None:
    op = rendered_otp_operator("739150", name="Sara")
    assert op.pattern_params == {"code": "***", "name": "Sara"}
    assert redact("your code is 739150") == "your code is ***"  # registered with the masker


def test_secret_param_must_name_a_pattern_param() -> None:
    with pytest.raises(ValueError, match="secret_params names 'otp'"):
        IPPanelSendPatternOperator(
            task_id="t",
            pattern_code="sandbox-otp",
            recipient="09121234567",
            pattern_params={"code": "1"},
            secret_params=["otp"],
        )


def test_without_secret_params_values_stay_visible(sandbox: ThreadedSandbox) -> None:
    with DAG("order", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendPatternOperator(
            task_id="send",
            pattern_code="sandbox-order",
            recipient="09121234567",
            pattern_params={"order_id": "{{ params.order }}", "amount": "12000"},
        )
    op.render_template_fields({"dag": dag, "params": {"order": "A-17"}})  # type: ignore[arg-type]
    assert op.pattern_params == {"order_id": "A-17", "amount": "12000"}
