"""Sans-I/O protocol: build :class:`ApiRequest` values and turn raw answers into results.

Nothing here performs I/O; both transports (``sync.py``, ``aio.py``) execute the same requests
and call :func:`parse_response` on ``(status, headers, body)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, NoReturn, TypeVar

from .errors import (
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelServerError,
    IPPanelValidationError,
)
from .models import (
    AccountInfo,
    BulkRecipient,
    BulkStats,
    LoginResult,
    OutboxBulk,
    OutboxFilters,
    Page,
    PriceQuote,
    to_float,
    to_int,
)

T = TypeVar("T")
Decoder = Callable[[Any, Mapping[str, Any]], T]

DEFAULT_BASE_URL = "https://edge.ippanel.com/v1"
AUTH_PREFIX = "/api/acl/auth/"
BAD_CREDENTIALS = "اطلاعات وارد شده صحیح نمی باشد"


@dataclass(frozen=True, slots=True)
class MultipartField:
    """One multipart/form-data part; a file part has ``filename`` and ``content_type``."""

    name: str
    value: str | bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class ApiRequest(Generic[T]):
    """Everything a transport needs to perform one call, and how to decode its answer.

    ``is_send`` marks requests that make IPPanel send SMS: they are retried only when the server
    certainly did not act. ``idempotent`` marks requests safe to repeat after an unknown outcome.
    ``summary`` names what the request does without any secret or message text.
    """

    method: str
    path: str
    decode: Decoder[T] = field(repr=False)
    summary: str
    params: Mapping[str, str] | None = None
    json: Any = field(default=None, repr=False)
    files: tuple[MultipartField, ...] | None = field(default=None, repr=False)
    is_send: bool = False
    idempotent: bool = True
    authenticated: bool = True

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


# ---------------------------------------------------------------- answers


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _field_errors(payload: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for source in (meta.get("errors"), payload.get("errors")):
        if isinstance(source, Mapping):
            for name, messages in source.items():
                items = messages if isinstance(messages, list) else [messages]
                errors.setdefault(str(name), []).extend(str(m) for m in items)
    return errors


def _error_class(status: int, code: str, message: str, path: str) -> type[IPPanelApiError]:
    if 200 <= status < 300 and code[:3].isdigit():
        status = int(code[:3])  # an error sent as HTTP 200: its code says what it would be
    if status == 401 or code.startswith("401"):
        return IPPanelAuthError
    if status == 404 or code.startswith("404"):
        return IPPanelNotFoundError
    if status == 429 or code.startswith("429"):
        return IPPanelRateLimitError
    if status >= 500 or code.startswith("500"):
        return IPPanelServerError
    if status == 422 or code in {"400-2", "422-1"}:
        return IPPanelValidationError
    if code == "400-1" and (path.startswith(AUTH_PREFIX) or message == BAD_CREDENTIALS):
        return IPPanelAuthError
    if 400 <= status < 500:
        return IPPanelValidationError
    return IPPanelApiError


def parse_envelope(
    status: int, headers: Mapping[str, str], body: bytes, *, path: str = "", summary: str = ""
) -> tuple[Any, Mapping[str, Any]]:
    """Return ``(data, meta)`` of a successful answer, or raise the matching IPPanelApiError.

    An answer is an error when the HTTP status is not 2xx or when ``meta.status`` is false
    (IPPanel has been seen to report errors as HTTP 200).
    """
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, Mapping):
        cls = _error_class(status, "", "", path) if 400 <= status < 500 else IPPanelServerError
        _raise(cls, status, "", "the answer is not a JSON envelope", {}, headers, summary)
    meta = payload.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    ok_flag = meta.get("status", 200 <= status < 300)
    if 200 <= status < 300 and ok_flag is not False:
        return payload.get("data"), meta
    code = str(meta.get("message_code") or "")
    message = str(meta.get("message") or "")
    cls = _error_class(status, code, message, path)
    _raise(cls, status, code, message, _field_errors(payload, meta), headers, summary)


def _raise(
    cls: type[IPPanelApiError],
    status: int,
    code: str,
    message: str,
    errors: Mapping[str, list[str]],
    headers: Mapping[str, str],
    summary: str,
) -> NoReturn:
    retry_after = parse_retry_after(headers.get("Retry-After"))
    if cls is IPPanelRateLimitError:
        raise IPPanelRateLimitError(
            status, code or None, message, errors, request_summary=summary, retry_after=retry_after
        )
    error = cls(status, code or None, message, errors, request_summary=summary)
    error.retry_after = retry_after
    raise error


def parse_response(
    request: ApiRequest[T], status: int, headers: Mapping[str, str], body: bytes
) -> T:
    """Check the envelope of an answer to ``request`` and decode its data."""
    data, meta = parse_envelope(status, headers, body, path=request.path, summary=request.summary)
    try:
        return request.decode(data, meta)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise IPPanelServerError(
            status,
            None,
            f"unexpected answer shape ({type(exc).__name__})",
            request_summary=request.summary,
        ) from None


# ---------------------------------------------------------------- decoders


def decode_nothing(data: Any, meta: Mapping[str, Any]) -> None:
    return None


def decode_login(data: Any, meta: Mapping[str, Any]) -> LoginResult:
    return LoginResult(method=str(data.get("method") or "login"), token=str(data["token"]))


def decode_token(data: Any, meta: Mapping[str, Any]) -> str:
    return str(data["token"])


def decode_account(data: Any, meta: Mapping[str, Any]) -> AccountInfo:
    return AccountInfo.from_json(data)


def decode_credit(data: Any, meta: Mapping[str, Any]) -> float:
    credit = to_float(data["credit"])
    if credit is None:
        raise ValueError("credit missing")
    return credit


def decode_outbox_ids(data: Any, meta: Mapping[str, Any]) -> list[int]:
    return [int(i) for i in data["message_outbox_ids"]]


def _page(items: list[T], meta: Mapping[str, Any], page: int, per_page: int) -> Page[T]:
    current = to_int(meta.get("current_page")) or page
    return Page(
        items=items,
        current_page=current,
        last_page=to_int(meta.get("last_page")) or current,
        per_page=to_int(meta.get("per_page")) or per_page,
        total=to_int(meta.get("total")) or len(items),
    )


# ---------------------------------------------------------------- auth and account


def _auth(path: str, body: Mapping[str, str], decode: Decoder[T], summary: str) -> ApiRequest[T]:
    return ApiRequest(
        "POST",
        AUTH_PREFIX + path,
        decode,
        summary,
        json=dict(body),
        idempotent=False,
        authenticated=False,
    )


def login(username: str, password: str) -> ApiRequest[LoginResult]:
    return _auth("login", {"username": username, "password": password}, decode_login, "login")


def send_sms_otp(token: str) -> ApiRequest[LoginResult]:
    return _auth("send_sms_otp", {"token": token}, decode_login, "send login OTP by SMS")


def confirm_otp(token: str, otp: str) -> ApiRequest[LoginResult]:
    return _auth("confirm_otp", {"token": token, "otp": otp}, decode_login, "confirm login OTP")


def forgot_password(username: str, mobile: str) -> ApiRequest[str]:
    body = {"username": username, "mobile": mobile}
    return _auth("forgot_password", body, decode_token, "request password-change OTP")


def change_password_by_token(token: str, otp: str, password: str) -> ApiRequest[None]:
    body = {"token": token, "otp": otp, "password": password}
    return _auth("change_password_by_token", body, decode_nothing, "change password")


def logout() -> ApiRequest[None]:
    return ApiRequest("POST", AUTH_PREFIX + "logout", decode_nothing, "logout", idempotent=False)


def check_token() -> ApiRequest[AccountInfo]:
    return ApiRequest("POST", AUTH_PREFIX + "check_token", decode_account, "check token")


def get_credit() -> ApiRequest[float]:
    return ApiRequest("GET", "/api/payment/credit/mine", decode_credit, "get credit")


def cancel_scheduled(outbox_id: int) -> ApiRequest[None]:
    return ApiRequest(
        "POST",
        "/api/send/cancel",
        decode_nothing,
        f"cancel scheduled outbox {int(outbox_id)}",
        json={"message_outbox_id": int(outbox_id)},
        idempotent=False,
    )


def calculate_price(message: str, sender: str | None) -> ApiRequest[PriceQuote]:
    """Price and parts of one message (later edition); sends nothing, so it is a safe read."""
    if not isinstance(message, str) or not message.strip():
        raise ValueError("message must be a non-empty string")
    if not sender or not str(sender).strip():
        raise ValueError("a sender number is required: pass sender= or set default_sender")
    return ApiRequest(
        "POST",
        "/api/send/calculate-price",
        lambda data, meta: PriceQuote.from_json(data),
        f"price of a message from {str(sender).strip()}",
        json={"number": str(sender).strip(), "message": message},
    )


# ---------------------------------------------------------------- reports


def _check_paging(page: int, size: int, size_name: str) -> None:
    if page < 1:
        raise ValueError(f"page must be at least 1, got {page}")
    if size < 1:
        raise ValueError(f"{size_name} must be at least 1, got {size}")


def outbox_report(
    page: int = 1, limit: int = 10, filters: OutboxFilters | Mapping[str, Any] | None = None
) -> ApiRequest[Page[OutboxBulk]]:
    _check_paging(page, limit, "limit")
    body: dict[str, Any] = {"page": page, "limit": limit}
    if filters is not None:
        body["filters"] = filters.to_json() if isinstance(filters, OutboxFilters) else dict(filters)

    def decode(data: Any, meta: Mapping[str, Any]) -> Page[OutboxBulk]:
        return _page([OutboxBulk.from_json(row) for row in data or []], meta, page, limit)

    return ApiRequest("POST", "/api/report/new_list", decode, "outbox report", json=body)


def bulk_report(outbox_id: int) -> ApiRequest[OutboxBulk]:
    def decode(data: Any, meta: Mapping[str, Any]) -> OutboxBulk:
        return OutboxBulk.from_json(data[0] if isinstance(data, list) else data)

    return ApiRequest(
        "POST",
        f"/api/report/by_bulk/{int(outbox_id)}",
        decode,
        f"report of outbox {int(outbox_id)}",
        json={"page": 1, "limit": 10},
    )


def bulk_stats(outbox_id: int) -> ApiRequest[BulkStats]:
    return ApiRequest(
        "GET",
        "/api/report/bulk_stats",
        lambda data, meta: BulkStats.from_json(data),
        f"stats of outbox {int(outbox_id)}",
        params={"bulk_id": str(int(outbox_id))},
    )


def bulk_recipients(
    outbox_id: int, page: int = 1, per_page: int = 100
) -> ApiRequest[Page[BulkRecipient]]:
    _check_paging(page, per_page, "per_page")

    def decode(data: Any, meta: Mapping[str, Any]) -> Page[BulkRecipient]:
        return _page([BulkRecipient.from_json(r) for r in data or []], meta, page, per_page)

    params = {"page": str(page), "per_page": str(per_page), "bulk_id": str(int(outbox_id))}
    return ApiRequest(
        "GET",
        "/api/report/recipients",
        decode,
        f"recipients of outbox {int(outbox_id)}",
        params=params,
    )
