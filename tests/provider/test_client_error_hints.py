"""Provider exceptions keep IPPanel's Persian message and explain its ``message_code`` in English.

Against the in-process sandbox: each documented code as the server really answers it, and no
secret in the text.
"""

from __future__ import annotations

import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import (
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelClient,
    IPPanelNotFoundError,
    IPPanelValidationError,
    OutboxFilters,
)


def test_bad_api_key_keeps_persian_message_and_explains_the_code(
    client_sandbox: SandboxAdmin,
) -> None:
    wrong_key = "wrong-key-that-must-not-leak"
    with (
        IPPanelClient(client_sandbox.url, api_key=wrong_key) as client,
        pytest.raises(IPPanelAuthError) as info,
    ):
        client.get_credit()
    text = str(info.value)
    assert info.value.message_code == "400-1"
    assert info.value.message in text  # the server's Persian text
    assert any("\u0600" <= ch <= "\u06ff" for ch in info.value.message)
    assert "in English: bad credentials, or an expired or logged-out token" in text
    assert wrong_key not in text


def test_validation_error_explains_400_2_beside_the_field_errors(
    client_sandbox: SandboxAdmin,
) -> None:
    with (
        IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client,
        pytest.raises(IPPanelValidationError) as info,
    ):
        client.send_pattern("no-such-field-pattern", "09121234567", {}, sender="not-a-line")
    text = str(info.value)
    assert info.value.message_code == "400-2"
    assert "from_number" in info.value.errors
    assert "in English: the input failed validation" in text
    assert SANDBOX_API_KEY not in text
    assert client_sandbox.messages() == []


def test_unknown_bulk_is_404_1_in_english(client_sandbox: SandboxAdmin) -> None:
    with (
        IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client,
        pytest.raises(IPPanelNotFoundError) as info,
    ):
        client.bulk_stats(987654321)
    assert info.value.message_code == "404-1"
    assert "in English: not found" in str(info.value)


def test_cancel_of_an_unknown_bulk_is_not_found_in_english(client_sandbox: SandboxAdmin) -> None:
    """The docs' cancel answers an unknown bulk with HTTP 404 but message_code 400-1: the
    English says not found, not bad credentials."""
    with (
        IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client,
        pytest.raises(IPPanelNotFoundError) as info,
    ):
        client.cancel_scheduled(1199999999)
    assert (info.value.http_status, info.value.message_code) == (404, "400-1")
    assert info.value.message == "پیام مورد نظر یافت نشد"
    assert "in English: not found: the object does not exist for this account" in str(info.value)
    assert "credentials" not in str(info.value)


def test_invalid_report_state_is_400_31_in_english(client_sandbox: SandboxAdmin) -> None:
    with (
        IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER) as c,
        pytest.raises(IPPanelApiError) as info,
    ):
        c.outbox_report(filters=OutboxFilters(state_id=42))
    assert info.value.message_code == "400-31"
    assert "in English: the report filter's state_id is not a known outbox state" in str(info.value)


def test_undocumented_code_gets_no_invented_explanation() -> None:
    error = IPPanelApiError(418, "418-7", "پیام")
    assert error.hint is None
    assert str(error) == "IPPanel answered HTTP 418 (418-7): پیام"
