"""A hostile server, over a real socket, against both transports, for a send and for a read.

Whatever the server does, the caller gets one of the provider's typed errors, never a bare
``RecursionError`` or decode error; a send the server received is never sent again and fails as
:class:`IPPanelSendOutcomeUnknown`. A trickled answer cannot hold a call past its deadline, and
a huge one is not read past the size cap.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from client_support import SENDER, RecordedSleeps
from ippanel_provider.client import (
    AsyncIPPanelClient,
    IPPanelClient,
    IPPanelError,
    IPPanelResponseLostError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    RetryPolicy,
)
from local_http_server import (
    Answer,
    RawHttpServer,
    endless_chunks,
    http_answer,
    send_all,
    trickle,
)

API_KEY = "hostile-server-key"
TRANSPORTS = ("sync", "async")
KINDS = ("send", "read")
READS_TRIED = RetryPolicy(max_attempts=2, max_total_seconds=30)
OK_META = {"status": True, "message": "انجام شد", "message_code": "200-1"}


def envelope(data: Any) -> bytes:
    return json.dumps({"data": data, "meta": OK_META}).encode()


@pytest.fixture
def server() -> Iterator[RawHttpServer]:
    with RawHttpServer(send_all(b"")) as running:
        yield running


CALLS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "send": ("send_sms", (["09120000001"], "hello")),
    "read": ("bulk_stats", (7,)),
    "credit": ("get_credit", ()),
}


def call(transport: str, kind: str, url: str, sleeps: RecordedSleeps, **options: Any) -> Any:
    """One send (``send_sms``) or one read (``bulk_stats``) through a fresh client."""
    settings: dict[str, Any] = {
        "api_key": API_KEY,
        "default_sender": SENDER,
        "read_retry": READS_TRIED,
        **options,
    }
    name, args = CALLS[kind]
    if transport == "sync":
        with IPPanelClient(url, sleep=sleeps, **settings) as client:
            return getattr(client, name)(*args)

    async def run() -> Any:
        async with AsyncIPPanelClient(url, sleep=sleeps.async_sleep, **settings) as client:
            return await getattr(client, name)(*args)

    return asyncio.run(run())


def expect(
    server: RawHttpServer,
    transport: str,
    kind: str,
    read_error: type[IPPanelError],
    read_attempts: int,
    **options: Any,
) -> IPPanelError:
    """The call fails with the typed error of its kind; a send reached the server once."""
    sleeps = RecordedSleeps()
    expected = IPPanelSendOutcomeUnknown if kind == "send" else read_error
    with pytest.raises(IPPanelError) as caught:
        call(transport, kind, server.url, sleeps, **options)
    assert type(caught.value) is expected, repr(caught.value)
    assert len(server.requests) == (1 if kind == "send" else read_attempts)
    assert API_KEY not in str(caught.value)
    return caught.value


DEEP = 100_000
BAD_BODIES: dict[str, bytes] = {
    "deeply nested JSON": b'{"data": ' + b"[" * DEEP + b"]" * DEEP + b', "meta": {}}',
    "numbers too large for an int": envelope(
        {"message_outbox_ids": [1e400], "operators_delivered": {"mci": {"fa": 1e400}}}
    ),
    "invalid UTF-8": b'{"data": "\xff\xfe", "meta": {}}',
    "an HTML page": b"<html><body>Service temporarily unavailable</body></html>",
    "truncated JSON": b'{"data": {"message_outbox_ids": [11',
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_an_answer_that_does_not_decode_is_a_typed_error(
    server: RawHttpServer, transport: str, kind: str, case: str
) -> None:
    content_type = "text/html" if case == "an HTML page" else "application/json"
    server.answer = send_all(http_answer(BAD_BODIES[case], content_type=content_type))
    error = expect(server, transport, kind, IPPanelServerError, read_attempts=1)
    assert "recursion" not in str(error).lower()


def head(length: int | None = None, *, close: bool = True, **headers: str) -> bytes:
    fields = {"Content-Type": "application/json", **headers}
    if close:
        fields["Connection"] = "close"
    if length is not None:
        fields["Content-Length"] = str(length)
    lines = "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return f"HTTP/1.1 200 OK\r\n{lines}\r\n".encode()


BROKEN_WIRE: dict[str, bytes] = {
    "closed mid-body": head(100) + b'{"data": {"mess',
    "garbage status line": b"HTTP/1.1 banana\r\n\r\n",
    "not HTTP at all": b"\x00\x01\x02 garbage \xff\r\n\r\n",
    "broken chunked framing": head(**{"Transfer-Encoding": "chunked"}) + b"zz\r\nabc\r\n",
    "gzip that is not gzip": head(10, **{"Content-Encoding": "gzip"}) + b"0123456789",
    "a header line of 100 kB": b"HTTP/1.1 200 OK\r\nX-Junk: " + b"j" * 100_000 + b"\r\n\r\n",
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", list(BROKEN_WIRE))
def test_a_broken_answer_is_a_lost_answer(
    server: RawHttpServer, transport: str, kind: str, case: str
) -> None:
    """Reads are retried (the policy allows two attempts); a send is never repeated."""
    server.answer = send_all(BROKEN_WIRE[case])
    expect(server, transport, kind, IPPanelResponseLostError, read_attempts=2)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_valid_envelope_is_read_whatever_its_content_type(
    server: RawHttpServer, transport: str
) -> None:
    server.answer = send_all(http_answer(envelope({"credit": 5}), content_type="text/html"))
    assert call(transport, "credit", server.url, RecordedSleeps()) == 5.0


TRICKLED: dict[str, Callable[[], Answer]] = {
    "body": lambda: _head_then_trickle(close=False),
    "body after Connection: close": lambda: _head_then_trickle(close=True),
    "headers": lambda: trickle(head(2) + b"{}", every=0.05, at_most=8.0),
}


def _head_then_trickle(*, close: bool) -> Answer:
    body = envelope({"message_outbox_ids": [1]}) + b" " * 1000
    first = send_all(head(len(body), close=close))
    rest = trickle(body, every=0.05, at_most=8.0)

    async def answer(writer: asyncio.StreamWriter) -> None:
        await first(writer)
        await rest(writer)

    return answer


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("part", list(TRICKLED))
def test_a_trickled_send_ends_at_its_deadline(
    server: RawHttpServer, transport: str, part: str
) -> None:
    """Every byte arrives well within the read timeout, yet the send ends at connect + read
    timeout (2 s) instead of when the server stops trickling (8 s)."""
    server.answer = TRICKLED[part]()
    started = time.monotonic()
    error = expect(server, transport, "send", IPPanelResponseLostError, 1, timeout=(1.0, 1.0))
    assert time.monotonic() - started < 5.0
    assert "deadline" in str(error)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_trickled_read_ends_within_its_retry_policy_total(
    server: RawHttpServer, transport: str
) -> None:
    server.answer = TRICKLED["body"]()
    policy = RetryPolicy(max_attempts=5, max_total_seconds=3.5, initial_backoff=0, jitter=0)
    started = time.monotonic()
    expect(
        server,
        transport,
        "read",
        IPPanelResponseLostError,
        read_attempts=2,
        timeout=(1.0, 1.0),
        read_retry=policy,
    )
    assert time.monotonic() - started < 6.0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_answer_over_the_default_size_cap_is_refused(
    server: RawHttpServer, transport: str, kind: str
) -> None:
    """A valid envelope of 12 MiB (the default cap is 10 MiB): refused, not decoded."""
    padding = "x" * (12 * 1024 * 1024)
    body = envelope({"message_outbox_ids": [1], "operators_delivered": {}, "padding": padding})
    server.answer = send_all(http_answer(body))
    error = expect(server, transport, kind, IPPanelServerError, read_attempts=1)
    assert "10485760" in str(error)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_endless_answer_is_read_only_up_to_the_cap(
    server: RawHttpServer, transport: str, kind: str
) -> None:
    answer = endless_chunks(
        head(**{"Transfer-Encoding": "chunked"}), b"x" * 65536, limit=256 * 1024 * 1024
    )
    server.answer = answer
    expect(server, transport, kind, IPPanelServerError, 1, max_response_bytes=1024 * 1024)
    assert answer.sent[0] < 64 * 1024 * 1024  # type: ignore[attr-defined]
