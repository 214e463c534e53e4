"""The blocking client against the in-process sandbox: every endpoint, auth flows, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from client_support import (
    SANDBOX_API_KEY,
    SANDBOX_GA_SECRET,
    SANDBOX_PASSWORD,
    SENDER,
    SandboxAdmin,
)
from ippanel_provider.client import (
    Credentials,
    IPPanelAuthError,
    IPPanelClient,
    IPPanelLoginError,
    IPPanelNotFoundError,
    IPPanelValidationError,
    MessageStatus,
    OutboxFilters,
    OutboxState,
    PostalCodeTarget,
)


@pytest.fixture
def client(client_sandbox: SandboxAdmin) -> Iterator[IPPanelClient]:
    with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER) as c:
        yield c


def test_credit_and_account(client: IPPanelClient) -> None:
    before = client.get_credit()
    client.send_sms(["09121234567", "09351234567"], "credit check")  # 2 × 1 GSM-7 part
    assert before - client.get_credit() == pytest.approx(2 * client.calculate_price("x").mci_price)
    account = client.check_token()
    assert account.user_name == "sandbox"
    assert not account.send_block


def test_send_is_captured_with_normalized_numbers(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    result = client.send_sms(["0912 123 4567", "۰۹۳۵۱۲۳۴۵۶۷"], "سلام دنیا")
    assert result.chunks == 1
    assert len(result.message_outbox_ids) == 1
    captured = client_sandbox.messages(bulk_id=result.message_outbox_ids[0])
    assert sorted(m["recipient"] for m in captured) == ["+989121234567", "+989351234567"]
    assert {m["text"] for m in captured} == {"سلام دنیا"}
    assert {m["sender"] for m in captured} == {SENDER}


def test_normal_sending_type_is_accepted(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    result = client.send_sms(["09121234567"], "hi", sending_type="normal")
    assert len(client_sandbox.messages(bulk_id=result.message_outbox_ids[0])) == 1


def test_large_list_goes_out_in_chunks(client_sandbox: SandboxAdmin) -> None:
    numbers = [f"0912{i:07d}" for i in range(7)]
    with IPPanelClient(
        client_sandbox.url, api_key=SANDBOX_API_KEY, recipients_per_request=3
    ) as client:
        result = client.send_sms(numbers, "chunked", sender=SENDER)
        assert result.chunks == 3
        assert len(result.message_outbox_ids) == 3
        per_bulk = [
            sorted(m["recipient"] for m in client_sandbox.messages(bulk_id=bulk_id))
            for bulk_id in result.message_outbox_ids
        ]
        assert [len(b) for b in per_bulk] == [3, 3, 1]
        assert [n for b in per_bulk for n in b] == [f"+98912{i:07d}" for i in range(7)]
        assert [client.bulk_report(i).rcpts_count for i in result.message_outbox_ids] == [3, 3, 1]


def test_peer_to_peer(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    result = client.send_peer_to_peer(
        [(["09121234567", "09121234568"], "first"), (["09351234567"], "second")]
    )
    assert len(result.message_outbox_ids) == 2
    texts = {m["recipient"]: m["text"] for m in client_sandbox.messages()}
    assert texts == {"+989121234567": "first", "+989121234568": "first", "+989351234567": "second"}


def test_peer_to_peer_file_from_csv(
    client: IPPanelClient, client_sandbox: SandboxAdmin, tmp_path: Path
) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('recipient,message\n09121234567,سلام علی\n09351234567,"hello, sara"\n')
    result = client.send_peer_to_peer_file(path)
    assert result.recipients == 2
    texts = {m["recipient"]: m["text"] for m in client_sandbox.messages()}
    assert texts == {"+989121234567": "سلام علی", "+989351234567": "hello, sara"}
    assert {m["sending_type"] for m in client_sandbox.messages()} == {"peer_to_peer_file"}


def test_peer_to_peer_file_from_rows(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    client.send_peer_to_peer_file([("9121234567", "one"), ("+98 935 123 4567", "two")])
    assert {m["text"] for m in client_sandbox.messages()} == {"one", "two"}


def test_postal_code(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    target = PostalCodeTarget(
        postal_code=131,
        mci=__import__("ippanel_provider.client", fromlist=["OperatorRange"]).OperatorRange(0, 3),
    )
    result = client.send_postal_code("اطلاعیه", [target], other_recipients=["09121234567"])
    captured = client_sandbox.messages(bulk_id=result.message_outbox_ids[0])
    assert len(captured) == 4
    assert "+989121234567" in {m["recipient"] for m in captured}


def test_pattern_fills_the_template(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    client.send_pattern("sandbox-order", "09121234567", {"order_id": 991, "amount": 25000})
    (message,) = client_sandbox.messages()
    assert "991" in message["text"]
    assert "25000" in message["text"]


def test_pattern_with_wrong_params_is_a_validation_error(client: IPPanelClient) -> None:
    with pytest.raises(IPPanelValidationError) as info:
        client.send_pattern("sandbox-order", "09121234567", {"unknown": 1})
    assert info.value.http_status == 422


def test_votp(client: IPPanelClient, client_sandbox: SandboxAdmin) -> None:
    result = client.send_votp("48213", "09121234567")
    (message,) = client_sandbox.messages(bulk_id=result.message_outbox_ids[0])
    assert message["recipient"] == "+989121234567"
    assert message["sending_type"] == "votp"


def test_scheduled_send_can_be_canceled(client: IPPanelClient) -> None:
    when = datetime.now(UTC) + timedelta(hours=2)
    result = client.send_sms(["09121234567"], "later", send_time=when)
    bulk_id = result.message_outbox_ids[0]
    assert client.bulk_report(bulk_id).state_id is OutboxState.IN_SEND_QUEUE
    assert client.bulk_recipients(bulk_id).items[0].message_status is None
    client.cancel_scheduled(bulk_id)
    assert client.bulk_report(bulk_id).state_id is OutboxState.CANCELED


def test_outbox_report_pages_and_iterator(client: IPPanelClient) -> None:
    sent = [client.send_sms(["09121234567"], f"m{i}").message_outbox_ids[0] for i in range(5)]
    page = client.outbox_report(page=1, limit=2)
    assert len(page.items) == 2
    assert page.total >= 5
    assert page.has_next
    seen = [b.messages_outbox_id for b in client.iter_outbox_report(page_size=2)]
    assert set(sent) <= set(seen)
    assert len(seen) == len(set(seen))
    filtered = client.outbox_report(filters=OutboxFilters(messages_outbox_id=sent[3]))
    assert [b.messages_outbox_id for b in filtered.items] == [sent[3]]


def test_bulk_recipients_stats_and_magic_numbers(client: IPPanelClient) -> None:
    numbers = ["09120000002", "09120000003", "09120000004", "09121111111", "09351111111"]
    bulk_id = client.send_sms(numbers, "status").message_outbox_ids[0]
    statuses = {
        r.recipient: r.message_status for r in client.iter_bulk_recipients(bulk_id, per_page=2)
    }
    assert statuses == {
        "+989120000002": MessageStatus.DELIVERED,
        "+989120000003": MessageStatus.NOT_DELIVERED,
        "+989120000004": MessageStatus.BLACKLISTED,
        "+989121111111": MessageStatus.DELIVERED,
        "+989351111111": MessageStatus.DELIVERED,
    }
    stats = client.bulk_stats(bulk_id)
    assert (stats.delivered, stats.failed, stats.blacklisted) == (3, 1, 1)
    page = client.bulk_recipients(bulk_id, page=2, per_page=2)
    assert (len(page.items), page.last_page, page.total) == (2, 3, 5)


def test_unknown_bulk_is_not_found(client: IPPanelClient) -> None:
    with pytest.raises(IPPanelNotFoundError):
        client.bulk_report(999)


def test_wrong_api_key_is_auth_error_without_the_key(client_sandbox: SandboxAdmin) -> None:
    with (
        IPPanelClient(client_sandbox.url, api_key="wrong-key-123") as client,
        pytest.raises(IPPanelAuthError) as info,
    ):
        client.get_credit()
    assert info.value.http_status == 401
    assert "wrong-key-123" not in str(info.value)


def test_login_method_login(client_sandbox: SandboxAdmin) -> None:
    creds = Credentials("sandbox", SANDBOX_PASSWORD)
    with IPPanelClient(client_sandbox.url, credentials=creds) as client:
        assert client.check_token().user_name == "sandbox"


def test_login_with_google_authenticator(client_sandbox: SandboxAdmin) -> None:
    creds = Credentials("sandbox-ga", SANDBOX_PASSWORD, SANDBOX_GA_SECRET)
    with IPPanelClient(client_sandbox.url, credentials=creds) as client:
        assert client.check_token().user_name == "sandbox-ga"
        client.send_sms(["09121234567"], "from ga", sender=SENDER)
    assert len(client_sandbox.messages(user="sandbox-ga")) == 1


def test_sms_otp_account_cannot_log_in_unattended(client_sandbox: SandboxAdmin) -> None:
    creds = Credentials("sandbox-sms", SANDBOX_PASSWORD)
    with (
        IPPanelClient(client_sandbox.url, credentials=creds) as client,
        pytest.raises(IPPanelLoginError, match="API key") as info,
    ):
        client.get_credit()
    assert SANDBOX_PASSWORD not in str(info.value)


def test_wrong_password(client_sandbox: SandboxAdmin) -> None:
    creds = Credentials("sandbox", "not-the-password")
    with (
        IPPanelClient(client_sandbox.url, credentials=creds) as client,
        pytest.raises(IPPanelAuthError) as info,
    ):
        client.check_token()
    assert "not-the-password" not in str(info.value)


def test_interactive_sms_login_then_logout(client_sandbox: SandboxAdmin) -> None:
    with IPPanelClient(client_sandbox.url) as client:
        first = client.login("sandbox-sms", SANDBOX_PASSWORD)
        assert first.method == "sms"
        resent = client.send_sms_otp(first.token)
        final = client.confirm_otp(resent.token, client_sandbox.otp("sandbox-sms"))
        assert final.method == "login"
        assert client.check_token().user_name == "sandbox-sms"
        client.logout()
        with pytest.raises(IPPanelAuthError):
            client.check_token()
    with (
        IPPanelClient(client_sandbox.url, api_key=final.token) as stale,
        pytest.raises(IPPanelAuthError),
    ):
        stale.check_token()


def test_forgot_and_change_password(client_sandbox: SandboxAdmin) -> None:
    with IPPanelClient(client_sandbox.url) as client:
        token = client.forgot_password("sandbox", "09120000100")
        client.change_password_by_token(token, client_sandbox.otp("sandbox"), "new-password-1")
        assert client.login("sandbox", "new-password-1").method == "login"
        with pytest.raises(IPPanelValidationError) as info:
            client.forgot_password("sandbox", "")
    assert "mobile" in info.value.errors
