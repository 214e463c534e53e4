"""The recipients page is encoded straight from the bulk: same JSON as its rows as dicts."""

from __future__ import annotations

import dataclasses
import json

import pytest
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.envelope import dump_bytes
from ippanel_mock.http.report import recipient_rows_json
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.outbox import OutboxBulk

NUMBERS = [9121230000, 9121230001, 9351230002, 9901230003, 9121230004, 9121234567, 9350000010]
ALL_DELIVERED = [9121234567, 9351230002, 9350000010, 9901239999, 9121230005]
"""No magic number but 0002 (which ends delivered like any other): one status for every row."""
TEXTS = ['سلام "دنیا"\n\\ تست', "plain", "\u2028 and </script> and \t"]


def _bulk(
    backend: SandboxBackend, text: str, numbers: list[int], send_time: float | None = None
) -> OutboxBulk:
    account = backend.users.get("sandbox")
    assert account is not None
    return backend.outbox.create(
        account, sender="+983000505", text=text, recipients=numbers,
        sending_type="webservice", send_time=send_time,
    )  # fmt: skip


def _rows_as_dicts(
    bulk: OutboxBulk, now: float, offset: int, limit: int
) -> list[dict[str, object]]:
    return [
        {
            "recipient": number,
            "message": bulk.text,
            "is_readable": True,
            "msg_parts": str(bulk.parts),
            "message_status": None if status is None else str(status),
        }
        for number, status in bulk.page(now, offset, limit)
    ]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("elapsed", [0.0, 1.0, 6.0, 11.0])
@pytest.mark.parametrize(("offset", "limit"), [(0, 100), (2, 3), (5, 2), (7, 10)])
@pytest.mark.parametrize("numbers", [NUMBERS, ALL_DELIVERED], ids=["magic", "all_delivered"])
def test_page_bytes_match_the_rows_as_dicts(
    text: str, elapsed: float, offset: int, limit: int, numbers: list[int]
) -> None:
    backend = SandboxBackend(SandboxConfig(delivery_delay=10.0))
    scheduled = _bulk(backend, text, numbers, send_time=backend.clock.now() + 3600)
    sending = _bulk(backend, text, numbers)
    assert sending.all_delivered is (numbers is ALL_DELIVERED)
    backend.clock.advance(elapsed)
    now = backend.clock.now()
    for bulk in (scheduled, sending):
        encoded, count = recipient_rows_json(bulk, now, offset, limit)
        expected = _rows_as_dicts(bulk, now, offset, limit)
        assert count == len(expected)
        assert encoded == dump_bytes(expected)
        assert json.loads(encoded) == expected


def test_forced_bulk_rows_have_no_status() -> None:
    backend = SandboxBackend(SandboxConfig(delivery_delay=10.0))
    bulk = _bulk(backend, "x", NUMBERS)
    bulk.final_state = 9
    encoded, _ = recipient_rows_json(bulk, backend.clock.now(), 0, 100)
    assert [row["message_status"] for row in json.loads(encoded)] == [None] * len(NUMBERS)


def test_bulk_without_counts_is_rendered_row_by_row() -> None:
    backend = SandboxBackend(SandboxConfig(delivery_delay=0.0))
    made = _bulk(backend, "x", NUMBERS)
    bare = dataclasses.replace(made, counts={})
    assert not bare.all_delivered
    now = backend.clock.now() + 1
    encoded, _ = recipient_rows_json(bare, now, 0, 100)
    assert json.loads(encoded) == _rows_as_dicts(made, now, 0, 100)
    assert {row["message_status"] for row in json.loads(encoded)} == {"0", "1", "2", "3", "4"}
