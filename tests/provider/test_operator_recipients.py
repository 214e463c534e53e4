"""One person, one SMS, one charge: recipients are de-duplicated after normalisation by every
send operator that takes a list, and by the notifier (proved by what the sandbox captured and
by the credit it debited); positions in recipient errors count from 1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow_support import SANDBOX_KEY, captured, task_context
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelClient
from ippanel_provider.notifications.ippanel import IPPanelNotifier
from ippanel_provider.operators.send import (
    IPPanelSendPeerToPeerFileOperator,
    IPPanelSendPeerToPeerOperator,
    IPPanelSendPostalCodeOperator,
    IPPanelSendSmsOperator,
)

pytestmark = pytest.mark.ippanel_sandbox(delivery_delay=0)

SAME_PERSON = ["0912 123 4567", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567"]
"""One number written three ways."""
PART_PRICE = 3325.0
"""Rial per part of a GSM-7 (English) SMS in the sandbox."""


@pytest.fixture
def credit(sandbox: ThreadedSandbox) -> Iterator[IPPanelClient]:
    with IPPanelClient(sandbox.url, api_key=SANDBOX_KEY) as client:
        yield client


def recipients_of(sandbox: ThreadedSandbox, ids: list[int]) -> list[str]:
    return sorted(m["recipient"] for m in captured(sandbox) if m["bulk_id"] in ids)


def test_one_person_written_three_ways_gets_one_sms_and_one_charge(
    sandbox: ThreadedSandbox, credit: IPPanelClient, capsys: pytest.CaptureFixture[str]
) -> None:
    before = credit.get_credit()
    op = IPPanelSendSmsOperator(
        task_id="send", recipients=[*SAME_PERSON, "09351234567"], message="hello"
    )
    ids = op.execute(task_context())
    assert recipients_of(sandbox, ids) == ["+989121234567", "+989351234567"]
    assert before - credit.get_credit() == 2 * PART_PRICE
    assert "Dropped 2 repeated recipients after normalisation (entries 2, 3" in (
        capsys.readouterr().out
    )


def test_keep_duplicates_sends_and_charges_every_entry(
    sandbox: ThreadedSandbox, credit: IPPanelClient
) -> None:
    before = credit.get_credit()
    op = IPPanelSendSmsOperator(
        task_id="send", recipients=SAME_PERSON, message="hello", keep_duplicates=True
    )
    ids = op.execute(task_context())
    assert recipients_of(sandbox, ids) == ["+989121234567"] * 3
    assert before - credit.get_credit() == 3 * PART_PRICE


def test_peer_to_peer_drops_a_repeated_person_and_text_but_keeps_other_texts(
    sandbox: ThreadedSandbox, credit: IPPanelClient
) -> None:
    before = credit.get_credit()
    op = IPPanelSendPeerToPeerOperator(
        task_id="send",
        items=[
            {"recipients": SAME_PERSON[:2], "message": "your code"},
            {"recipients": [SAME_PERSON[2], "09351234567"], "message": "your code"},
            {"recipients": [SAME_PERSON[0]], "message": "a different text"},
        ],
    )
    ids = op.execute(task_context())
    sent = sorted((m["recipient"], m["text"]) for m in captured(sandbox) if m["bulk_id"] in ids)
    assert sent == [
        ("+989121234567", "a different text"),
        ("+989121234567", "your code"),
        ("+989351234567", "your code"),
    ]
    assert before - credit.get_credit() == 3 * PART_PRICE


@pytest.mark.parametrize("from_file", [True, False], ids=["csv_path", "rows"])
def test_peer_to_peer_file_drops_repeated_rows(
    sandbox: ThreadedSandbox, credit: IPPanelClient, tmp_path: Path, from_file: bool
) -> None:
    rows = [(SAME_PERSON[0], "hi"), (SAME_PERSON[1], "hi"), (SAME_PERSON[2], "bye")]
    source: Any = rows
    if from_file:
        source = tmp_path / "rows.csv"
        source.write_text(
            "recipient,message\n" + "".join(f"{r},{m}\n" for r, m in rows), encoding="utf-8"
        )
        source = str(source)
    before = credit.get_credit()
    ids = IPPanelSendPeerToPeerFileOperator(task_id="send", source=source).execute(task_context())
    sent = sorted((m["recipient"], m["text"]) for m in captured(sandbox) if m["bulk_id"] in ids)
    assert sent == [("+989121234567", "bye"), ("+989121234567", "hi")]
    assert before - credit.get_credit() == 2 * PART_PRICE


def test_postal_code_extra_recipients_are_deduplicated(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendPostalCodeOperator(
        task_id="send",
        message="hello",
        targets=[{"postal_code": 14167, "mci": {"start": 0, "size": 1}}],
        other_recipients=SAME_PERSON,
    )
    ids = op.execute(task_context())
    assert recipients_of(sandbox, ids).count("+989121234567") == 1


def test_notifier_texts_each_person_once(sandbox: ThreadedSandbox) -> None:
    notifier = IPPanelNotifier(recipients=", ".join(SAME_PERSON), message="down")
    notifier.notify({})  # type: ignore[arg-type]
    assert [m["recipient"] for m in captured(sandbox)] == ["+989121234567"]


def test_notifier_keep_duplicates_texts_every_entry(sandbox: ThreadedSandbox) -> None:
    notifier = IPPanelNotifier(recipients=SAME_PERSON, message="down", keep_duplicates=True)
    notifier.notify({})  # type: ignore[arg-type]
    assert len(captured(sandbox)) == 3


def test_invalid_recipients_are_named_by_their_1_based_position(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendSmsOperator(
        task_id="send", recipients=["09121234567", "12345", "09351234567", "x"], message="m"
    )
    with pytest.raises(AirflowFailException) as info:
        op.execute(task_context())
    assert "2 of 4 recipient(s)" in str(info.value)
    assert "#2: '12345', #4: 'x'" in str(info.value)
    assert captured(sandbox) == []


def test_peer_to_peer_errors_name_the_item_from_1(sandbox: ThreadedSandbox) -> None:
    op = IPPanelSendPeerToPeerOperator(
        task_id="send",
        items=[
            {"recipients": ["09121234567"], "message": "a"},
            {"recipients": ["1"], "message": "b"},
        ],
    )
    with pytest.raises(AirflowFailException, match=r"in peer-to-peer item 2 .*#1: '1'"):
        op.execute(task_context())
    bad_shape = IPPanelSendPeerToPeerOperator(task_id="send", items=["just a string"])
    with pytest.raises(AirflowFailException, match="item 1 must be"):
        bad_shape.execute(task_context())
    assert captured(sandbox) == []
