"""The client's settings and its send operations, declared once for both clients (no I/O
here); every other area's operations are in the mixins ``IPPanelApi`` is made of (``api_*.py``).

A method here is a generator: it builds its request(s) — HTTP method, path, body, how the answer
decodes (a model in ``models.py``), and whether it is a read (``read()``: retried on anything
transient), a write (``write()``: never repeated after an unknown outcome) or a send (a
``SendPlan`` from ``sends.py``: never twice) — yields each one, and returns the result.
``IPPanelClient`` (``sync.py``) runs these methods blocking, ``AsyncIPPanelClient``
(``aio.py``) awaited; ``engine.py`` holds the rules they share (auth, login again, retries).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar

from . import sends
from .api_audiences import AudienceSendsApi
from .api_auth import AuthApi
from .api_books import PhonebooksApi
from .api_contacts import ContactsApi
from .api_drafts import DraftsApi
from .api_inbox import InboxApi
from .api_lines import LinesApi
from .api_patterns import PatternsApi
from .api_reports import ReportsApi
from .core import Operation, TokenState, send_operation
from .engine import Engine, normalize_timeout, operation
from .models import Credentials, PeerToPeerItem, PostalCodeTarget, PriceQuote, SendResult
from .phonebook_sync import PhonebookSyncApi
from .protocol import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RESPONSE_BYTES,
    ApiRequest,
    Decoder,
    decode_nothing,
    read,
    write,
)
from .retry import READ_RETRY, SEND_RETRY, RetryPolicy
from .schedule import Clock, utc_now

T = TypeVar("T")
P = ParamSpec("P")
SleepT = TypeVar("SleepT")
SessionT = TypeVar("SessionT")
SendTime = datetime | str | None


class IPPanelApi(
    Engine,
    AuthApi,
    PhonebooksApi,
    ContactsApi,
    PhonebookSyncApi,
    PatternsApi,
    LinesApi,
    DraftsApi,
    ReportsApi,
    InboxApi,
    AudienceSendsApi,
    Generic[SleepT, SessionT],
):
    """Settings and operations of an IPPanel Edge API client; see ``IPPanelClient``.

    :param base_url: the API base URL; requests go to ``base_url + "/api/..."``. Default
        ``https://edge.ippanel.com/v1``; for the sandbox, the URL it prints.
    :param api_key: the account's API key (sent as the raw ``Authorization`` header). Give
        this or ``credentials``.
    :param credentials: username and password (and TOTP secret) to log in with instead; the
        token is kept and renewed before its 10 hours run out.
    :param timeout: ``(connect, read)`` seconds, or one number for both (default 5, 30); the
        read timeout applies to each socket read.
    :param total_timeout: seconds one request may take, from connecting to the answer's last
        byte (default: connect + read).
    :param max_response_bytes: an answer longer than this is not read (default 10 MiB).
    :param verify: TLS verification: True (default), False, or a CA bundle path.
    :param proxy: proxy URL for every request, e.g. ``http://proxy.example:3128``.
    :param recipients_per_request: a send to more recipients is split into requests of this
        many (default 1000).
    :param default_sender: the line number a send without ``sender`` uses.
    :param read_retry: retry policy of reads (retried on anything transient).
    :param send_retry: retry policy of sends (retried only where IPPanel certainly did not act).
    :param sleep: the transport's sleep between retries (``time.sleep`` / ``asyncio.sleep``
        when None); tests inject one that records instead of waiting.
    :param clock: monotonic clock, in seconds, for token expiry.
    :param now: the current UTC time, for checking ``send_time``.
    :param on_token: called with every new login token (the hooks register it with Airflow's
        secret masker).
    :param session: a ``requests.Session`` / ``aiohttp.ClientSession`` to use; None opens
        one of its own.

    A retried call never outlasts its policy's ``max_total_seconds``.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        total_timeout: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: bool | str = True,
        proxy: str | None = None,
        recipients_per_request: int = 1000,
        default_sender: str | None = None,
        read_retry: RetryPolicy = READ_RETRY,
        send_retry: RetryPolicy = SEND_RETRY,
        sleep: SleepT | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Clock = utc_now,
        on_token: Callable[[str], None] | None = None,
        session: SessionT | None = None,
    ) -> None:
        if recipients_per_request < 1:
            raise ValueError("recipients_per_request must be at least 1")
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        connect, read = normalize_timeout(timeout)
        if total_timeout is not None and total_timeout <= 0:
            raise ValueError(f"total_timeout must be positive, got {total_timeout!r}")
        self.total_timeout = total_timeout or connect + read
        self.max_response_bytes = max_response_bytes
        self.base_url = base_url.rstrip("/")
        self.recipients_per_request = recipients_per_request
        self.default_sender = default_sender
        self.read_retry, self.send_retry = read_retry, send_retry
        self._auth = TokenState(api_key, credentials, clock=clock, on_token=on_token)
        self._now = now
        self._open_transport((connect, read), verify, proxy, sleep, session)

    def _open_transport(
        self,
        timeout: tuple[float, float],
        verify: bool | str,
        proxy: str | None,
        sleep: SleepT | None,
        session: SessionT | None,
    ) -> None:
        raise NotImplementedError

    def _sender(self, sender: str | None) -> str | None:
        return sender or self.default_sender

    # ------------------------------------------------------------ sends

    def _send(
        self,
        plan: Callable[..., sends.SendPlan],
        *args: Any,
        sender: str | None,
        send_time: SendTime,
        chunked: bool = False,
        **options: Any,
    ) -> Operation[SendResult]:
        """Plan a send (checks every input before any request) and send its requests."""
        if chunked:
            options["chunk_size"] = self.recipients_per_request
        sender = self._sender(sender)
        return send_operation(
            plan(*args, sender=sender, send_time=send_time, now=self._now, **options)
        )

    @operation
    def send_sms(
        self,
        recipients: Iterable[str],
        message: str,
        *,
        sender: str | None = None,
        send_time: SendTime = None,
        sending_type: str = "webservice",
    ) -> Operation[SendResult]:
        """One message to many recipients (``webservice`` or ``normal``), in requests of
        ``recipients_per_request`` numbers.

        :param recipients: the numbers, in any common spelling (normalised to ``+989...``).
        :param message: the text.
        :param sender: the line number to send from; None takes ``default_sender`` (one of
            them is required).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        :param sending_type: ``webservice`` (default) or ``normal``.
        :returns: the bulk ids (one per request), recipients, parts and chunks.
        """
        return (
            yield from self._send(
                sends.plan_sms,
                recipients,
                message,
                sender=sender,
                send_time=send_time,
                sending_type=sending_type,
                chunked=True,
            )
        )

    @operation
    def send_peer_to_peer(
        self,
        items: Sequence[PeerToPeerItem | tuple[Sequence[str], str]],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """Each item's own message to its own recipients.

        :param items: :class:`PeerToPeerItem` objects or ``(recipients, message)`` pairs.
        :param sender: the line number to send from; None takes ``default_sender`` (one of
            them is required).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        """
        plan = sends.plan_peer_to_peer
        return (
            yield from self._send(plan, items, sender=sender, send_time=send_time, chunked=True)
        )

    @operation
    def send_peer_to_peer_file(
        self,
        source: str | os.PathLike[str] | Iterable[tuple[str, str]],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """Rows of ``(recipient, message)`` from a CSV file or an iterable, uploaded as CSV.

        :param source: a CSV file path (header ``recipient,message``) or the rows.
        :param sender: the line number to send from; None takes ``default_sender`` (one of
            them is required).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        """
        plan = sends.plan_peer_to_peer_file
        return (
            yield from self._send(plan, source, sender=sender, send_time=send_time, chunked=True)
        )

    @operation
    def send_postal_code(
        self,
        message: str,
        targets: Sequence[PostalCodeTarget | Mapping[str, Any]],
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to postal-code audiences, plus optional extra numbers.

        :param message: the text.
        :param targets: :class:`PostalCodeTarget` objects or their JSON form (at most 30).
        :param other_recipients: extra numbers that also get the message.
        :param sender: the line number to send from; None takes ``default_sender`` (one of
            them is required).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        """
        return (
            yield from self._send(
                sends.plan_postal_code,
                message,
                targets,
                other_recipients=other_recipients,
                sender=sender,
                send_time=send_time,
            )
        )

    @operation
    def send_pattern(
        self,
        code: str,
        recipient: str,
        params: Mapping[str, object],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """A stored pattern with its parameters to one recipient.

        :param code: the pattern's code.
        :param recipient: one number.
        :param params: the pattern's variables; values are sent as strings.
        :param sender: the line number to send from; None takes ``default_sender`` (one of
            them is required).
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        """
        plan = sends.plan_pattern
        return (
            yield from self._send(plan, code, recipient, params, sender=sender, send_time=send_time)
        )

    @operation
    def send_votp(
        self, code: str, recipient: str, *, send_time: SendTime = None
    ) -> Operation[SendResult]:
        """A voice one-time password to one recipient.

        :param code: the one-time code to read out.
        :param recipient: one number.
        :param send_time: send later: an aware datetime, or ``YYYY-MM-DD HH:MM:SS`` in UTC;
            None sends now. Naive or past times are refused before any request.
        """
        plan = sends.plan_votp(code, recipient, send_time=send_time, now=self._now)
        return (yield from send_operation(plan))

    @operation
    def cancel_scheduled(self, outbox_id: int) -> Operation[None]:
        """Cancel a bulk still waiting for its ``send_time`` (up to 5 minutes before it).

        :param outbox_id: the bulk id a scheduled send returned.
        """
        body = {"message_outbox_id": int(outbox_id)}
        summary = f"cancel scheduled outbox {int(outbox_id)}"
        yield write("POST", "/api/send/cancel", decode_nothing, summary, json=body)

    @operation
    def calculate_price(self, message: str, sender: str | None = None) -> Operation[PriceQuote]:
        """Price and parts of ``message`` from ``sender``.

        :param message: the text to price.
        :param sender: the line number; None takes ``default_sender``.
        """
        body = {"message": sends.checked_text(message)}
        origin = body["number"] = sends.checked_sender(self._sender(sender))
        decode: Decoder[PriceQuote] = lambda data, meta: PriceQuote.from_json(data)  # noqa: E731
        summary = f"price of a message from {origin}"
        return (yield read("POST", "/api/send/calculate-price", decode, summary, json=body))


class _Unconnected(IPPanelApi[None, None]):
    def _open_transport(self, *args: Any) -> None:
        pass


def first_request(
    method: operation[P, Any], /, *args: P.args, **kwargs: P.kwargs
) -> ApiRequest[Any]:
    """The first request ``method`` (e.g. ``IPPanelApi.login``) sends for these arguments, built
    without a client or any I/O: what tests and tools inspect."""
    bare = _Unconnected(api_key="unused")
    request: ApiRequest[Any] = next(method.function(bare, *args, **kwargs))
    return request
