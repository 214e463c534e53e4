"""Send operators against the in-process sandbox: what gets captured is what the user asked."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pendulum
import pytest
from airflow.exceptions import AirflowProviderDeprecationWarning
from airflow.sdk import DAG
from airflow.sdk._shared.secrets_masker import redact
from airflow.sdk.exceptions import AirflowFailException
from airflow_support import add_chaos, captured, set_connection, task_context, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelTransportError
from ippanel_provider.notifications.ippanel import IPPanelNotifier
from ippanel_provider.operators.send import (
    IPPanelSendPatternOperator,
    IPPanelSendPeerToPeerFileOperator,
    IPPanelSendPeerToPeerOperator,
    IPPanelSendPostalCodeOperator,
    IPPanelSendSmsOperator,
    IPPanelSendVotpOperator,
    coerce_recipients,
)
from sandbox_support import API_KEY

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)


def test_sms_goes_to_every_recipient_with_the_connection_sender(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendSmsOperator(
        task_id="send", recipients="09121234567, 09351234567\n09191234567", message="Hi team"
    )
    ids = op.execute(task_context())
    messages = captured(sandbox)
    assert [m["recipient"] for m in messages] == ["+989121234567", "+989351234567", "+989191234567"]
    assert {m["text"] for m in messages} == {"Hi team"}
    assert {m["sender"] for m in messages} == {"+983000505"}
    assert {m["bulk_id"] for m in messages} == set(ids)


def test_explicit_sender_and_normal_sending_type(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendSmsOperator(
        task_id="send",
        recipients=["09121234567"],
        message="x",
        sender="+9810001",
        sending_type="normal",
    )
    op.execute(task_context())
    [message] = captured(sandbox)
    assert (message["sender"], message["sending_type"]) == ("+9810001", "normal")


def test_missing_sender_fails_before_sending(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, password=API_KEY)
    op = IPPanelSendSmsOperator(task_id="send", recipients="09121234567", message="x")
    with pytest.raises(AirflowFailException, match="sender"):
        op.execute(task_context())
    assert captured(ippanel_sandbox) == []


def test_invalid_recipient_fails_without_retry_and_sends_nothing(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendSmsOperator(task_id="send", recipients="09121234567,12345", message="x")
    with pytest.raises(AirflowFailException, match="12345"):
        op.execute(task_context())
    assert captured(sandbox) == []


def test_native_rendering_keeps_recipients_as_strings(sandbox: ThreadedSandbox) -> None:
    with DAG(
        "native",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1),
        render_template_as_native_obj=True,
    ) as dag:
        op = IPPanelSendSmsOperator(
            task_id="send", recipients="{{ params.numbers }}", message="{{ params.text }}"
        )
    context: dict[str, Any] = {
        "dag": dag,
        "params": {"numbers": [9121234567, "09351234567"], "text": "ok"},
    }
    op.render_template_fields(context)  # type: ignore[arg-type]
    assert op.recipients == ["9121234567", "09351234567"]
    op.execute(task_context())
    assert [m["recipient"] for m in captured(sandbox)] == ["+989121234567", "+989351234567"]


def test_list_param_rendered_as_text_is_read_as_a_list(sandbox: ThreadedSandbox) -> None:
    """Without native rendering Jinja turns a list into its repr; each number is still sent."""
    with DAG("text", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendSmsOperator(task_id="send", recipients="{{ params.numbers }}", message="m")
    context: dict[str, Any] = {"dag": dag, "params": {"numbers": ["09121234567", "09351234567"]}}
    op.render_template_fields(context)  # type: ignore[arg-type]
    assert op.recipients == "['09121234567', '09351234567']"
    op.execute(task_context())
    assert [m["recipient"] for m in captured(sandbox)] == ["+989121234567", "+989351234567"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912 123 4567", ["0912 123 4567"]),
        ("a;b,,c\n", ["a", "b", "c"]),
        (9121234567, ["9121234567"]),
        (("1", 2), ["1", "2"]),
        ("['09121234567', 9351234567]", ["09121234567", "9351234567"]),
        ("(0912) 123 4567", ["(0912) 123 4567"]),
        ("[0912]", ["[0912]"]),
    ],
)
def test_coerce_recipients_accepts_the_usual_shapes(value: object, expected: list[str]) -> None:
    assert coerce_recipients(value) == expected


@pytest.mark.parametrize("value", [None, "", " , ", [], "[]", {"a": 1}, True, [None], "[{}]"])
def test_coerce_recipients_rejects_nonsense(value: object) -> None:
    with pytest.raises((TypeError, ValueError)):
        coerce_recipients(value)


def test_pattern_send_fills_the_pattern(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendPatternOperator(
        task_id="otp",
        pattern_code="sandbox-otp",
        recipient=9121234567,
        pattern_params={"code": 482913},
    )
    [bulk_id] = op.execute(task_context())
    [message] = captured(sandbox)
    assert message["bulk_id"] == bulk_id
    assert message["sending_type"] == "pattern"
    assert "482913" in message["text"]


def test_pattern_operator_does_not_hijack_airflow_params() -> None:
    op = IPPanelSendPatternOperator(
        task_id="otp", pattern_code="c", recipient="09121234567", pattern_params={"code": "1"}
    )
    assert op.pattern_params == {"code": "1"}
    assert "code" not in op.params


def test_pattern_code_is_the_notifiers_name_and_is_templated(sandbox: ThreadedSandbox) -> None:
    with DAG("otp", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendPatternOperator(
            task_id="otp",
            pattern_code="{{ params.pattern }}",
            recipient="09121234567",
            pattern_params={"code": "482913"},
        )
    assert "pattern_code" in op.template_fields
    assert "pattern_code" in inspect.signature(IPPanelNotifier).parameters
    op.render_template_fields({"dag": dag, "params": {"pattern": "sandbox-otp"}})  # type: ignore[arg-type]
    op.execute(task_context())
    [message] = captured(sandbox)
    assert message["text"] == "کد تایید شما: 482913"


def test_pattern_operator_code_still_works_with_a_deprecation_warning(
    sandbox: ThreadedSandbox,
) -> None:
    with pytest.warns(AirflowProviderDeprecationWarning, match="use pattern_code="):
        op = IPPanelSendPatternOperator(
            task_id="otp", code="sandbox-otp", recipient="09121234567", pattern_params={"code": 7}
        )
    assert op.pattern_code == op.code == "sandbox-otp"
    op.execute(task_context())
    [message] = captured(sandbox)
    assert message["text"] == "کد تایید شما: 7"


def test_pattern_operator_refuses_both_names_or_neither() -> None:
    with pytest.raises(TypeError, match="not both"):
        IPPanelSendPatternOperator(task_id="a", pattern_code="x", code="y", recipient="09121234567")
    with pytest.raises(TypeError, match="needs pattern_code="):
        IPPanelSendPatternOperator(task_id="b", recipient="09121234567")


def test_peer_to_peer_sends_each_item_its_own_text(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendPeerToPeerOperator(
        task_id="p2p",
        items=[
            {"recipients": "09121234567,09351234567", "message": "first"},
            (["09191234567"], "second"),
        ],
    )
    op.execute(task_context())
    texts = {m["recipient"]: m["text"] for m in captured(sandbox)}
    assert texts == {"+989121234567": "first", "+989351234567": "first", "+989191234567": "second"}


def test_peer_to_peer_file_from_a_csv_path_and_from_rows(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("recipient,message\n09121234567,from file\n", encoding="utf-8")
    IPPanelSendPeerToPeerFileOperator(task_id="f", source=str(path)).execute(task_context())
    IPPanelSendPeerToPeerFileOperator(task_id="r", source=[["09351234567", "from rows"]]).execute(
        task_context()
    )
    texts = {m["recipient"]: m["text"] for m in captured(sandbox)}
    assert texts == {"+989121234567": "from file", "+989351234567": "from rows"}


def test_postal_code_reaches_the_audience_and_extra_numbers(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendPostalCodeOperator(
        task_id="postal",
        message="local news",
        targets=[{"postal_code": 14167, "mci": {"start": 0, "size": 3}}],
        other_recipients="09351234567",
    )
    ids = op.execute(task_context())
    messages = captured(sandbox)
    assert len(messages) == 4
    assert "+989351234567" in {m["recipient"] for m in messages}
    assert {m["bulk_id"] for m in messages} == set(ids)


def test_votp_code_is_masked_once_rendered(sandbox: ThreadedSandbox) -> None:
    with DAG("votp", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendVotpOperator(task_id="votp", code="{{ params.c }}", recipient="09121234567")
    op.render_template_fields({"dag": dag, "params": {"c": "731592"}})  # type: ignore[arg-type]
    assert redact("code 731592") == "code ***"
    [bulk_id] = op.execute(task_context())
    [message] = captured(sandbox)
    assert (message["recipient"], message["text"], message["bulk_id"]) == (
        "+989121234567", "731592", bulk_id,
    )  # fmt: skip


def test_votp_code_rendered_as_a_number_is_still_masked(sandbox: ThreadedSandbox) -> None:
    with DAG(
        "votp_native",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1),
        render_template_as_native_obj=True,
    ) as dag:
        op = IPPanelSendVotpOperator(
            task_id="votp", code="{{ params.c }}", recipient="{{ params.to }}"
        )
    op.render_template_fields({"dag": dag, "params": {"c": "583016", "to": "9121234567"}})  # type: ignore[arg-type]
    assert (op.code, op.recipient) == ("***", "9121234567")
    assert redact("583016") == "***"
    op.execute(task_context())
    [message] = captured(sandbox)
    assert (message["recipient"], message["text"]) == ("+989121234567", "583016")


def test_short_votp_code_never_shows_as_the_rendered_field(sandbox: ThreadedSandbox) -> None:
    """Airflow's masker skips secrets under 5 characters; a 4-digit OTP must not show anyway."""
    with DAG("votp4", schedule=None, start_date=pendulum.datetime(2025, 1, 1)) as dag:
        op = IPPanelSendVotpOperator(task_id="votp", code="{{ params.c }}", recipient="09121234567")
    op.render_template_fields({"dag": dag, "params": {"c": "4821"}})  # type: ignore[arg-type]
    assert op.code == "***"
    op.execute(task_context())
    [message] = captured(sandbox)
    assert message["text"] == "4821"


