"""Proof under faults: no SMS sent twice, none lost, every failure typed and honest.

Hundreds of sends go through ``IPPanelHook`` (connection from ``AIRFLOW_CONN_IPPANEL_DEFAULT``)
while the sandbox injects a seeded mix of faults on ``POST /api/send``. Afterwards the sandbox's
captured messages are matched against what the hook reported, send by send (each send carries a
unique text), and against the chaos rules' own fire counters.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelClient
from ippanel_provider.client.errors import (
    IPPanelError,
    IPPanelRateLimitError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    IPPanelTransportError,
)
from ippanel_provider.hooks.ippanel import IPPanelAsyncHook, IPPanelHook
from sandbox_support import API_KEY

SENDER = "+983000505"
READ_TIMEOUT_S = 0.75
"""Small, yet far above a normal local answer, so only injected latency times out."""
LATENCY_MS = 1500
"""Beyond the read timeout even with the jitter below: every delayed send times out."""
JITTER_MS = 200
SETTLE_S = (LATENCY_MS + JITTER_MS) / 1000 + 0.5
"""How long the sandbox may still be working on a send the client already gave up on."""

SEND = "POST /api/send"
EXHAUSTED_503_SENDS = 2
EXHAUSTED_429_SENDS = 1
ATTEMPTS_PER_SEND = 4
"""The client's send policy (retry.SEND_RETRY): after this many 503/429 answers it gives up."""
MIXED_RULES: tuple[dict[str, Any], ...] = (
    {"route": SEND, "probability": 0.08, "status": 503},
    {"route": SEND, "probability": 0.06, "status": 429},
    {"route": SEND, "probability": 0.05, "fault": "reset_before"},
    {"route": SEND, "probability": 0.05, "fault": "reset_after"},
    {"route": SEND, "probability": 0.04, "latency_ms": LATENCY_MS, "jitter_ms": JITTER_MS},
    {"route": SEND, "probability": 0.05, "fault": "empty_reply"},
)
RECEIVED_FAULTS = ("reset_after", "latency")
"""Faults after which the sandbox did act on the send although the client got no answer."""
UNPROCESSED_FAULTS = ("reset_before", "empty_reply")


@dataclass
class SendRecord:
    index: int
    text: str
    recipients: tuple[str, ...]
    outcome: str  # "sent" | "unknown" | "not_sent"
    ids: tuple[int, ...] = ()
    error: IPPanelError | None = None

    @property
    def reason(self) -> str:
        if isinstance(self.error, IPPanelSendOutcomeUnknown):
            return self.error.reason
        return type(self.error).__name__ if self.error else "-"


