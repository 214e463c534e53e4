"""What both transports share beyond the protocol: token state, the login flow, chunked sends
as resumable operations, and the rules that turn a lost answer into the right error.

An *operation* is a generator that yields :class:`ApiRequest` values and receives their decoded
results (or has the request's error thrown into it). The sync and async clients only differ in
how they execute one request, so the logic of a multi-request call is written once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, TypeVar

import pyotp

from .errors import (
    IPPanelCredentialsError,
    IPPanelError,
    IPPanelLoginError,
    IPPanelResponseLostError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
)
from .models import Credentials, LoginResult, SendResult
from .protocol import AUTH_PREFIX, ApiRequest, Decoder, decode_login
from .retry import SEND_RETRY_STATUSES
from .sends import SendPlan

T = TypeVar("T")
S = TypeVar("S")
Operation = Generator[ApiRequest[Any], Any, T]

TOKEN_LIFETIME = 10 * 3600.0
"""A final login token lives 10 hours."""
TOKEN_RENEW_MARGIN = 10 * 60.0
"""Log in again this long before the token would expire, so no call meets an expired token."""


class TokenState:
    """The ``Authorization`` value: a fixed API key, or a login token cached until near expiry."""

    def __init__(
        self,
        api_key: str | None,
        credentials: Credentials | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        if api_key is not None and credentials is not None:
            raise ValueError("give either api_key or credentials, not both")
        if api_key is not None and not api_key.strip():
            raise ValueError("api_key is empty")
        self.api_key = api_key
        self.credentials = credentials
        self._clock = clock
        self._on_token = on_token
        self._token: str | None = None
        self._expires_at = 0.0

    @property
    def can_login(self) -> bool:
        return self.credentials is not None

    def header(self) -> str | None:
        """The value to send, or None when a (new) login is needed first."""
        if self.api_key is not None:
            return self.api_key
        if self._token is not None and self._clock() < self._expires_at - TOKEN_RENEW_MARGIN:
            return self._token
        return None

    def store(self, token: str) -> None:
        if self._on_token is not None:
            self._on_token(token)
        self._token = token
        self._expires_at = self._clock() + TOKEN_LIFETIME

    def invalidate(self) -> None:
        self._token = None
        self._expires_at = 0.0


def missing_auth_error(request: ApiRequest[Any]) -> IPPanelCredentialsError:
    return IPPanelCredentialsError(
        "the client has no API key, credentials or live token; pass api_key= or credentials=",
        request_summary=request.summary,
    )


def auth_request(
    path: str, body: Mapping[str, str], decode: Decoder[T], summary: str
) -> ApiRequest[T]:
    """A call to ``/api/acl/auth/<path>``: sent without ``Authorization``, never repeated
    after an unknown outcome."""
    return ApiRequest(
        "POST",
        AUTH_PREFIX + path,
        decode,
        summary,
        json=dict(body),
        idempotent=False,
        authenticated=False,
    )


def login_request(username: str, password: str) -> ApiRequest[LoginResult]:
    body = {"username": username, "password": password}
    return auth_request("login", body, decode_login, "login")


def confirm_otp_request(token: str, otp: str) -> ApiRequest[LoginResult]:
    body = {"token": token, "otp": otp}
    return auth_request("confirm_otp", body, decode_login, "confirm login OTP")


def login_operation(credentials: Credentials) -> Operation[str]:
    """Log in and return a final token; Google Authenticator codes come from ``totp_secret``."""
    first: LoginResult = yield login_request(credentials.username, credentials.password)
    if first.method == "login":
        return first.token
    if first.method == "ga":
        if not credentials.totp_secret:
            raise IPPanelCredentialsError(
                f"account {credentials.username!r} needs a Google Authenticator code; "
                "give the account's totp_secret in the credentials"
            )
        otp = pyotp.TOTP(credentials.totp_secret).now()
        final: LoginResult = yield confirm_otp_request(first.token, otp)
        return final.token
    if first.method == "sms":
        raise IPPanelLoginError(credentials.username)
    raise IPPanelCredentialsError(f"unknown login method {first.method!r}")


def send_operation(plan: SendPlan) -> Operation[SendResult]:
    """Send every chunk in order; a failure carries the ids of the chunks already accepted."""
    ids: list[int] = []
    for index, request in enumerate(plan.requests):
        try:
            chunk_ids: list[int] = yield request
        except IPPanelError as exc:
            exc.sent_outbox_ids = list(ids)
            exc.failed_chunk = index
            exc.chunks = len(plan.requests)
            if index:
                exc.add_note(
                    f"{index} of {len(plan.requests)} chunk(s) were accepted before this "
                    f"failure; their outbox ids: {ids}"
                )
            raise
        ids.extend(chunk_ids)
    return SendResult(ids, plan.recipients, plan.parts, len(plan.requests))


def single(request: ApiRequest[T]) -> Operation[T]:
    result: T = yield request
    return result


def lost_answer(request: ApiRequest[Any], reason: str) -> IPPanelError:
    """The request went out but no complete answer came back."""
    if request.is_send:
        return IPPanelSendOutcomeUnknown(request.summary, reason)
    return IPPanelResponseLostError(
        f"no complete answer from IPPanel ({reason})", request_summary=request.summary
    )


def deadline_passed(request: ApiRequest[Any], seconds: float) -> IPPanelError:
    """The request's deadline cut the exchange short: nothing complete came back."""
    return lost_answer(request, f"no complete answer within the {seconds:g} s deadline")


def too_large(request: ApiRequest[Any], status: int, limit: int) -> IPPanelError:
    """The answer is longer than the client reads. A send may have been accepted."""
    reason = f"the answer is longer than max_response_bytes ({limit} bytes)"
    if request.is_send:
        return IPPanelSendOutcomeUnknown(request.summary, reason, http_status=status)
    return IPPanelServerError(status, None, reason, request_summary=request.summary)


def answer_error(request: ApiRequest[Any], exc: IPPanelError) -> IPPanelError:
    """A 500/502/504 (or garbage) answer to a send may follow an accepted send: outcome unknown."""
    if (
        request.is_send
        and isinstance(exc, IPPanelServerError)
        and exc.http_status not in SEND_RETRY_STATUSES
    ):
        unknown = IPPanelSendOutcomeUnknown(
            request.summary, f"HTTP {exc.http_status}", http_status=exc.http_status
        )
        unknown.__cause__ = exc
        return unknown
    return exc


def drive(operation: Generator[S, Any, T], execute: Callable[[S], Any]) -> T:
    """Run a generator to its end, ``execute`` performing each item it yields (a request, or
    an engine step): the result is sent back in, an :class:`IPPanelError` thrown back in."""
    value: Any = None
    error: IPPanelError | None = None
    while True:
        try:
            item = operation.throw(error) if error else operation.send(value)
        except StopIteration as stop:
            return stop.value
        try:
            value, error = execute(item), None
        except IPPanelError as exc:
            value, error = None, exc


async def drive_async(operation: Generator[S, Any, T], execute: Callable[[S], Awaitable[Any]]) -> T:
    """:func:`drive` with ``execute`` awaited: the same loop, the only one for asyncio."""
    value: Any = None
    error: IPPanelError | None = None
    while True:
        try:
            item = operation.throw(error) if error else operation.send(value)
        except StopIteration as stop:
            return stop.value
        try:
            value, error = await execute(item), None
        except IPPanelError as exc:
            value, error = None, exc
