"""The asyncio client against ``SandboxServer`` in the test's own event loop.

Same behaviour as the blocking client; these tests cover every path through the aiohttp
transport (JSON, multipart, query strings, each failure class) rather than every endpoint again.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from client_support import (
    SANDBOX_API_KEY,
    SANDBOX_GA_SECRET,
    SANDBOX_PASSWORD,
    SENDER,
    RecordedSleeps,
)
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.chaos import CHAOS
from ippanel_mock.models.journal import JournalFilter
from ippanel_mock.models.messages import CapturedMessage, MessageFilter
from ippanel_mock.server import SandboxServer
from ippanel_provider.client import (
    AsyncIPPanelClient,
    Credentials,
    IPPanelAuthError,
    IPPanelLoginError,
    IPPanelNotFoundError,
    IPPanelSendOutcomeUnknown,
    IPPanelTransportError,
    MessageStatus,
    OutboxState,
    RetryPolicy,
)

ClientFactory = Callable[..., AsyncIPPanelClient]


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    async with SandboxServer(SandboxConfig(delivery_delay=0)) as server:
        yield server


@pytest.fixture
async def make_client(
    sandbox: SandboxServer, client_sleeps: RecordedSleeps
) -> AsyncIterator[ClientFactory]:
    made: list[AsyncIPPanelClient] = []

    def make(**kwargs: Any) -> AsyncIPPanelClient:
        options: dict[str, Any] = {
            "api_key": SANDBOX_API_KEY,
            "default_sender": SENDER,
            "sleep": client_sleeps.async_sleep,
            "timeout": (2.0, 5.0),
        }
        options.update(kwargs)
        client = AsyncIPPanelClient(options.pop("base_url", sandbox.url), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


def captured(sandbox: SandboxServer, **flt: Any) -> list[CapturedMessage]:
    return sandbox.backend.messages.query(MessageFilter(**flt), per_page=10_000).items


def journal_statuses(sandbox: SandboxServer, path: str) -> list[int]:
    entries, _ = sandbox.backend.journal.query(JournalFilter(path=path), per_page=1000)
    return [e.status for e in reversed(entries)]


async def test_send_report_stats_recipients(
    make_client: ClientFactory, sandbox: SandboxServer
) -> None:
    client = make_client()
    numbers = ["09120000002", "09120000003", "09351111111"]
    result = await client.send_sms(numbers, "سلام")
    bulk_id = result.message_outbox_ids[0]
    assert sorted(m.recipient for m in captured(sandbox, bulk_id=bulk_id)) == [
        "+989120000002",
        "+989120000003",
        "+989351111111",
    ]
    assert (await client.bulk_report(bulk_id)).state_id is OutboxState.SENT
    assert (await client.bulk_stats(bulk_id)).failed == 1
    statuses = [r.message_status async for r in client.iter_bulk_recipients(bulk_id, per_page=2)]
    assert sorted(s for s in statuses if s is not None) == [
        MessageStatus.DELIVERED,
        MessageStatus.DELIVERED,
        MessageStatus.NOT_DELIVERED,
    ]
    assert await client.get_credit() > 0
    assert (await client.check_token()).user_name == "sandbox"


async def test_chunks_and_outbox_iterator(
    make_client: ClientFactory, sandbox: SandboxServer
) -> None:
    client = make_client(recipients_per_request=2)
    result = await client.send_sms([f"0912{i:07d}" for i in range(5)], "chunks")
    assert result.chunks == 3
    assert [len(captured(sandbox, bulk_id=i)) for i in result.message_outbox_ids] == [2, 2, 1]
    seen = [b.messages_outbox_id async for b in client.iter_outbox_report(page_size=2)]
    assert set(result.message_outbox_ids) <= set(seen)


async def test_multipart_peer_to_peer_file(
    make_client: ClientFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("recipient,message\n09121234567,یک\n09351234567,two\n")
    await make_client().send_peer_to_peer_file(path)
    assert {m.recipient: m.text for m in captured(sandbox)} == {
        "+989121234567": "یک",
        "+989351234567": "two",
    }


async def test_pattern_votp_and_not_found(
    make_client: ClientFactory, sandbox: SandboxServer
) -> None:
    client = make_client()
    await client.send_pattern("sandbox-otp", "09121234567", {"code": 5521})
    await client.send_votp("7781", "09121234567")
    assert {m.sending_type for m in captured(sandbox)} == {"pattern", "votp"}
    with pytest.raises(IPPanelNotFoundError):
        await client.bulk_stats(12345)


async def test_login_flows(make_client: ClientFactory) -> None:
    ga = make_client(
        api_key=None, credentials=Credentials("sandbox-ga", SANDBOX_PASSWORD, SANDBOX_GA_SECRET)
    )
    assert (await ga.check_token()).user_name == "sandbox-ga"
    sms = make_client(api_key=None, credentials=Credentials("sandbox-sms", SANDBOX_PASSWORD))
    with pytest.raises(IPPanelLoginError):
        await sms.get_credit()
    wrong = make_client(api_key="nope")
    with pytest.raises(IPPanelAuthError):
        await wrong.get_credit()


async def test_token_renewed_after_sandbox_clock_passes_ten_hours(
    make_client: ClientFactory, sandbox: SandboxServer
) -> None:
    client = make_client(api_key=None, credentials=Credentials("sandbox", SANDBOX_PASSWORD))
    await client.get_credit()
    sandbox.backend.clock.advance(11 * 3600)
    await client.get_credit()
    assert journal_statuses(sandbox, "/api/payment/credit/mine") == [200, 401, 200]
    assert len(journal_statuses(sandbox, "/api/acl/auth/login")) == 2


async def test_503_on_send_retried_and_captured_once(
    make_client: ClientFactory, sandbox: SandboxServer, client_sleeps: RecordedSleeps
) -> None:
    sandbox.app[CHAOS].add({"route": "POST /api/send", "first_n": 1, "status": 503})
    await make_client().send_sms(["09121234567"], "retry me")
    assert len(captured(sandbox)) == 1
    assert client_sleeps.delays == [1.0]


async def test_reset_after_is_outcome_unknown_with_one_capture(
    make_client: ClientFactory, sandbox: SandboxServer, client_sleeps: RecordedSleeps
) -> None:
    sandbox.app[CHAOS].add({"route": "POST /api/send", "first_n": 1, "fault": "reset_after"})
    with pytest.raises(IPPanelSendOutcomeUnknown) as info:
        await make_client().send_sms(["09121234567"], "once only")
    assert len(captured(sandbox)) == 1
    assert client_sleeps.delays == []
    assert "once only" not in str(info.value)


async def test_read_timeout_on_send_is_outcome_unknown(
    make_client: ClientFactory, sandbox: SandboxServer, client_sleeps: RecordedSleeps
) -> None:
    sandbox.app[CHAOS].add({"route": "POST /api/send", "first_n": 1, "latency_ms": 1500})
    with pytest.raises(IPPanelSendOutcomeUnknown):
        await make_client(timeout=(2.0, 0.3)).send_sms(["09121234567"], "slow")
    assert client_sleeps.delays == []


@pytest.mark.parametrize(
    "rule",
    [{"fault": "reset_before"}, {"fault": "empty_reply"}, {"latency_ms": 1500}, {"status": 502}],
)
async def test_reads_retried(
    rule: dict[str, Any],
    make_client: ClientFactory,
    sandbox: SandboxServer,
    client_sleeps: RecordedSleeps,
) -> None:
    sandbox.app[CHAOS].add({"route": "GET /api/report/bulk_stats", "first_n": 1, **rule})
    client = make_client(timeout=(2.0, 0.3))
    bulk_id = (await client.send_sms(["09121234567"], "x")).message_outbox_ids[0]
    assert (await client.bulk_stats(bulk_id)).delivered == 1
    assert len(client_sleeps.delays) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_refused_and_dns_are_transport_errors(
    make_client: ClientFactory, client_sleeps: RecordedSleeps
) -> None:
    refused = make_client(
        base_url=f"http://127.0.0.1:{closed_port()}", send_retry=RetryPolicy(max_attempts=2)
    )
    with pytest.raises(IPPanelTransportError):
        await refused.send_sms(["09121234567"], "x")
    assert len(client_sleeps.delays) == 1
    dns = make_client(
        base_url="http://ippanel-sandbox.invalid", read_retry=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(IPPanelTransportError):
        await dns.get_credit()
