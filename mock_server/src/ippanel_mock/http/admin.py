"""Admin API under /__sandbox (JSON, for QA engineers) and GET /healthz.

Errors are `{"error": "..."}` with a 4xx status; bad input changes nothing. When the config sets
`admin_token`, every /__sandbox route needs the header `X-Sandbox-Admin-Token`.
"""

from __future__ import annotations

import functools
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ippanel_mock.http.auth import BACKEND
from ippanel_mock.http.chaos import CHAOS
from ippanel_mock.http.ratelimit import RATE_LIMITER
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.journal import JournalFilter
from ippanel_mock.models.messages import CapturedMessage, MessageFilter
from ippanel_mock.models.phones import InvalidRecipient, national_number, normalize_recipient

ADMIN_PREFIX = "/__sandbox"
ADMIN_TOKEN_HEADER = "X-Sandbox-Admin-Token"
MAX_PER_PAGE = 1000
MAX_WAIT_SECONDS = 120.0
DEFAULT_WAIT_SECONDS = 30.0
MESSAGE_STATUSES = (0, 1, 2, 3, 4)
_OTP_CODE = re.compile(r"\d{4,10}")

AdminHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class AdminError(Exception):
    """Turned into `{"error": message, **extra}` with `status` by the admin wrapper."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def json_response(data: Any, *, status: int = 200) -> web.Response:
    """JSON with Persian text left readable (UTF-8), not \\u-escaped."""
    return web.json_response(data, status=status, dumps=_readable_dumps)


_readable_dumps = functools.partial(json.dumps, ensure_ascii=False)


def json_error(status: int, message: str, **extra: Any) -> web.Response:
    return json_response({"error": message, **extra}, status=status)


def backend_of(request: web.Request) -> SandboxBackend:
    return request.app[BACKEND]


def admin_route(handler: AdminHandler) -> AdminHandler:
    """Check the admin token (if configured) and render AdminError as JSON."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        expected = backend_of(request).config.admin_token
        if expected:
            given = request.headers.get(ADMIN_TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return json_error(401, f"missing or wrong {ADMIN_TOKEN_HEADER} header")
        try:
            return await handler(request)
        except AdminError as exc:
            return json_error(exc.status, exc.message, **exc.extra)

    return wrapped


async def read_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object: 400 if it is not JSON, 422 if not an object."""
    raw = await request.read()
    if not raw.strip():
        raise AdminError(400, "request body must be a JSON object")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AdminError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise AdminError(422, "request body must be a JSON object")
    return body


def _number(request: web.Request, name: str) -> float | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise AdminError(400, f"{name} must be a number") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise AdminError(400, f"{name} must be a finite number >= 0")
    return value


def int_param(
    request: web.Request, name: str, default: int | None, lo: int, hi: int | None = None
) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
        raise AdminError(400, f"{name} must be an integer")
    value = int(raw)
    if value < lo or (hi is not None and value > hi):
        bound = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
        raise AdminError(400, f"{name} must be {bound}")
    return value


def paging(request: web.Request) -> tuple[int, int]:
    page = int_param(request, "page", 1, 1, 1_000_000) or 1
    per_page = int_param(request, "per_page", 50, 1, MAX_PER_PAGE) or 50
    return page, per_page


def message_status(backend: SandboxBackend, msg: CapturedMessage) -> int | None:
    """The recipient's message_status as the report would show it now (None: not sent/OTP)."""
    if msg.bulk_id is None:
        return None
    bulk = backend.outbox.get_any(msg.bulk_id)
    if bulk is None:
        return None
    try:
        national = national_number(msg.recipient)
    except InvalidRecipient:
        return None
    return bulk.status_of(national, bulk.phase(backend.clock.now()))


def message_filter(request: web.Request, backend: SandboxBackend) -> MessageFilter:
    """Filters from the query string: recipient, sender, text, bulk_id, status, since, until,
    user, sending_type."""
    q = request.query
    recipient = q.get("recipient") or None
    if recipient is not None:
        try:
            recipient = normalize_recipient(recipient)
        except (InvalidRecipient, ValueError):
            raise AdminError(400, "recipient is not an Iranian mobile number") from None
    status = int_param(request, "status", None, 0, 4)
    since, until = _number(request, "since"), _number(request, "until")

    def has_status(msg: CapturedMessage) -> bool:
        return message_status(backend, msg) == status

    return MessageFilter(
        recipient=recipient,
        sender=q.get("sender") or None,
        text=q.get("text") or None,
        bulk_id=int_param(request, "bulk_id", None, 0),
        user=q.get("user") or None,
        sending_type=q.get("sending_type") or None,
        since=since,
        until=until,
        extra=has_status if status is not None else None,
    )


def render_message(backend: SandboxBackend, msg: CapturedMessage) -> dict[str, object]:
    return {**msg.as_dict(), "message_status": message_status(backend, msg)}


def page_body(items: list[Any], total: int, page: int, per_page: int) -> dict[str, Any]:
    return {
        "items": items,
        "total": total,
        "page": page,
        "per_page": per_page,
        "last_page": max(1, -(-total // per_page)),
    }


# -- messages, OTP, journal -----------------------------------------------------------------


@admin_route
async def list_messages(request: web.Request) -> web.Response:
    backend = backend_of(request)
    flt = message_filter(request, backend)
    page, per_page = paging(request)
    result = backend.messages.query(flt, page=page, per_page=per_page)
    items = [render_message(backend, m) for m in result.items]
    return json_response(page_body(items, result.total, page, per_page))


@admin_route
async def latest_message(request: web.Request) -> web.Response:
    backend = backend_of(request)
    found = backend.messages.latest(message_filter(request, backend))
    if found is None:
        raise AdminError(404, "no captured message matches the filters")
    return json_response(render_message(backend, found))


@admin_route
async def wait_for_message(request: web.Request) -> web.Response:
    """Long-poll: the first matching message captured after the call (or since `since`)."""
    backend = backend_of(request)
    flt = message_filter(request, backend)
    timeout = _number(request, "timeout")
    timeout = DEFAULT_WAIT_SECONDS if timeout is None else timeout
    if not 0 <= timeout <= MAX_WAIT_SECONDS:
        raise AdminError(400, f"timeout must be from 0 to {MAX_WAIT_SECONDS:g} seconds")
    found = await backend.messages.wait_for(
        flt, timeout=timeout, include_existing=flt.since is not None
    )
    if found is None:
        raise AdminError(408, f"no matching message arrived within {timeout:g} s")
    return json_response(render_message(backend, found))


@admin_route
async def delete_messages(request: web.Request) -> web.Response:
    backend = backend_of(request)
    flt = message_filter(request, backend)
    has_filter = any(k in request.query and request.query[k] for k in MESSAGE_FILTER_PARAMS)
    return json_response({"deleted": backend.messages.delete(flt if has_filter else None)})


MESSAGE_FILTER_PARAMS = (
    "recipient", "sender", "text", "bulk_id", "status", "since", "until", "user", "sending_type",
)  # fmt: skip


@admin_route
async def latest_otp(request: web.Request) -> web.Response:
    backend = backend_of(request)
    username = request.match_info["username"]
    if backend.users.get(username) is None:
        raise AdminError(404, f"no user named {username!r}")
    msg = backend.messages.latest(MessageFilter(user=username, sending_type="otp"))
    match = _OTP_CODE.search(msg.text) if msg is not None else None
    if msg is None or match is None:
        raise AdminError(404, f"no OTP captured for user {username!r}")
    return json_response(
        {"username": username, "code": match.group(), "message": render_message(backend, msg)}
    )


@admin_route
async def list_requests(request: web.Request) -> web.Response:
    backend = backend_of(request)
    flt = JournalFilter(
        method=request.query.get("method") or None,
        path=request.query.get("path") or None,
        status=int_param(request, "status", None, 100, 599),
    )
    page, per_page = paging(request)
    items, total = backend.journal.query(flt, page=page, per_page=per_page)
    return json_response(page_body([e.as_dict() for e in items], total, page, per_page))


@admin_route
async def clear_requests(request: web.Request) -> web.Response:
    journal = backend_of(request).journal
    count = len(journal)
    journal.clear()
    return json_response({"deleted": count})


# -- setup --------------------------------------------------------------------------------


def reset_sandbox(app: web.Application) -> None:
    """Seeded start state: backend (users, patterns, outbox, messages, journal, clock),
    no chaos rules with a re-seeded generator, and the configured rate limit."""
    backend = app[BACKEND]
    backend.reset()
    if CHAOS in app:
        app[CHAOS].reset(backend.config.seed)
    if RATE_LIMITER in app:
        app[RATE_LIMITER].configure(backend.config.rate_limit, backend.config.rate_burst)


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


def setup_admin(app: web.Application) -> None:
    """Register /__sandbox/* and /healthz."""
    from ippanel_mock.http import admin_state

    p = ADMIN_PREFIX
    routes: list[tuple[str, str, AdminHandler]] = [
        ("GET", "/messages", list_messages),
        ("DELETE", "/messages", delete_messages),
        ("GET", "/messages/latest", latest_message),
        ("GET", "/messages/wait", wait_for_message),
        ("GET", "/otp/{username}", latest_otp),
        ("GET", "/requests", list_requests),
        ("DELETE", "/requests", clear_requests),
        *admin_state.ROUTES,
    ]
    app.router.add_get("/healthz", healthz, allow_head=False)
    for method, path, handler in routes:
        app.router.add_route(method, p + path, handler)
