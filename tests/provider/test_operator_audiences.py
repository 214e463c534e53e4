"""Country, geolocation, job, file and keyword send operators against the sandbox: what the
sandbox captured, and bad input as a no-retry failure with nothing sent."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow_support import RecordingTaskInstance, add_chaos, captured, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelClient, SendResult
from ippanel_provider.operators.audiences import (
    IPPanelSendCountryOperator,
    IPPanelSendFileOperator,
    IPPanelSendGeolocationOperator,
    IPPanelSendJobOperator,
    IPPanelSendKeywordOperator,
)
from ippanel_provider.operators.base import IPPanelSendOperatorBase
from ippanel_provider.operators.send import IPPanelSendPostalCodeOperator

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)

COUNTRY = {
    "province_id": 89, "pre": 912, "bank": "all", "gender": 0, "age_from": 1300,
    "age_to": 1410, "mci": {"start": 0, "size": 3}, "irancell": {"start": 0, "size": 0},
    "other": {"start": 0, "size": 0},
}  # fmt: skip


@pytest.mark.parametrize(
    ("operator", "targets", "sender", "reached"),
    [
        (IPPanelSendCountryOperator, [COUNTRY], "+98BANK", 3),
        (IPPanelSendGeolocationOperator, [{"operator": [{"id": 2, "size": 2}]}], "+98BANK", 2),
        (IPPanelSendJobOperator, [{"main_category_id": 3, "operator": [{"id": 1, "size": 4}]}],
         "+98PRO", 4),
    ],
)  # fmt: skip
def test_audience_operators_send_once_to_the_window_and_the_extra_numbers(
    sandbox: ThreadedSandbox, operator: type, targets: list[dict[str, object]], sender: str,
    reached: int,
) -> None:  # fmt: skip
    op = operator(
        task_id="send",
        message="audience",
        targets=targets,
        other_recipients="09121234567, 0912 123 4567",  # one person, twice
        sender=sender,
    )
    [bulk] = op.execute(task_context())
    sent = captured(sandbox, bulk_id=bulk)
    assert len(sent) == reached + 1
    assert [m["recipient"] for m in sent].count("+989121234567") == 1
    assert {m["sender"] for m in sent} == {sender}


def test_file_operator_sends_a_list_or_a_csv_with_the_connection_sender(
    sandbox: ThreadedSandbox, tmp_path: Path
) -> None:
    IPPanelSendFileOperator(
        task_id="list", source=["09121230001", "9121230001", "09351230002"], message="list"
    ).execute(task_context())
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("number\n09191230003\n", encoding="utf-8")
    IPPanelSendFileOperator(task_id="csv", source=str(numbers), message="csv").execute(
        task_context()
    )
    sent = sorted((m["text"], m["recipient"], m["sender"]) for m in captured(sandbox))
    assert sent == [
        ("csv", "+989191230003", "+983000505"),
        ("list", "+989121230001", "+983000505"),
        ("list", "+989351230002", "+983000505"),
    ]


def test_keyword_operator_fills_rows_from_an_upstream_query(sandbox: ThreadedSandbox) -> None:
    rows = [["09121230001", "Ali"], ("09351230002", "Sara")]
    IPPanelSendKeywordOperator(task_id="kw", source=rows, message="Salam {ex_B}").execute(
        task_context()
    )
    assert sorted(m["text"] for m in captured(sandbox)) == ["Salam Ali", "Salam Sara"]


@pytest.mark.parametrize(
    ("op", "words"),
    [
        (IPPanelSendCountryOperator(task_id="c", message="m", targets=[{"province_id": 89}]),
         "country target 1 has no pre"),
        (IPPanelSendJobOperator(task_id="j", message="m", targets={"main_category_id": 1}),
         "targets must be a list"),
        (IPPanelSendPostalCodeOperator(task_id="p", message="m",
                                       targets={"postal_code": 14167}),
         "targets must be a list of targets, got dict"),
        (IPPanelSendFileOperator(task_id="f", source=["09121234567", "0912"], message="m"),
         "#2: '0912'"),
        (IPPanelSendKeywordOperator(task_id="k", source=[["09121234567"]], message="{ex_C}"),
         "have no column C"),
    ],
)  # fmt: skip
def test_bad_input_fails_without_retry_and_sends_nothing(
    sandbox: ThreadedSandbox, op: object, words: str
) -> None:
    with pytest.raises(AirflowFailException, match="not retried") as info:
        op.execute(task_context())  # type: ignore[attr-defined]
    assert words in str(info.value)
    assert captured(sandbox) == []


def two_people_by_job(**kwargs: Any) -> IPPanelSendJobOperator:
    """A job-bank send reaching two people, from the bank's shared line."""
    return IPPanelSendJobOperator(task_id="j", message="m", targets=JOB, sender="+98PRO", **kwargs)