class RecordedSleeps:
    """Stands in for the client's sleep between retries: records the delay, waits not at all."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(seed=20260426, delivery_delay=0)) as running:
        yield running


def admin(sandbox: ThreadedSandbox, method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, f"{sandbox.url}/__sandbox{path}", timeout=10, **kwargs)
    response.raise_for_status()
    return response.json()


def install_rules(sandbox: ThreadedSandbox) -> None:
    """Deterministic exhaustion first (those sends can never succeed), then the seeded mix."""
    admin(
        sandbox,
        "POST",
        "/chaos",
        json={"route": SEND, "first_n": EXHAUSTED_503_SENDS * ATTEMPTS_PER_SEND, "status": 503},
    )
    admin(
        sandbox,
        "POST",
        "/chaos",
        json={"route": SEND, "first_n": EXHAUSTED_429_SENDS * ATTEMPTS_PER_SEND, "status": 429},
    )
    for rule in MIXED_RULES:
        admin(sandbox, "POST", "/chaos", json=rule)


def fired_by_action(sandbox: ThreadedSandbox) -> Counter[str]:
    fired: Counter[str] = Counter()
    for rule in admin(sandbox, "GET", "/chaos")["rules"]:
        action = rule["fault"] or (str(rule["status"]) if rule["status"] else "latency")
        fired[action] += rule["fired"]
    return fired


def captured_by_text(sandbox: ThreadedSandbox) -> dict[str, list[dict[str, Any]]]:
    by_text: dict[str, list[dict[str, Any]]] = defaultdict(list)
    page = 1
    while True:
        body = admin(sandbox, "GET", "/messages", params={"page": page, "per_page": 1000})
        for item in body["items"]:
            by_text[item["text"]].append(item)
        if page >= body["last_page"]:
            return by_text
        page += 1


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def set_connections(monkeypatch: pytest.MonkeyPatch, sandbox: ThreadedSandbox) -> None:
    """``ippanel_default`` on the sandbox; ``ippanel_down`` on a port nobody listens on."""
    extra = {"sender": SENDER, "timeout": READ_TIMEOUT_S}
    for conn_id, host in (("IPPANEL_DEFAULT", sandbox.url), ("IPPANEL_DOWN", closed_port_url())):
        monkeypatch.setenv(
            f"AIRFLOW_CONN_{conn_id}",
            json.dumps({"conn_type": "ippanel", "host": host, "password": API_KEY, "extra": extra}),
        )


def plan_sends(count: int, run: str) -> list[tuple[str, tuple[str, ...]]]:
    """Unique texts; one or two recipients each so the capture count per send is checked too."""
    plans = []
    for i in range(count):
        recipients = tuple(f"+98912{(i * 7 + k) % 10_000_000:07d}" for k in range(1 + i % 2))
        plans.append((f"fault-proof {run} #{i:04d}", recipients))
    return plans


def record(index: int, text: str, recipients: tuple[str, ...], client: IPPanelClient) -> SendRecord:
    """Run one send; anything but an IPPanelError escapes and fails the test."""
    try:
        result = client.send_sms(recipients, text)
    except IPPanelSendOutcomeUnknown as exc:
        return SendRecord(index, text, recipients, "unknown", error=exc)
    except IPPanelError as exc:
        return SendRecord(index, text, recipients, "not_sent", error=exc)
    return SendRecord(index, text, recipients, "sent", ids=tuple(result.message_outbox_ids))


def tally_table(records: list[SendRecord], received: dict[int, bool]) -> str:
    rows = Counter(
        (
            r.outcome,
            type(r.error).__name__ if r.error else "SendResult",
            r.reason,
            received[r.index],
        )
        for r in records
    )
    lines = [f"{'outcome':<9} {'type':<28} {'reason':<22} {'in sandbox':<10} count"]
    for (outcome, kind, reason, landed), count in sorted(rows.items()):
        lines.append(f"{outcome:<9} {kind:<28} {reason:<22} {landed!s:<10} {count}")
    lines.append(f"total sends: {len(records)}")
    return "\n".join(lines)


def check_proofs(
    sandbox: ThreadedSandbox, records: list[SendRecord], sleeps: RecordedSleeps
) -> tuple[str, Counter[str]]:
    """Every assertion of the proof; returns the tally table for the report."""
    captured = captured_by_text(sandbox)
    ours = {r.text for r in records}
    assert set(captured) <= ours, f"unexpected captured texts: {sorted(set(captured) - ours)[:5]}"
    received = {r.index: r.text in captured for r in records}
    table = tally_table(records, received)
    kinds: Counter[str] = Counter()

    for r in records:
        rows = captured.get(r.text, [])
        context = f"send #{r.index} ({r.outcome}, {r.reason})\n{table}"
        if rows:
            # Exactly one bulk, exactly the requested recipients, each once: nothing doubled.
            assert sorted(m["recipient"] for m in rows) == sorted(r.recipients), context
            assert len({m["bulk_id"] for m in rows}) == 1, context
        if r.outcome == "sent":
            assert rows, f"lost: {context}"
            assert [rows[0]["bulk_id"]] == list(r.ids), context
            kinds["sent"] += 1
            continue
        assert r.error is not None
        message = str(r.error)
        assert r.text not in message, context
        assert API_KEY not in message, context
        assert f"to {len(r.recipients)} recipient(s)" in message, context
        if r.outcome == "unknown":
            assert "unknown" in message, context
            assert "webservice send" in message, context
            kinds["unknown_received" if rows else "unknown_not_received"] += 1
        else:
            assert isinstance(
                r.error, IPPanelTransportError | IPPanelServerError | IPPanelRateLimitError
            ), context
            assert not rows, f"reported as not sent but captured: {context}"
            kinds[f"not_sent_{type(r.error).__name__}"] += 1

    fired = fired_by_action(sandbox)
    table += "\nchaos rules fired: " + ", ".join(f"{k} {v}" for k, v in sorted(fired.items()))
    assert kinds["unknown_received"] == sum(fired[f] for f in RECEIVED_FAULTS), table
    assert kinds["unknown_not_received"] == sum(fired[f] for f in UNPROCESSED_FAULTS), table
    assert kinds["not_sent_IPPanelServerError"] >= EXHAUSTED_503_SENDS, table
    assert kinds["not_sent_IPPanelRateLimitError"] >= EXHAUSTED_429_SENDS, table
    exhausted = kinds["not_sent_IPPanelServerError"] + kinds["not_sent_IPPanelRateLimitError"]
    # Every 503/429 answer was retried once after a pause, except each exhausted send's last.
    assert len(sleeps.delays) == fired["503"] + fired["429"] - exhausted, table
    assert 1.0 in sleeps.delays, "the sandbox's Retry-After: 1 was not honoured"
    for fault in (*RECEIVED_FAULTS, *UNPROCESSED_FAULTS, "503", "429"):
        assert fired[fault] > 0, f"the seeded mix never produced {fault}; pick another seed"
    return table, kinds


def test_a_send_whose_answer_came_too_late_still_lands_exactly_once(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case outcome-unknown exists for: the server has the send but answers after the
    client's read timeout. The sandbox must act on it, and the client must not resend it."""
    set_connections(monkeypatch, sandbox)
    admin(sandbox, "POST", "/chaos", json={"route": SEND, "first_n": 1, "latency_ms": LATENCY_MS})
    text = f"late answer {uuid.uuid4().hex}"
    with IPPanelHook() as hook, pytest.raises(IPPanelSendOutcomeUnknown) as caught:
        hook.get_conn().send_sms(["09120000001"], text)
    assert caught.value.reason == "ReadTimeout"
    time.sleep(SETTLE_S)
    rows = captured_by_text(sandbox).get(text, [])
    assert [m["recipient"] for m in rows] == ["+989120000001"]


