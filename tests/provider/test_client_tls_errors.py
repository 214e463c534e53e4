"""A certificate that fails verification fails at once, with a message saying how to fix it.

Retrying cannot help (the certificate will not start verifying), so neither client waits and
tries again; the error is an :class:`IPPanelTLSError` (a transport error: nothing was sent).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from client_support import SENDER, RecordedSleeps
from ippanel_provider.client import (
    AsyncIPPanelClient,
    IPPanelClient,
    IPPanelTLSError,
    IPPanelTransportError,
)
from local_http_server import ThreadedApp, catch_all
from tls_support import self_signed_context

API_KEY = "tls-test-key"


@pytest.fixture
def untrusted_server(tmp_path: Path) -> Iterator[ThreadedApp]:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"data": {"credit": 1}, "meta": {"status": True}})

    with ThreadedApp(catch_all(answer), ssl_context=self_signed_context(tmp_path)) as server:
        yield server


def _assert_clear(error: IPPanelTransportError) -> None:
    text = str(error)
    assert "TLS verification" in text
    assert "verify" in text
    assert "CA bundle" in text
    assert API_KEY not in text


def _call_sync(client: IPPanelClient, call: str) -> object:
    if call == "get_credit":
        return client.get_credit()
    return client.send_sms(["09120000001"], "hello", sender=SENDER)


async def _call_async(client: AsyncIPPanelClient, call: str) -> object:
    if call == "get_credit":
        return await client.get_credit()
    return await client.send_sms(["09120000001"], "hello", sender=SENDER)


@pytest.mark.parametrize("call", ["get_credit", "send_sms"])
def test_sync_client_does_not_retry_a_certificate_failure(
    untrusted_server: ThreadedApp, client_sleeps: RecordedSleeps, call: str
) -> None:
    client = IPPanelClient(untrusted_server.url, api_key=API_KEY, sleep=client_sleeps)
    with client, pytest.raises(IPPanelTLSError) as caught:
        _call_sync(client, call)
    assert client_sleeps.delays == []
    _assert_clear(caught.value)
    assert "certificate" in caught.value.detail.lower()


@pytest.mark.parametrize("call", ["get_credit", "send_sms"])
async def test_async_client_does_not_retry_a_certificate_failure(
    untrusted_server: ThreadedApp, client_sleeps: RecordedSleeps, call: str
) -> None:
    client = AsyncIPPanelClient(
        untrusted_server.url, api_key=API_KEY, sleep=client_sleeps.async_sleep
    )
    async with client:
        with pytest.raises(IPPanelTLSError) as caught:
            await _call_async(client, call)
    assert client_sleeps.delays == []
    _assert_clear(caught.value)
    assert "certificate" in caught.value.detail.lower()


def test_connection_refused_is_still_retried(client_sleeps: RecordedSleeps) -> None:
    """Only certificate failures skip the retries; an unreachable server is retried."""
    client = IPPanelClient("http://127.0.0.1:1", api_key=API_KEY, sleep=client_sleeps)
    with client, pytest.raises(IPPanelTransportError) as caught:
        client.get_credit()
    assert not isinstance(caught.value, IPPanelTLSError)
    assert len(client_sleeps.delays) == client.read_retry.max_attempts - 1
