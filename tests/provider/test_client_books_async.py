"""The asyncio client on the management endpoints: the same declarations as the blocking client,
so these cover the aiohttp paths (JSON bodies, query filters, multipart import, async
iterators, a multi-request sync) rather than every endpoint again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from client_support import SANDBOX_API_KEY, SENDER
from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.journal import JournalFilter
from ippanel_mock.models.messages import MessageFilter
from ippanel_mock.server import SandboxServer
from ippanel_provider.client import AsyncIPPanelClient, IPPanelNotFoundError, StoreCounts


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(SandboxConfig(delivery_delay=0, pattern_review_delay=0)) as server:
        yield server


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[AsyncIPPanelClient]:
    async with AsyncIPPanelClient(
        sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER
    ) as made:
        yield made


def held(sandbox: SandboxServer, phonebook_id: int) -> list[str]:
    book = sandbox.backend.phonebooks.get_any(phonebook_id)
    assert book is not None
    return [f"+98{c.number}" for c in book.contacts()]


def writes(sandbox: SandboxServer) -> list[str]:
    entries, _ = sandbox.backend.journal.query(per_page=1000)
    return [f"{e.method} {e.path}" for e in reversed(entries) if e.method != "GET"]


async def test_phonebook_numbers_import_iterate_and_send(
    client: AsyncIPPanelClient, sandbox: SandboxServer, tmp_path: Path
) -> None:
    book = await client.create_phonebook("async")
    assert await client.add_contacts(book.id, ["۰۹۱۲۱۲۳۴۵۶۷"]) == StoreCounts(added=1)
    source = tmp_path / "more.csv"
    source.write_text("number,name\n09351234567,Sara\n09191234567,Reza\n", encoding="utf-8")
    result = await client.import_contacts(book.id, source, rows_per_file=1)
    assert (result.rows, result.requests) == (2, 2)
    assert held(sandbox, book.id) == ["+989121234567", "+989351234567", "+989191234567"]
    listed = [c async for c in client.iter_contacts(phonebook_id=book.id, per_page=2)]
    assert [c.name for c in listed] == ["", "Sara", "Reza"]
    assert (await client.get_contact(listed[1].id)).number == "+989351234567"

    [bulk] = (await client.send_phonebook("hello all", [book.id])).message_outbox_ids
    sent = sandbox.backend.messages.query(MessageFilter(bulk_id=bulk), per_page=100).items
    assert sorted(m.recipient for m in sent) == sorted(held(sandbox, book.id))
    await client.delete_phonebooks([book.id])
    with pytest.raises(IPPanelNotFoundError):
        await client.get_contact(listed[0].id)


async def test_sync_phonebook_twice_writes_once(
    client: AsyncIPPanelClient, sandbox: SandboxServer
) -> None:
    rows = [{"number": "09121234567", "name": "Ali"}, "09351234567"]
    first = await client.sync_phonebook("newsletter", rows)
    assert (first.created, first.added, first.unchanged) == (True, 2, 0)
    before = len(writes(sandbox))
    again = await client.sync_phonebook("newsletter", rows)
    assert (again.created, again.added, again.updated, again.unchanged) == (False, 0, 0, 2)
    assert len(writes(sandbox)) == before  # the second run only read
    assert held(sandbox, first.phonebook_id) == ["+989121234567", "+989351234567"]


async def test_patterns_drafts_and_lines(
    client: AsyncIPPanelClient, sandbox: SandboxServer
) -> None:
    pattern = await client.create_pattern("Code %code%", description="otp", variables=["code"])
    assert (await client.get_pattern(pattern.code)).is_active  # review delay 0
    codes = [p.code async for p in client.iter_patterns(kind="normal")]
    assert codes == [pattern.code]
    await client.delete_pattern(pattern.code)
    await client.create_draft_group("g")
    [group] = [g async for g in client.iter_draft_groups()]
    await client.create_draft(group.id, "text")
    assert [d.message async for d in client.iter_drafts(group_id=group.id)] == ["text"]
    assert [line.number async for line in client.iter_lines()] == ["+983000505", "+9810001"]
    journal, _ = sandbox.backend.journal.query(JournalFilter(path="/api/user/draft"), per_page=10)
    assert [e.status for e in journal] == [200]