def test_an_unknown_outcome_is_never_retried(sandbox: ThreadedSandbox) -> None:
    add_chaos(sandbox, route="POST /api/send", first_n=1, fault="reset_after")
    op = two_people_by_job(retries=3)
    with pytest.raises(AirflowFailException, match="Do NOT simply clear or retry"):
        op.execute(task_context())
    assert len(captured(sandbox)) == 2  # sent once, to its two people


def test_a_failed_audience_send_never_advises_a_clear_it_cannot_reconcile(
    sandbox: ThreadedSandbox,
) -> None:
    """Its requests name no recipients, so a rerun cannot look it up in the outbox: the
    message must not promise that clearing the task reconciles."""
    add_chaos(sandbox, route="POST /api/send", first_n=1, fault="reset_after")
    op = two_people_by_job()
    assert op.on_rerun == "reconcile"
    with pytest.raises(AirflowFailException) as info:
        op.execute(task_context())
    assert "Clearing this task" not in str(info.value)
    assert "Do NOT simply clear or retry" in str(info.value)


def rerun_context() -> dict[str, Any]:
    """A try after the first (a retry or a clear) of a run that was due a minute ago."""
    ti = RecordingTaskInstance()
    ti.try_number = 2  # type: ignore[attr-defined]
    return {"ti": ti, "dag_run": SimpleNamespace(run_after=pendulum.now("UTC").subtract(minutes=1))}


JOB = [{"main_category_id": 1, "operator": [{"id": 1, "size": 2}]}]


@pytest.mark.parametrize(
    "make",
    [
        two_people_by_job,
        lambda: IPPanelSendFileOperator(task_id="f", source=["09121234567"], message="m"),
        lambda: IPPanelSendKeywordOperator(task_id="k", source=[["09121234567", "x"]],
                                           message="{ex_B}"),
        lambda: IPPanelSendPostalCodeOperator(
            task_id="p", message="m", targets=[{"postal_code": 14167,
                                                "mci": {"start": 0, "size": 2}}]),
    ],
    ids=["job", "file", "keyword", "postal_code"],
)  # fmt: skip
def test_a_reconciling_rerun_of_a_send_without_a_recipient_list_sends_nothing(
    sandbox: ThreadedSandbox, make: Any
) -> None:
    """The outbox cannot tell whether such a send went out: the rerun fails, without retry."""
    op = make()
    assert op.on_rerun == "reconcile"
    with pytest.raises(AirflowFailException, match="Not sent, not retried: cannot reconcile"):
        op.execute(rerun_context())
    assert captured(sandbox) == []


class NewAudienceOperator(IPPanelSendOperatorBase):
    """A send operator written later, for a sending type the reconciler does not know, that
    declares nothing about reruns."""

    def _send(self, client: IPPanelClient, sender: str | None) -> SendResult:
        return client.send_job("m", JOB, sender=sender)


def test_a_new_operator_whose_sends_cannot_be_described_never_claims_to_reconcile(
    sandbox: ThreadedSandbox,
) -> None:
    add_chaos(sandbox, route="POST /api/send", first_n=1, fault="reset_after")
    op = NewAudienceOperator(task_id="new", sender="+98PRO")
    with pytest.raises(AirflowFailException) as info:
        op.execute(task_context())
    assert "Clearing this task" not in str(info.value)
    assert "Do NOT simply clear or retry" in str(info.value)
    assert len(captured(sandbox)) == 2  # it did land
    with pytest.raises(AirflowFailException, match="cannot reconcile"):
        op.execute(rerun_context())
    assert len(captured(sandbox)) == 2
