"""``calculate_price`` (later edition: POST /api/send/calculate-price) on both clients."""

from __future__ import annotations

import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import (
    AsyncIPPanelClient,
    IPPanelAuthError,
    IPPanelClient,
    PriceQuote,
    message_parts,
)

PERSIAN_LONG = "سلام " * 30
"""150 UCS-2 units: three parts."""


def test_quote_is_typed_and_agrees_with_the_parts_count(client_sandbox: SandboxAdmin) -> None:
    with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
        short = client.calculate_price("hello", sender=SENDER)
        long = client.calculate_price(PERSIAN_LONG, sender=SENDER)
    assert isinstance(short, PriceQuote)
    assert short.parts == message_parts("hello").parts == 1
    assert long.parts == message_parts(PERSIAN_LONG).parts == 3
    assert isinstance(long.mci_price, float)
    assert long.mci_price > short.mci_price > 0
    assert long.other_price > 0
    assert client_sandbox.messages() == []


def test_default_sender_is_used(client_sandbox: SandboxAdmin) -> None:
    with IPPanelClient(
        client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER
    ) as client:
        assert client.calculate_price("hello").parts == 1


@pytest.mark.parametrize(
    ("message", "sender", "expected"),
    [("", SENDER, "message"), ("   ", SENDER, "message"), ("hello", None, "sender")],
)
def test_bad_input_is_rejected_before_any_request(
    client_sandbox: SandboxAdmin, message: str, sender: str | None, expected: str
) -> None:
    client = IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY)
    with client, pytest.raises(ValueError, match=expected):
        client.calculate_price(message, sender=sender)
    assert client_sandbox.requests(path="/api/send/calculate-price") == []


def test_wrong_key_is_an_auth_error(client_sandbox: SandboxAdmin) -> None:
    client = IPPanelClient(client_sandbox.url, api_key="not-a-key")
    with client, pytest.raises(IPPanelAuthError):
        client.calculate_price("hello", sender=SENDER)


async def test_async_client_quotes_the_same(client_sandbox: SandboxAdmin) -> None:
    async with AsyncIPPanelClient(
        client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER
    ) as client:
        quote = await client.calculate_price(PERSIAN_LONG)
    with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
        assert quote == client.calculate_price(PERSIAN_LONG, sender=SENDER)
    assert quote.parts == 3
