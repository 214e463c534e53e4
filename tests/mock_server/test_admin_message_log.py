"""MessageLog: the store behind /__sandbox/messages (filters, pages, bounds, long-poll)."""

from __future__ import annotations

import asyncio

import pytest
from ippanel_mock.models.journal import JournalEntry, JournalFilter, RequestJournal, key_hint
from ippanel_mock.models.messages import MessageFilter, MessageLog
from sandbox_support import API_KEY


def _capture(log: MessageLog, recipient: str, text: str = "hello", **kw: object) -> None:
    fields: dict = {
        "user": "sandbox",
        "sender": "+983000505",
        "bulk_id": 1,
        "sending_type": "webservice",
        "created_at": 100.0,
    }
    fields.update(kw)
    log.capture(recipient=recipient, text=text, **fields)


def test_query_filters_newest_first_and_pages() -> None:
    log = MessageLog()
    for i in range(5):
        _capture(log, f"+98912000000{i}", text=f"code {i}", created_at=100.0 + i)
    _capture(log, "+989350000000", text="other", user="someone")

    page = log.query(MessageFilter(user="sandbox"), page=1, per_page=2)
    assert page.total == 5
    assert [m.text for m in page.items] == ["code 4", "code 3"]
    assert [m.text for m in log.query(MessageFilter(user="sandbox"), page=3, per_page=2).items] == [
        "code 0"
    ]
    assert log.query(MessageFilter(text="code 2")).items[0].recipient == "+989120000002"
    assert log.query(MessageFilter(since=102.0, until=103.0, user="sandbox")).total == 2


def test_ring_drops_oldest_and_capture_many_keeps_tail() -> None:
    log = MessageLog(capacity=3)
    log.capture_many(
        user="u",
        sender="s",
        recipients=[f"+98912000000{i}" for i in range(7)],
        text="t",
        bulk_id=9,
        sending_type="webservice",
        created_at=1.0,
    )
    assert len(log) == 3
    assert log.total_captured == 7
    newest = log.query().items
    assert [m.recipient for m in newest] == ["+989120000006", "+989120000005", "+989120000004"]
    assert newest[0].id == 7


def test_delete_by_filter_returns_count() -> None:
    log = MessageLog()
    _capture(log, "+989120000001")
    _capture(log, "+989120000002")
    _capture(log, "+989120000001")
    assert log.delete(MessageFilter(recipient="+989120000001")) == 2
    assert [m.recipient for m in log.query().items] == ["+989120000002"]
    assert log.delete() == 1
    assert log.latest() is None


async def test_wait_for_wakes_on_matching_capture_only() -> None:
    log = MessageLog()
    waiter = asyncio.create_task(log.wait_for(MessageFilter(recipient="+989120000009"), timeout=5))
    await asyncio.sleep(0)
    _capture(log, "+989120000001")
    await asyncio.sleep(0)
    assert not waiter.done()
    _capture(log, "+989120000009", text="your code 1234")
    found = await waiter
    assert found is not None
    assert found.text == "your code 1234"
    assert log.waiting == 0


async def test_wait_for_times_out_and_ignores_old_unless_asked() -> None:
    log = MessageLog()
    _capture(log, "+989120000001")
    assert await log.wait_for(MessageFilter(recipient="+989120000001"), timeout=0.01) is None
    old = await log.wait_for(
        MessageFilter(recipient="+989120000001"), timeout=0.01, include_existing=True
    )
    assert old is not None
    assert log.waiting == 0


def test_journal_bounded_filtered_newest_first() -> None:
    journal = RequestJournal(capacity=3)
    calls = [
        ("GET", "/a", 200),
        ("POST", "/api/send", 200),
        ("POST", "/api/send", 422),
        ("GET", "/api/report/x", 404),
    ]
    for i, (method, path, status) in enumerate(calls):
        journal.record(JournalEntry(method, path, "", status, None, float(i), 1.0))
    items, total = journal.query()
    assert total == 3
    assert [e.path for e in items] == ["/api/report/x", "/api/send", "/api/send"]
    assert journal.query(JournalFilter(method="post", status=422))[1] == 1
    assert journal.query(JournalFilter(path="/api/report/*"))[0][0].status == 404


def test_key_hint_never_shows_the_secret() -> None:
    secret = API_KEY
    hint = key_hint(secret)
    assert hint is not None
    assert secret not in hint
    assert key_hint(None) is None


def test_bad_page_is_rejected() -> None:
    with pytest.raises(ValueError, match="page"):
        MessageLog().query(page=0)