def test_sends_throttled_by_the_rate_limiter_wait_for_retry_after_and_land_once(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sandbox's real token bucket (not a random 429): every throttled send waits the
    server's Retry-After and goes through once."""
    set_connections(monkeypatch, sandbox)
    admin(sandbox, "PUT", "/ratelimit", json={"rate": 50, "burst": 5})
    asked: list[float] = []

    def wait_a_tenth(seconds: float) -> None:
        asked.append(seconds)
        time.sleep(seconds / 10)  # the bucket refills 50 tokens/s; a tenth of 1 s is plenty

    results = {}
    with IPPanelHook() as hook:
        client = hook.get_conn()
        client._sleep = wait_a_tenth
        for text, recipients in plan_sends(40, uuid.uuid4().hex[:8]):
            results[text] = client.send_sms(recipients, text).message_outbox_ids
    captured = captured_by_text(sandbox)
    assert {text: [m["bulk_id"] for m in captured[text]][:1] for text in results} == results
    assert all(len(captured[t]) == len({m["recipient"] for m in captured[t]}) for t in results)
    assert asked, "the limiter never throttled; the proof did not exercise a 429"
    assert all(delay >= 1 and delay == int(delay) for delay in asked), asked


def test_hook_sends_under_faults_are_never_doubled_or_silently_lost(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_connections(monkeypatch, sandbox)
    install_rules(sandbox)
    sleeps, down_sleeps = RecordedSleeps(), RecordedSleeps()
    hook, down = IPPanelHook(), IPPanelHook("ippanel_down")
    client: IPPanelClient = hook.get_conn()
    assert client.timeout == (READ_TIMEOUT_S, READ_TIMEOUT_S)
    # The constructor's ``sleep`` seam; the hook builds the client, so set it afterwards.
    client._sleep = sleeps
    down.get_conn()._sleep = down_sleeps

    started = time.monotonic()
    records = []
    for i, (text, recipients) in enumerate(plan_sends(300, uuid.uuid4().hex[:8])):
        target = down if i % 50 == 7 else hook
        records.append(record(i, text, recipients, target.get_conn()))
    hook.close()
    down.close()
    time.sleep(SETTLE_S)
    table, kinds = check_proofs(sandbox, records, sleeps)
    assert kinds["not_sent_IPPanelTransportError"] == 6, table
    # A refused connection is certainly unsent, so it is retried up to the attempt limit.
    assert len(down_sleeps.delays) == 6 * (ATTEMPTS_PER_SEND - 1), table
    assert kinds["sent"] + kinds["unknown_received"] == len(captured_by_text(sandbox)), table
    print(f"\nsync hook, {len(records)} sends in {time.monotonic() - started:.1f} s\n{table}")


async def test_async_hook_sends_under_faults_are_never_doubled_or_silently_lost(
    sandbox: ThreadedSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_connections(monkeypatch, sandbox)
    install_rules(sandbox)
    sleeps, down_sleeps = RecordedSleeps(), RecordedSleeps()
    started = time.monotonic()
    records = []
    async with IPPanelAsyncHook() as hook, IPPanelAsyncHook("ippanel_down") as down:
        (await hook.get_conn())._sleep = sleeps.asleep
        (await down.get_conn())._sleep = down_sleeps.asleep
        for i, (text, recipients) in enumerate(plan_sends(100, uuid.uuid4().hex[:8])):
            client = await (down if i % 50 == 7 else hook).get_conn()
            try:
                result = await client.send_sms(recipients, text)
            except IPPanelSendOutcomeUnknown as exc:
                records.append(SendRecord(i, text, recipients, "unknown", error=exc))
            except IPPanelError as exc:
                records.append(SendRecord(i, text, recipients, "not_sent", error=exc))
            else:
                ids = tuple(result.message_outbox_ids)
                records.append(SendRecord(i, text, recipients, "sent", ids=ids))
    await asyncio.sleep(SETTLE_S)
    table, kinds = check_proofs(sandbox, records, sleeps)
    assert kinds["not_sent_IPPanelTransportError"] == 2, table
    assert len(down_sleeps.delays) == 2 * (ATTEMPTS_PER_SEND - 1), table
    print(f"\nasync hook, {len(records)} sends in {time.monotonic() - started:.1f} s\n{table}")
