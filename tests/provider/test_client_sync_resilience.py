"""Retry rules, token renewal and transport failures of the blocking client, on real sockets.

Faults come from the sandbox's chaos rules; sleeps are recorded instead of waited for.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from client_support import SANDBOX_API_KEY, SANDBOX_PASSWORD, SENDER, RecordedSleeps, SandboxAdmin
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import (
    Credentials,
    IPPanelAuthError,
    IPPanelClient,
    IPPanelCredentialsError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    IPPanelTransportError,
    IPPanelValidationError,
    RetryPolicy,
)

ClientFactory = Callable[..., IPPanelClient]


@pytest.fixture
def make_client(
    client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> Iterator[ClientFactory]:
    made: list[IPPanelClient] = []

    def make(**kwargs: object) -> IPPanelClient:
        options: dict[str, object] = {
            "api_key": SANDBOX_API_KEY,
            "default_sender": SENDER,
            "sleep": client_sleeps,
            "timeout": (2.0, 5.0),
        }
        options.update(kwargs)
        client = IPPanelClient(str(options.pop("base_url", client_sandbox.url)), **options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def send_posts(admin: SandboxAdmin) -> int:
    return len(admin.requests(method="POST", path="/api/send"))


def test_send_retried_after_first_503s_and_captured_once(
    make_client: ClientFactory, client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=2, status=503)
    result = make_client().send_sms(["09121234567"], "after 503")
    assert len(result.message_outbox_ids) == 1
    assert len(client_sandbox.messages()) == 1
    assert client_sleeps.delays == [1.0, 1.0]  # the sandbox's Retry-After


def test_send_429_honours_retry_after(
    make_client: ClientFactory, client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=1, status=429)
    make_client().send_sms(["09121234567"], "after 429")
    assert len(client_sandbox.messages()) == 1
    assert client_sleeps.delays == [1.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_send_5xx_that_may_have_acted_is_outcome_unknown(
    status: int,
    make_client: ClientFactory,
    client_sandbox: SandboxAdmin,
    client_sleeps: RecordedSleeps,
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=1, status=status)
    with pytest.raises(IPPanelSendOutcomeUnknown) as info:
        make_client().send_sms(["09121234567", "09121234568"], "secret text 4417")
    assert info.value.http_status == status
    assert send_posts(client_sandbox) == 1
    assert client_sleeps.delays == []
    text = str(info.value)
    assert "2 recipient(s)" in text
    assert SENDER in text
    assert "4417" not in text


def test_reset_after_processing_is_outcome_unknown_and_not_retried(
    make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=1, fault="reset_after")
    with pytest.raises(IPPanelSendOutcomeUnknown, match="may or may not"):
        make_client().send_sms(["09121234567"], "reset after")
    assert len(client_sandbox.messages()) == 1
    assert send_posts(client_sandbox) == 1


@pytest.mark.parametrize("fault", ["reset_before", "empty_reply", "garbage"])
def test_send_wire_fault_is_outcome_unknown(
    fault: str, make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    """From the client's side these look like reset_after: it cannot know the server did not
    act, so it does not resend (the sandbox shows nothing went out)."""
    client_sandbox.chaos(route="POST /api/send", first_n=1, fault=fault)
    with pytest.raises(IPPanelSendOutcomeUnknown):
        make_client().send_sms(["09121234567"], "wire fault")
    assert client_sandbox.messages() == []


def test_send_read_timeout_is_outcome_unknown(
    make_client: ClientFactory, client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> None:
    client_sandbox.chaos(route="POST /api/send", first_n=1, latency_ms=1500)
    with pytest.raises(IPPanelSendOutcomeUnknown, match="ReadTimeout"):
        make_client(timeout=(2.0, 0.3)).send_sms(["09121234567"], "slow")
    assert client_sleeps.delays == []  # one attempt: never resent
    assert client_sandbox.wait_for_message()["text"] == "slow"  # the server did act, later
    assert len(client_sandbox.messages()) == 1


@pytest.mark.parametrize(
    "rule",
    [
        {"fault": "reset_before"},
        {"fault": "empty_reply"},
        {"status": 502},
        {"status": 503},
        {"status": 504},
        {"latency_ms": 1500},
    ],
)
def test_reads_are_retried(
    rule: dict[str, object],
    make_client: ClientFactory,
    client_sandbox: SandboxAdmin,
    client_sleeps: RecordedSleeps,
) -> None:
    client_sandbox.chaos(route="GET /api/payment/credit/mine", first_n=1, **rule)
    assert make_client(timeout=(2.0, 0.3)).get_credit() > 0
    assert len(client_sleeps.delays) == 1
    if "latency_ms" in rule:
        # the slow first answer still completes on the server, 1.2 s after the retry's;
        # waited for here so it cannot land in a later test's journal
        deadline = time.monotonic() + 5
        while len(client_sandbox.requests(path="/api/payment/credit/mine")) < 2:
            assert time.monotonic() < deadline, "the delayed first request never completed"
            time.sleep(0.05)


def test_read_retries_are_bounded(
    make_client: ClientFactory, client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> None:
    client_sandbox.chaos(route="/api/report/*", first_n=50, status=503)
    client = make_client(read_retry=RetryPolicy(max_attempts=3))
    with pytest.raises(IPPanelServerError) as info:
        client.bulk_stats(1)
    assert info.value.http_status == 503
    assert len(client_sleeps.delays) == 2


def test_read_500_is_not_retried(
    make_client: ClientFactory, client_sandbox: SandboxAdmin, client_sleeps: RecordedSleeps
) -> None:
    client_sandbox.chaos(route="GET /api/payment/credit/mine", first_n=1, status=500)
    with pytest.raises(IPPanelServerError):
        make_client().get_credit()
    assert client_sleeps.delays == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_refused_send_is_retried_then_transport_error(
    make_client: ClientFactory, client_sleeps: RecordedSleeps
) -> None:
    client = make_client(
        base_url=f"http://127.0.0.1:{closed_port()}", send_retry=RetryPolicy(max_attempts=3)
    )
    with pytest.raises(IPPanelTransportError, match="could not reach"):
        client.send_sms(["09121234567"], "nobody home")
    assert len(client_sleeps.delays) == 2


def test_dns_failure_is_transport_error(make_client: ClientFactory) -> None:
    client = make_client(
        base_url="http://ippanel-sandbox.invalid", send_retry=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(IPPanelTransportError):
        client.send_votp("1234", "09121234567")


def test_token_renewed_once_after_401(
    make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    client = make_client(api_key=None, credentials=Credentials("sandbox", SANDBOX_PASSWORD))
    assert client.check_token().user_name == "sandbox"
    client_sandbox.advance_clock(11 * 3600)
    result = client.send_sms(["09121234567"], "after expiry")
    assert len(result.message_outbox_ids) == 1
    assert len(client_sandbox.messages()) == 1
    assert [r["status"] for r in client_sandbox.requests(path="/api/send")] == [200, 401]
    assert len(client_sandbox.requests(path="/api/acl/auth/login")) == 2


def test_token_renewed_before_it_expires(
    make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    moment = [0.0]
    client = make_client(
        api_key=None, credentials=Credentials("sandbox", SANDBOX_PASSWORD), clock=lambda: moment[0]
    )
    client.get_credit()
    moment[0] = 9.95 * 3600
    client_sandbox.advance_clock(9.95 * 3600)
    client.get_credit()
    statuses = [r["status"] for r in client_sandbox.requests(path="/api/payment/credit/mine")]
    assert statuses == [200, 200]
    assert len(client_sandbox.requests(path="/api/acl/auth/login")) == 2


def test_failed_chunk_reports_the_chunks_already_sent() -> None:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0, max_body_bytes=2048)) as sandbox:
        admin = SandboxAdmin(sandbox.url)
        with (
            IPPanelClient(sandbox.url, api_key=SANDBOX_API_KEY, recipients_per_request=1) as client,
            pytest.raises(IPPanelValidationError) as info,
        ):
            client.send_peer_to_peer(
                [(["09121234567"], "short"), (["09351234567"], "x" * 4000)], sender=SENDER
            )
        captured = admin.messages()
    assert info.value.http_status == 413
    assert info.value.failed_chunk == 1
    assert len(info.value.sent_outbox_ids) == 1
    assert [m["bulk_id"] for m in captured] == info.value.sent_outbox_ids


def test_wrong_password_is_tried_once(
    make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    client = make_client(api_key=None, credentials=Credentials("sandbox", "wrong-password"))
    with pytest.raises(IPPanelAuthError) as info:
        client.get_credit()
    assert info.value.http_status == 401
    assert len(client_sandbox.requests(path="/api/acl/auth/login")) == 1
    assert client_sandbox.requests(path="/api/payment/credit/mine") == []


def test_client_without_credentials_fails_before_sending(
    make_client: ClientFactory, client_sandbox: SandboxAdmin
) -> None:
    with pytest.raises(IPPanelCredentialsError, match="no API key"):
        make_client(api_key=None).send_sms(["09121234567"], "x")
    assert client_sandbox.requests() == []
