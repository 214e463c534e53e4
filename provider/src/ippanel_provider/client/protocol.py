"""Sans-I/O protocol: build :class:`ApiRequest` values and turn raw answers into results.

Nothing here performs I/O; both transports (``sync.py``, ``aio.py``) execute the same requests
and call :func:`parse_response` on ``(status, headers, body)``. Which requests exist is declared
in ``api.py``; this module knows the envelope every answer shares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, NoReturn, TypeVar

from .convert import to_float, to_int
from .errors import (
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelServerError,
    IPPanelValidationError,
)
from .models import AccountInfo, LoginResult, Page

T = TypeVar("T")
Decoder = Callable[[Any, Mapping[str, Any]], T]

DEFAULT_BASE_URL = "https://edge.ippanel.com/v1"
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
"""The largest answer a client reads: a page of 1,000 report rows is well under 1 MiB."""
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
        """``base_url`` + ``path``; a ``/v2/...`` path replaces a base URL's ``/v1``."""
        base = base_url.rstrip("/")
        if self.path.startswith("/v2/") and base.endswith("/v1"):
            base = base[:-3]
        return base + self.path


def read(method: str, path: str, decode: Decoder[T], summary: str, **parts: Any) -> ApiRequest[T]:
    """A request that changes nothing: retried on anything transient."""
    return ApiRequest(method, path, decode, summary, **parts)


def write(method: str, path: str, decode: Decoder[T], summary: str, **parts: Any) -> ApiRequest[T]:
    """A request that changes state but sends no SMS: retried only where IPPanel certainly did
    not act (never after an unknown outcome: a repeated create would make two)."""
    return ApiRequest(method, path, decode, summary, idempotent=False, **parts)


def page_query(page: int, per_page: int, most: int) -> dict[str, str]:
    """``page`` and ``per_page`` of a Laravel paginator, checked (``per_page`` at most ``most``)."""
    if page < 1:
        raise ValueError(f"page must be at least 1, got {page}")
    if not 1 <= per_page <= most:
        raise ValueError(f"per_page must be between 1 and {most}, got {per_page}")
    return {"page": str(page), "per_page": str(per_page)}


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


def _text(value: Any) -> str:
    """A message from the answer: strings and numbers as text, anything else (a nested
    structure a hostile server could make arbitrarily deep) left out."""
    return str(value) if value and isinstance(value, str | int | float) else ""


def _field_errors(payload: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for source in (meta.get("errors"), payload.get("errors")):
        if isinstance(source, Mapping):
            for name, messages in source.items():
                items = messages if isinstance(messages, list) else [messages]
                texts = [text for text in map(_text, items) if text]
                errors.setdefault(str(name), []).extend(texts)
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
    except (ValueError, RecursionError):  # invalid JSON or UTF-8; nested beyond the stack
        payload = None
    if not isinstance(payload, Mapping):
        cls = _error_class(status, "", "", path) if 400 <= status < 500 else IPPanelServerError
        _raise(cls, status, "", "the answer is not a JSON envelope", {}, headers, summary)
    meta = payload.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    ok_flag = meta.get("status", 200 <= status < 300)
    if 200 <= status < 300 and ok_flag is not False:
        return payload.get("data"), meta
    code = _text(meta.get("message_code"))
    message = _text(meta.get("message"))
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


UNEXPECTED_SHAPE = (
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    ArithmeticError,
    RecursionError,
)
"""What decoding an answer of the wrong shape can raise: a missing key or row, a string where a
list was, ``1e400`` where an int was, a structure nested deeper than the stack."""


def parse_response(
    request: ApiRequest[T], status: int, headers: Mapping[str, str], body: bytes
) -> T:
    """Check the envelope of an answer to ``request`` and decode its data."""
    data, meta = parse_envelope(status, headers, body, path=request.path, summary=request.summary)
    try:
        return request.decode(data, meta)
    except UNEXPECTED_SHAPE as exc:
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


def decode_object(item: Callable[[Any], T]) -> Decoder[T]:
    """One object: ``item`` decodes the answer's data."""
    return lambda data, meta: item(data)


def decode_page(item: Callable[[Any], T], page: int, per_page: int) -> Decoder[Page[T]]:
    """A paginated list: ``item`` decodes each row; Laravel's paginator fields come from
    ``meta`` (the page asked for when they are missing)."""

    def decode(data: Any, meta: Mapping[str, Any]) -> Page[T]:
        items = [item(row) for row in data or []]
        current = to_int(meta.get("current_page")) or page
        return Page(
            items=items,
            current_page=current,
            last_page=to_int(meta.get("last_page")) or current,
            per_page=to_int(meta.get("per_page")) or per_page,
            total=to_int(meta.get("total")) or len(items),
        )

    return decode


_MOVED = {
    "login": ("login", ("username", "password")),
    "send_sms_otp": ("send_sms_otp", ("token",)),
    "confirm_otp": ("confirm_otp", ("token", "otp")),
    "forgot_password": ("forgot_password", ("username", "mobile")),
    "change_password_by_token": ("change_password_by_token", ("token", "otp", "password")),
    "logout": ("logout", ()),
    "check_token": ("check_token", ()),
    "get_credit": ("get_credit", ()),
    "cancel_scheduled": ("cancel_scheduled", ("outbox_id",)),
    "calculate_price": ("calculate_price", ("message", "sender")),
    "outbox_report": ("outbox_report", ("page", "limit", "filters")),
    "bulk_report": ("bulk_report", ("outbox_id",)),
    "bulk_stats": ("bulk_stats", ("outbox_id",)),
    "bulk_recipients": ("bulk_recipients", ("outbox_id", "page", "per_page")),
}
"""Request builders that lived here before each operation was declared once in ``api.py``."""


def __getattr__(name: str) -> Any:
    """Deprecated aliases: ``protocol.<operation>(...)`` builds the request that
    ``IPPanelApi.<operation>`` sends first."""
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import warnings

    from .api import IPPanelApi, first_request  # the declaration sits above this module

    warnings.warn(
        f"ippanel_provider.client.protocol.{name}() is deprecated; the request is declared "
        f"once by IPPanelApi.{name} (ippanel_provider.client.api.first_request)",
        DeprecationWarning,
        stacklevel=2,
    )
    method, positional = _MOVED[name]

    def build(*args: Any, **kwargs: Any) -> ApiRequest[Any]:
        kwargs.update(zip(positional, args, strict=False))
        return first_request(getattr(IPPanelApi, method), **kwargs)

    return build
