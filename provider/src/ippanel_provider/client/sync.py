"""Blocking client over ``requests``: pooled session, timeouts always set, no urllib3 retries."""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from . import core, protocol, sends
from .errors import IPPanelAuthError, IPPanelError, IPPanelTLSError, IPPanelTransportError
from .models import (
    AccountInfo,
    BulkRecipient,
    BulkStats,
    Credentials,
    LoginResult,
    OutboxBulk,
    OutboxFilters,
    Page,
    PeerToPeerItem,
    PostalCodeTarget,
    PriceQuote,
    SendResult,
)
from .protocol import DEFAULT_BASE_URL, ApiRequest
from .retry import READ_RETRY, SEND_RETRY, RetryPolicy, Sleep, retrying
from .schedule import Clock, utc_now

T = TypeVar("T")
SendTime = datetime | str | None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None)]
        stack += [a for a in item.args if isinstance(a, BaseException)]


def certificate_failure(exc: requests.RequestException) -> str | None:
    """What failed when the server's certificate did not verify, else None."""
    for item in _chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"{type(exc).__name__}: {item.verify_message or item.reason or item}"
    return None


def never_sent(exc: requests.RequestException) -> bool:
    """True when ``requests`` failed before the request could reach the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return False
    return any(isinstance(e, NewConnectionError | ConnectTimeoutError) for e in _chain(exc))


def normalize_timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if connect <= 0 or read <= 0:
        raise ValueError(f"timeouts must be positive, got {timeout!r}")
    return float(connect), float(read)


class IPPanelClient:
    """IPPanel Edge API client (blocking). See ``DESIGN.md`` for the method list.

    Authenticate with ``api_key`` or ``credentials``; a login token is cached and renewed before
    its 10 hours run out, and once more after a 401. Re-sending a send after a 401 is safe:
    IPPanel rejects an unauthenticated request before acting on it.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        api_key: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | tuple[float, float] = (5.0, 30.0),
        verify: bool | str = True,
        proxy: str | None = None,
        recipients_per_request: int = 1000,
        default_sender: str | None = None,
        read_retry: RetryPolicy = READ_RETRY,
        send_retry: RetryPolicy = SEND_RETRY,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Clock = utc_now,
        on_token: Callable[[str], None] | None = None,
        session: requests.Session | None = None,
    ) -> None:
        if recipients_per_request < 1:
            raise ValueError("recipients_per_request must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.timeout = normalize_timeout(timeout)
        self.recipients_per_request = recipients_per_request
        self.default_sender = default_sender
        self.read_retry, self.send_retry = read_retry, send_retry
        self._auth = core.TokenState(api_key, credentials, clock=clock, on_token=on_token)
        self._sleep, self._now = sleep, now
        self._login_lock = threading.Lock()
        self._session = session or requests.Session()
        adapter = HTTPAdapter(max_retries=Retry(total=0, read=False, redirect=False))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.verify = verify
        self._proxies = {"http": proxy, "https": proxy} if proxy else None
        if self._proxies:
            self._session.proxies = dict(self._proxies)
        self._session.headers.update({"Accept": "application/json"})

    # ------------------------------------------------------------ plumbing

    def __enter__(self) -> IPPanelClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    def _attempt(self, request: ApiRequest[T], authorization: str | None) -> T:
        headers = {"Authorization": authorization} if authorization else {}
        files: list[tuple[str, tuple[str | None, str | bytes, str]]] | None = None
        data: list[tuple[str, str | bytes]] | None = None
        if request.files is not None:
            files = [
                (f.name, (f.filename, f.value, f.content_type or "application/octet-stream"))
                for f in request.files
                if f.filename is not None
            ]
            data = [(f.name, f.value) for f in request.files if f.filename is None]
        try:
            response = self._session.request(
                request.method,
                request.url(self.base_url),
                params=request.params,
                json=request.json if files is None else None,
                files=files,
                data=data,
                headers=headers,
                timeout=self.timeout,
                # Per request: requests lets REQUESTS_CA_BUNDLE override a Session's verify,
                # and HTTP(S)_PROXY override a Session's proxies.
                verify=self._session.verify,
                proxies=self._proxies,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            reason = type(exc).__name__
            bad_certificate = certificate_failure(exc)
            if bad_certificate is not None:
                raise IPPanelTLSError(bad_certificate, request_summary=request.summary) from exc
            if never_sent(exc):
                raise IPPanelTransportError(
                    f"could not reach IPPanel ({reason})", request_summary=request.summary
                ) from exc
            raise core.lost_answer(request, reason) from exc
        try:
            return protocol.parse_response(
                request, response.status_code, response.headers, response.content
            )
        except IPPanelError as exc:
            raise core.answer_error(request, exc) from exc

    def _authorization(self, request: ApiRequest[Any]) -> str | None:
        if not request.authenticated:
            return None
        value = self._auth.header()
        if value is None:
            if not self._auth.credentials:
                raise core.missing_auth_error(request)
            with self._login_lock:
                value = self._auth.header()
                if value is None:
                    self._auth.store(
                        core.drive(core.login_operation(self._auth.credentials), self._execute)
                    )
                    value = self._auth.header()
        return value

    def _execute_with(self, request: ApiRequest[T], authorization: str | None) -> T:
        safe_to_repeat = request.idempotent and not request.is_send
        policy = self.read_retry if safe_to_repeat else self.send_retry
        loop = retrying(policy, send=not safe_to_repeat, sleep=self._sleep)
        return loop(self._attempt, request, authorization)

    def _execute(self, request: ApiRequest[T]) -> T:
        """Perform one request with its retry policy; after a 401 on a login token, log in
        again and repeat it once (safe even for a send: a 401 means IPPanel did not act)."""
        authorization = self._authorization(request)
        try:
            return self._execute_with(request, authorization)
        except IPPanelAuthError as exc:
            if not (request.authenticated and self._auth.can_login and exc.http_status == 401):
                raise
            self._auth.invalidate()
            return self._execute_with(request, self._authorization(request))

    def _run(self, operation: core.Operation[T]) -> T:
        return core.drive(operation, self._execute)

    # ------------------------------------------------------------ auth

    def login(self, username: str, password: str) -> LoginResult:
        result = self._execute(protocol.login(username, password))
        if result.method == "login" and not self._auth.api_key:
            self._auth.store(result.token)
        return result

    def send_sms_otp(self, token: str) -> LoginResult:
        return self._execute(protocol.send_sms_otp(token))

    def confirm_otp(self, token: str, otp: str) -> LoginResult:
        result = self._execute(protocol.confirm_otp(token, otp))
        if not self._auth.api_key:
            self._auth.store(result.token)
        return result

    def forgot_password(self, username: str, mobile: str) -> str:
        return self._execute(protocol.forgot_password(username, mobile))

    def change_password_by_token(self, token: str, otp: str, password: str) -> None:
        self._execute(protocol.change_password_by_token(token, otp, password))

    def logout(self) -> None:
        try:
            self._execute(protocol.logout())
        finally:
            self._auth.invalidate()

    def check_token(self) -> AccountInfo:
        return self._execute(protocol.check_token())

    def get_credit(self) -> float:
        return self._execute(protocol.get_credit())

    # ------------------------------------------------------------ sends

    def _sender(self, sender: str | None) -> str | None:
        return sender or self.default_sender

    def send_sms(
        self,
        recipients: Iterable[str],
        message: str,
        *,
        sender: str | None = None,
        send_time: SendTime = None,
        sending_type: str = "webservice",
    ) -> SendResult:
        plan = sends.plan_sms(
            recipients,
            message,
            sender=self._sender(sender),
            send_time=send_time,
            sending_type=sending_type,
            chunk_size=self.recipients_per_request,
            now=self._now,
        )
        return self._run(core.send_operation(plan))

    def send_peer_to_peer(
        self,
        items: Sequence[PeerToPeerItem | tuple[Sequence[str], str]],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> SendResult:
        plan = sends.plan_peer_to_peer(
            items,
            sender=self._sender(sender),
            send_time=send_time,
            chunk_size=self.recipients_per_request,
            now=self._now,
        )
        return self._run(core.send_operation(plan))

    def send_peer_to_peer_file(
        self,
        source: str | os.PathLike[str] | Iterable[tuple[str, str]],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> SendResult:
        plan = sends.plan_peer_to_peer_file(
            source,
            sender=self._sender(sender),
            send_time=send_time,
            chunk_size=self.recipients_per_request,
            now=self._now,
        )
        return self._run(core.send_operation(plan))

    def send_postal_code(
        self,
        message: str,
        targets: Sequence[PostalCodeTarget | Mapping[str, Any]],
        *,
        other_recipients: Iterable[str] = (),
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> SendResult:
        plan = sends.plan_postal_code(
            message,
            targets,
            other_recipients=other_recipients,
            sender=self._sender(sender),
            send_time=send_time,
            now=self._now,
        )
        return self._run(core.send_operation(plan))

    def send_pattern(
        self,
        code: str,
        recipient: str,
        params: Mapping[str, object],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> SendResult:
        plan = sends.plan_pattern(
            code,
            recipient,
            params,
            sender=self._sender(sender),
            send_time=send_time,
            now=self._now,
        )
        return self._run(core.send_operation(plan))

    def send_votp(self, code: str, recipient: str, *, send_time: SendTime = None) -> SendResult:
        plan = sends.plan_votp(code, recipient, send_time=send_time, now=self._now)
        return self._run(core.send_operation(plan))

    def cancel_scheduled(self, outbox_id: int) -> None:
        self._execute(protocol.cancel_scheduled(outbox_id))

    def calculate_price(self, message: str, sender: str | None = None) -> PriceQuote:
        """Price and parts of ``message`` from ``sender`` (default sender if omitted)."""
        return self._execute(protocol.calculate_price(message, self._sender(sender)))

    # ------------------------------------------------------------ reports

    def outbox_report(
        self,
        *,
        page: int = 1,
        limit: int = 10,
        filters: OutboxFilters | Mapping[str, Any] | None = None,
    ) -> Page[OutboxBulk]:
        return self._execute(protocol.outbox_report(page, limit, filters))

    def iter_outbox_report(
        self, *, filters: OutboxFilters | Mapping[str, Any] | None = None, page_size: int = 100
    ) -> Iterator[OutboxBulk]:
        page = 1
        while True:
            result = self.outbox_report(page=page, limit=page_size, filters=filters)
            yield from result.items
            if not result.has_next or not result.items:
                return
            page += 1

    def bulk_report(self, outbox_id: int) -> OutboxBulk:
        return self._execute(protocol.bulk_report(outbox_id))

    def bulk_stats(self, outbox_id: int) -> BulkStats:
        return self._execute(protocol.bulk_stats(outbox_id))

    def bulk_recipients(
        self, outbox_id: int, *, page: int = 1, per_page: int = 100
    ) -> Page[BulkRecipient]:
        return self._execute(protocol.bulk_recipients(outbox_id, page, per_page))

    def iter_bulk_recipients(
        self, outbox_id: int, *, per_page: int = 500
    ) -> Iterator[BulkRecipient]:
        page = 1
        while True:
            result = self.bulk_recipients(outbox_id, page=page, per_page=per_page)
            yield from result.items
            if not result.has_next or not result.items:
                return
            page += 1