@pytest.mark.parametrize(
    ("on_rerun", "advice"),
    [
        ("reconcile", "Clearing this task looks the send up in the IPPanel outbox"),
        ("resend", "Do NOT simply clear or retry this task"),
    ],
)
def test_unknown_send_outcome_fails_without_retry_and_says_what_a_clear_does(
    sandbox: ThreadedSandbox, on_rerun: str, advice: str
) -> None:
    add_chaos(sandbox, route="POST /api/send", first_n=1, fault="reset_after")
    op = IPPanelSendSmsOperator(
        task_id="send", recipients="09121234567", message="maybe", retries=3, on_rerun=on_rerun
    )
    with pytest.raises(AirflowFailException, match=f"Not retried. {advice}"):
        op.execute(task_context())
    assert len(captured(sandbox)) == 1  # it did land: a retry would have sent it twice


def test_on_rerun_must_be_a_known_policy() -> None:
    with pytest.raises(ValueError, match="on_rerun must be one of"):
        IPPanelSendSmsOperator(task_id="send", recipients="1", message="m", on_rerun="retry")


def test_refused_connection_is_left_to_airflow_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(
        monkeypatch,
        host="http://127.0.0.1:9",
        password=API_KEY,
        extra={"sender": "+983000505", "connect_timeout": 2},
    )
    op = IPPanelSendSmsOperator(task_id="send", recipients="09121234567", message="x")
    with pytest.raises(IPPanelTransportError):
        op.execute(task_context())


def test_mapping_over_recipients_makes_one_task_per_value() -> None:
    with DAG("mapped", schedule=None, start_date=pendulum.datetime(2025, 1, 1)):
        mapped = IPPanelSendSmsOperator.partial(task_id="send", message="hi").expand(
            recipients=["09121234567", "09351234567"]
        )
    assert mapped.expand_input.value == {"recipients": ["09121234567", "09351234567"]}


@pytest.mark.ippanel_sandbox(delivery_delay=0, rate_limit=0.01, rate_burst=1)
def test_partly_accepted_send_fails_without_retry_and_records_what_went_out(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox, recipients_per_request=1)
    op = IPPanelSendSmsOperator(
        task_id="send", recipients=["09121234567", "09351234567"], message="chunked"
    )
    context = task_context()
    with pytest.raises(AirflowFailException, match="Part of the send was accepted"):
        op.execute(context)
    [message] = captured(ippanel_sandbox)
    assert context["ti"].pushed["sent_outbox_ids"] == [message["bulk_id"]]
