"""Asyncio client over ``aiohttp``: same methods as :class:`IPPanelClient`, awaited."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

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
from .retry import READ_RETRY, SEND_RETRY, AsyncSleep, RetryPolicy, async_retrying
from .schedule import Clock, utc_now
from .sync import normalize_timeout

T = TypeVar("T")
SendTime = datetime | str | None

NOT_SENT_ERRORS = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
"""Failures before the request was written: DNS, refused, TLS handshake, connect timeout."""


async def drive_async(
    operation: core.Operation[T], execute: Callable[[ApiRequest[Any]], Awaitable[Any]]
) -> T:
    """Run an operation with ``execute`` awaiting each request (see :func:`core.drive`)."""
    value: Any = None
    error: IPPanelError | None = None
    while True:
        try:
            request = operation.throw(error) if error else operation.send(value)
        except StopIteration as stop:
            return stop.value
        try:
            value, error = await execute(request), None
        except IPPanelError as exc:
            value, error = None, exc


def _ssl_option(verify: bool | str) -> ssl.SSLContext | bool:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return bool(verify)


class AsyncIPPanelClient:
    """IPPanel Edge API client for asyncio; see :class:`IPPanelClient` for the behaviour."""

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
        sleep: AsyncSleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Clock = utc_now,
        on_token: Callable[[str], None] | None = None,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if recipients_per_request < 1:
            raise ValueError("recipients_per_request must be at least 1")
        self.base_url = base_url.rstrip("/")
        connect, read = normalize_timeout(timeout)
        self.timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=connect, sock_read=read
        )
        self.recipients_per_request = recipients_per_request
        self.default_sender = default_sender
        self.read_retry, self.send_retry = read_retry, send_retry
        self.proxy = proxy
        self._ssl = _ssl_option(verify)
        self._auth = core.TokenState(api_key, credentials, clock=clock, on_token=on_token)
        self._sleep, self._now = sleep, now
        self._login_lock = asyncio.Lock()
        self._session = session
        self._owns_session = session is None

    # ------------------------------------------------------------ plumbing

    async def __aenter__(self) -> AsyncIPPanelClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"Accept": "application/json"})
            # aiohttp silently repeats an idempotent request once when a pooled connection
            # drops; switch that off (as aiohttp's own test client does) so retry.py's policy
            # is the only retry logic.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
            self._owns_session = True
        return self._session

    async def _attempt(self, request: ApiRequest[T], authorization: str | None) -> T:
        headers = {"Authorization": authorization} if authorization else {}
        body: dict[str, Any] = {}
        if request.files is not None:
            form = aiohttp.FormData()
            for part in request.files:
                form.add_field(
                    part.name, part.value, filename=part.filename, content_type=part.content_type
                )
            body["data"] = form
        elif request.json is not None:
            body["json"] = request.json
        try:
            async with self._get_session().request(
                request.method,
                request.url(self.base_url),
                params=request.params,
                headers=headers,
                timeout=self.timeout,
                proxy=self.proxy,
                ssl=self._ssl,
                allow_redirects=False,
                **body,
            ) as response:
                status, answer_headers = response.status, response.headers
                content = await response.read()
        except aiohttp.ClientConnectorCertificateError as exc:
            detail = f"{type(exc).__name__}: {exc.certificate_error}"
            raise IPPanelTLSError(detail, request_summary=request.summary) from exc
        except NOT_SENT_ERRORS as exc:
            raise IPPanelTransportError(
                f"could not reach IPPanel ({type(exc).__name__})", request_summary=request.summary
            ) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise core.lost_answer(request, type(exc).__name__) from exc
        try:
            return protocol.parse_response(request, status, answer_headers, content)
        except IPPanelError as exc:
            raise core.answer_error(request, exc) from exc

    async def _authorization(self, request: ApiRequest[Any]) -> str | None:
        if not request.authenticated:
            return None
        value = self._auth.header()
        if value is None:
            if not self._auth.credentials:
                raise core.missing_auth_error(request)
            async with self._login_lock:
                value = self._auth.header()
                if value is None:
                    operation = core.login_operation(self._auth.credentials)
                    self._auth.store(await drive_async(operation, self._execute))
                    value = self._auth.header()
        return value

    async def _execute_with(self, request: ApiRequest[T], authorization: str | None) -> T:
        safe_to_repeat = request.idempotent and not request.is_send
        policy = self.read_retry if safe_to_repeat else self.send_retry
        loop = async_retrying(policy, send=not safe_to_repeat, sleep=self._sleep)
        return await loop(self._attempt, request, authorization)

    async def _execute(self, request: ApiRequest[T]) -> T:
        """Perform one request with its retry policy; after a 401 on a login token, log in
        again and repeat it once (safe even for a send: a 401 means IPPanel did not act)."""
        authorization = await self._authorization(request)
        try:
            return await self._execute_with(request, authorization)
        except IPPanelAuthError as exc:
            if not (request.authenticated and self._auth.can_login and exc.http_status == 401):
                raise
            self._auth.invalidate()
            return await self._execute_with(request, await self._authorization(request))

    async def _run(self, operation: core.Operation[T]) -> T:
        return await drive_async(operation, self._execute)

    # ------------------------------------------------------------ auth

    async def login(self, username: str, password: str) -> LoginResult:
        result = await self._execute(protocol.login(username, password))
        if result.method == "login" and not self._auth.api_key:
            self._auth.store(result.token)
        return result

    async def send_sms_otp(self, token: str) -> LoginResult:
        return await self._execute(protocol.send_sms_otp(token))

    async def confirm_otp(self, token: str, otp: str) -> LoginResult:
        result = await self._execute(protocol.confirm_otp(token, otp))
        if not self._auth.api_key:
            self._auth.store(result.token)
        return result

    async def forgot_password(self, username: str, mobile: str) -> str:
        return await self._execute(protocol.forgot_password(username, mobile))

    async def change_password_by_token(self, token: str, otp: str, password: str) -> None:
        await self._execute(protocol.change_password_by_token(token, otp, password))

    async def logout(self) -> None:
        try:
            await self._execute(protocol.logout())
        finally:
            self._auth.invalidate()

    async def check_token(self) -> AccountInfo:
        return await self._execute(protocol.check_token())

    async def get_credit(self) -> float:
        return await self._execute(protocol.get_credit())

    # ------------------------------------------------------------ sends

    def _sender(self, sender: str | None) -> str | None:
        return sender or self.default_sender

    async def send_sms(
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
        return await self._run(core.send_operation(plan))

    async def send_peer_to_peer(
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
        return await self._run(core.send_operation(plan))

    async def send_peer_to_peer_file(
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
        return await self._run(core.send_operation(plan))

    async def send_postal_code(
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
        return await self._run(core.send_operation(plan))

    async def send_pattern(
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
        return await self._run(core.send_operation(plan))

    async def send_votp(
        self, code: str, recipient: str, *, send_time: SendTime = None
    ) -> SendResult:
        plan = sends.plan_votp(code, recipient, send_time=send_time, now=self._now)
        return await self._run(core.send_operation(plan))

    async def cancel_scheduled(self, outbox_id: int) -> None:
        await self._execute(protocol.cancel_scheduled(outbox_id))

    async def calculate_price(self, message: str, sender: str | None = None) -> PriceQuote:
        """Price and parts of ``message`` from ``sender`` (default sender if omitted)."""
        return await self._execute(protocol.calculate_price(message, self._sender(sender)))

    # ------------------------------------------------------------ reports

    async def outbox_report(
        self,
        *,
        page: int = 1,
        limit: int = 10,
        filters: OutboxFilters | Mapping[str, Any] | None = None,
    ) -> Page[OutboxBulk]:
        return await self._execute(protocol.outbox_report(page, limit, filters))

    async def iter_outbox_report(
        self, *, filters: OutboxFilters | Mapping[str, Any] | None = None, page_size: int = 100
    ) -> AsyncIterator[OutboxBulk]:
        page = 1
        while True:
            result = await self.outbox_report(page=page, limit=page_size, filters=filters)
            for item in result.items:
                yield item
            if not result.has_next or not result.items:
                return
            page += 1

    async def bulk_report(self, outbox_id: int) -> OutboxBulk:
        return await self._execute(protocol.bulk_report(outbox_id))

    async def bulk_stats(self, outbox_id: int) -> BulkStats:
        return await self._execute(protocol.bulk_stats(outbox_id))

    async def bulk_recipients(
        self, outbox_id: int, *, page: int = 1, per_page: int = 100
    ) -> Page[BulkRecipient]:
        return await self._execute(protocol.bulk_recipients(outbox_id, page, per_page))

    async def iter_bulk_recipients(
        self, outbox_id: int, *, per_page: int = 500
    ) -> AsyncIterator[BulkRecipient]:
        page = 1
        while True:
            result = await self.bulk_recipients(outbox_id, page=page, per_page=per_page)
            for item in result.items:
                yield item
            if not result.has_next or not result.items:
                return
            page += 1
