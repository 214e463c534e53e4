"""A rerun's reconciliation against the sandbox's outbox and recipients reports: every sending
type that names its recipients is adopted instead of sent again, and nothing else is."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import IPPanelClient
from ippanel_provider.client.reconcile import CannotReconcile, OutboxReconciler, watching_sends

Send = Callable[[IPPanelClient], Any]
SENDS: dict[str, Send] = {
    "sms in 3 requests": lambda c: c.send_sms(
        [f"0912123450{i}" for i in range(5)], "Campaign \u06f1"
    ),
    "peer_to_peer": lambda c: c.send_peer_to_peer(
        [(["09121234511", "09121234512"], "one"), (["09121234513"], "two")]
    ),
    "peer_to_peer_file": lambda c: c.send_peer_to_peer_file(
        [("09121234521", "a"), ("09121234522", "b"), ("09121234523", "a")]
    ),
    "pattern": lambda c: c.send_pattern(
        "sandbox-order", "09121234531", {"order_id": 7, "amount": 9}
    ),
    "votp": lambda c: c.send_votp("48213", "09121234541"),
}


@pytest.fixture
def client(client_sandbox: SandboxAdmin) -> Iterator[IPPanelClient]:
    with IPPanelClient(
        client_sandbox.url, api_key=SANDBOX_API_KEY, default_sender=SENDER, recipients_per_request=2
    ) as c:
        yield c


def rerun(client: IPPanelClient, send: Send, since: float) -> tuple[Any, OutboxReconciler]:
    reconciler = OutboxReconciler(client, since)
    with watching_sends(client, reconciler):
        return send(client), reconciler


@pytest.mark.parametrize("kind", list(SENDS))
def test_a_rerun_adopts_what_the_first_try_sent_and_sends_nothing(
    client: IPPanelClient, client_sandbox: SandboxAdmin, kind: str
) -> None:
    since = time.time() - 60
    first = SENDS[kind](client)
    before = len(client_sandbox.messages())
    again, reconciler = rerun(client, SENDS[kind], since)
    assert again == first  # ids, recipients, parts and requests: what the first try returned
    assert len(client_sandbox.messages()) == before
    assert reconciler.sent == []
    assert [i for ids in reconciler.adopted for i in ids] == first.message_outbox_ids


def test_only_requests_that_did_not_go_out_are_sent(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    since = time.time() - 60
    numbers = [f"0912123460{i}" for i in range(6)]
    first_two = client.send_sms(numbers[:4], "Sale")  # requests 1 and 2 of the full send
    result, reconciler = rerun(client, lambda c: c.send_sms(numbers, "Sale"), since)
    assert result.message_outbox_ids[:2] == first_two.message_outbox_ids
    assert reconciler.adopted == [
        [first_two.message_outbox_ids[0]],
        [first_two.message_outbox_ids[1]],
    ]
    assert reconciler.sent == [result.message_outbox_ids[2:]]
    sent = client_sandbox.messages(text="Sale")
    assert sorted(m["recipient"] for m in sent) == sorted("+98" + n[1:] for n in numbers)


@pytest.mark.parametrize(
    ("change", "send"),
    [
        ("another text", lambda c: c.send_sms(["09121234701", "09121234702"], "Sale!")),
        ("another recipient", lambda c: c.send_sms(["09121234701", "09121234703"], "Sale")),
        ("one recipient fewer", lambda c: c.send_sms(["09121234701"], "Sale")),
        (
            "another sender line",
            lambda c: c.send_sms(["09121234701", "09121234702"], "Sale", sender="+9810001"),
        ),
    ],
)
def test_a_bulk_that_differs_in_anything_is_not_adopted(
    client: IPPanelClient, client_sandbox: SandboxAdmin, change: str, send: Send
) -> None:
    since = time.time() - 60
    client.send_sms(["09121234701", "09121234702"], "Sale")
    result, reconciler = rerun(client, send, since)
    assert reconciler.adopted == [], change
    assert len(result.message_outbox_ids) == 1
    assert len(client_sandbox.messages()) == 2 + result.recipients


def test_a_bulk_created_before_the_window_is_not_adopted(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    client.send_sms(["09121234801"], "Daily alert")  # an earlier run's identical send
    client_sandbox.advance_clock(120)
    since = time.time() + 60  # this run was due after it
    _, reconciler = rerun(client, lambda c: c.send_sms(["09121234801"], "Daily alert"), since)
    assert reconciler.adopted == []
    assert len(client_sandbox.messages(recipient="09121234801")) == 2


def test_a_request_found_only_in_part_is_neither_sent_nor_adopted(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    since = time.time() - 60
    client.send_sms(["09121234901"], "one")  # someone else's bulk, same as item 1 only
    items = [(["09121234901"], "one"), (["09121234902"], "two")]
    with pytest.raises(CannotReconcile, match="matches only 1 of its 2 bulk"):
        rerun(client, lambda c: c.send_peer_to_peer(items), since)
    assert len(client_sandbox.messages()) == 1


def test_a_send_without_a_recipient_list_cannot_be_reconciled(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    targets = [{"postal_code": 14167, "mci": {"start": 0, "size": 2}}]
    with pytest.raises(CannotReconcile, match="cannot be described"):
        rerun(client, lambda c: c.send_postal_code("Hi", targets), time.time() - 60)
    assert client_sandbox.messages() == []
    assert client_sandbox.requests(path="/api/send") == []


def test_a_pattern_bulk_of_another_pattern_with_the_same_values_is_not_adopted(
    client: IPPanelClient, client_sandbox: SandboxAdmin
) -> None:
    """Two patterns, one value: the outbox shows each bulk's rendered text, so the pattern's
    own words tell the bulks apart (matching the parameter values alone adopted the other)."""
    login = client.create_pattern(
        "Your login code: %code%", description="login", variables={"code": "integer"}
    )
    client_sandbox._call("POST", f"/patterns/{login.code}/review", json={"status": "active"})
    since = time.time() - 60
    client.send_pattern("sandbox-otp", "09121235001", {"code": "4821"})
    result, reconciler = rerun(
        client, lambda c: c.send_pattern(login.code, "09121235001", {"code": "4821"}), since
    )
    assert reconciler.adopted == []
    assert reconciler.sent == [result.message_outbox_ids]
    texts = [m["text"] for m in client_sandbox.messages(recipient="09121235001")]
    assert sorted(texts) == sorted(["کد تایید شما: 4821", "Your login code: 4821"])
