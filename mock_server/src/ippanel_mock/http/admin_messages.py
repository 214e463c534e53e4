"""Admin API, read side: captured messages (filters, latest, long-poll, delete), OTPs, journal.

Errors are `{"error": "..."}` with a 4xx status; bad input changes nothing.
"""

from __future__ import annotations

import re

from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX, PAGE_PARAMS, page_body
from ippanel_mock.http.base import MAX_ID, MOBILE_PATTERN
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path, query
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.journal import JournalFilter
from ippanel_mock.models.messages import CapturedMessage, MessageFilter
from ippanel_mock.models.phones import InvalidRecipient, national_number, normalize_recipient

MAX_WAIT_SECONDS = 120.0
DEFAULT_WAIT_SECONDS = 30.0
_OTP_CODE = re.compile(r"\d{4,10}")

MESSAGE_FILTERS = (
    query(
        "recipient",
        {"type": "string", "pattern": MOBILE_PATTERN},
        "Iranian mobile number: +989…, 00989…, 989…, 09… or 9…",
    ),
    query("sender", {"type": "string"}),
    query("text", {"type": "string"}, "substring of the message text"),
    query("bulk_id", {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
    query("status", {"type": "integer", "minimum": 0, "maximum": 4}, "message_status right now"),
    query("since", {"type": "number", "minimum": 0}, "sandbox-clock unix seconds"),
    query("until", {"type": "number", "minimum": 0}, "sandbox-clock unix seconds"),
    query("user", {"type": "string"}),
    query("sending_type", {"type": "string"}),
)
MESSAGE_FILTER_NAMES = tuple(p.name for p in MESSAGE_FILTERS)
JOURNAL_FILTERS = (
    query("method", {"type": "string"}),
    query("path", {"type": "string"}, "exact path or glob, e.g. /api/report/*"),
    query("status", {"type": "integer", "minimum": 100, "maximum": 599}),
)
WAIT_TIMEOUT = query(
    "timeout",
    {"type": "number", "minimum": 0, "maximum": MAX_WAIT_SECONDS, "default": DEFAULT_WAIT_SECONDS},
)

routes = Operations("admin")


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


def message_filter(call: Call) -> MessageFilter:
    """The message filters of the query string, all combined."""
    q, backend = call.query, call.backend
    recipient = q["recipient"]
    if recipient is not None:
        try:
            recipient = normalize_recipient(recipient)
        except (InvalidRecipient, ValueError):
            raise AdminError(400, "recipient is not an Iranian mobile number") from None
    status = q["status"]

    def has_status(msg: CapturedMessage) -> bool:
        return message_status(backend, msg) == status

    return MessageFilter(
        recipient=recipient,
        sender=q["sender"],
        text=q["text"],
        bulk_id=q["bulk_id"],
        user=q["user"],
        sending_type=q["sending_type"],
        since=q["since"],
        until=q["until"],
        extra=has_status if status is not None else None,
    )


def render_message(backend: SandboxBackend, msg: CapturedMessage) -> dict[str, object]:
    return {**msg.as_dict(), "message_status": message_status(backend, msg)}


@routes.get(
    ADMIN_PREFIX + "/messages",
    "Captured messages, newest first",
    params=MESSAGE_FILTERS + PAGE_PARAMS,
    response="admin_message_page",
)
async def list_messages(call: Call) -> web.Response:
    backend = call.backend
    page, per_page = call.query["page"], call.query["per_page"]
    result = backend.messages.query(message_filter(call), page=page, per_page=per_page)
    items = [render_message(backend, m) for m in result.items]
    return json_response(page_body(items, result.total, page, per_page))


@routes.delete(
    ADMIN_PREFIX + "/messages",
    "Delete captured messages (all, or those matching the filters)",
    params=MESSAGE_FILTERS,
    response="admin_deleted",
)
async def delete_messages(call: Call) -> web.Response:
    flt = message_filter(call)
    has_filter = any(call.query[name] is not None for name in MESSAGE_FILTER_NAMES)
    return json_response({"deleted": call.backend.messages.delete(flt if has_filter else None)})


@routes.get(
    ADMIN_PREFIX + "/messages/latest",
    "The newest captured message matching the filters",
    params=MESSAGE_FILTERS,
    response="admin_message",
    statuses=(404,),
)
async def latest_message(call: Call) -> web.Response:
    found = call.backend.messages.latest(message_filter(call))
    if found is None:
        raise AdminError(404, "no captured message matches the filters")
    return json_response(render_message(call.backend, found))


@routes.get(
    ADMIN_PREFIX + "/messages/wait",
    "Long-poll for the first matching message captured after the call (or since `since`)",
    params=(*MESSAGE_FILTERS, WAIT_TIMEOUT),
    response="admin_message",
    statuses=(408,),
)
async def wait_for_message(call: Call) -> web.Response:
    """Long-poll: the first matching message captured after the call (or since `since`)."""
    flt, timeout = message_filter(call), call.query["timeout"]
    found = await call.backend.messages.wait_for(
        flt, timeout=timeout, include_existing=flt.since is not None
    )
    if found is None:
        raise AdminError(408, f"no matching message arrived within {timeout:g} s")
    return json_response(render_message(call.backend, found))


@routes.get(
    ADMIN_PREFIX + "/otp/{username}",
    "The latest OTP code sent to a user",
    params=(path("username", {"type": "string"}),),
    response="admin_otp",
    statuses=(404,),
)
async def latest_otp(call: Call) -> web.Response:
    backend = call.backend
    username = call.request.match_info["username"]
    if backend.users.get(username) is None:
        raise AdminError(404, f"no user named {username!r}")
    msg = backend.messages.latest(MessageFilter(user=username, sending_type="otp"))
    match = _OTP_CODE.search(msg.text) if msg is not None else None
    if msg is None or match is None:
        raise AdminError(404, f"no OTP captured for user {username!r}")
    return json_response(
        {"username": username, "code": match.group(), "message": render_message(backend, msg)}
    )


@routes.get(
    ADMIN_PREFIX + "/requests",
    "Request journal, newest first",
    params=JOURNAL_FILTERS + PAGE_PARAMS,
    response="admin_journal_page",
)
async def list_requests(call: Call) -> web.Response:
    q = call.query
    flt = JournalFilter(method=q["method"], path=q["path"], status=q["status"])
    page, per_page = q["page"], q["per_page"]
    items, total = call.backend.journal.query(flt, page=page, per_page=per_page)
    return json_response(page_body([e.as_dict() for e in items], total, page, per_page))


@routes.delete(ADMIN_PREFIX + "/requests", "Clear the request journal", response="admin_deleted")
async def clear_requests(call: Call) -> web.Response:
    journal = call.backend.journal
    count = len(journal)
    journal.clear()
    return json_response({"deleted": count})
