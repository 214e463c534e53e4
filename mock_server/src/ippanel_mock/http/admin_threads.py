"""Admin API, phone threads: one row per phone number, and one number's conversation.

What a phone would show: the SMS the sandbox captured to a number (outgoing) interleaved with
the SMS received from it (incoming: injected or auto-replies), in time order. Computed on read
from the two bounded logs; only the page returned gets its delivery statuses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX, PAGE_PARAMS, page_body
from ippanel_mock.http.admin_messages import render_message
from ippanel_mock.http.base import MOBILE_PATTERN
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path, query
from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.inbox import ReceivedMessage
from ippanel_mock.models.messages import CapturedMessage
from ippanel_mock.models.phones import InvalidRecipient, normalize_recipient
from ippanel_mock.models.threads import ThreadMessage, conversation, threads, time_of

THREADS = ADMIN_PREFIX + "/threads"
PHONE_SCHEMA = {"type": "string", "pattern": MOBILE_PATTERN}
PHONE_FORMS = "Iranian mobile number in any form: +989…, 00989…, 989…, 09…, 9… (Persian digits too)"

PHONE_FILTER = query("phone", PHONE_SCHEMA, "only this number's thread: " + PHONE_FORMS)

routes = Operations("admin")


def phone_of(raw: str, name: str) -> str:
    try:
        return normalize_recipient(raw)
    except InvalidRecipient:
        raise AdminError(400, f"{name} is not an Iranian mobile number") from None


def render_item(backend: SandboxBackend, message: ThreadMessage) -> dict[str, Any]:
    """An SMS of a thread: `out` (captured, with its status now) or `in` (received)."""
    if isinstance(message, CapturedMessage):
        body = render_message(backend, message)
        return {"direction": "out", "time": message.created_at, "message": body}
    return {"direction": "in", "time": time_of(message), "message": message.as_dict()}


@routes.get(
    THREADS,
    "Phone threads: one per number texted or texting, the newest activity first",
    params=(PHONE_FILTER, *PAGE_PARAMS),
    response="admin_thread_page",
    statuses=(400,),
)
async def list_threads(call: Call) -> web.Response:
    backend = call.backend
    captured: Iterable[CapturedMessage] = backend.messages
    received: Iterable[ReceivedMessage] = backend.inbox.oldest_first()
    if call.query["phone"] is not None:
        phone = phone_of(call.query["phone"], "phone")
        captured = [m for m in captured if m.recipient == phone]
        received = [m for m in received if m.sender == phone]
    found = threads(captured, received)
    page, per_page = call.query["page"], call.query["per_page"]
    items = [
        {
            "phone": t.phone,
            "count": t.count,
            "outgoing": t.outgoing,
            "incoming": t.incoming,
            "last": render_item(backend, t.last),
            "last_outgoing": None
            if t.last_outgoing is None
            else render_message(backend, t.last_outgoing),
        }
        for t in found[(page - 1) * per_page : page * per_page]
    ]
    return json_response(page_body(items, len(found), page, per_page))


@routes.get(
    THREADS + "/{phone}",
    "One number's conversation: SMS to it and from it, the newest first",
    params=(path("phone", PHONE_SCHEMA), *PAGE_PARAMS),
    response="admin_thread",
    statuses=(400,),
)
async def get_thread(call: Call) -> web.Response:
    backend = call.backend
    phone = phone_of(call.request.match_info["phone"], "phone")
    found = conversation(phone, backend.messages, backend.inbox.oldest_first())
    page, per_page = call.query["page"], call.query["per_page"]
    window = found[(page - 1) * per_page : page * per_page]
    body = page_body([render_item(backend, m) for m in window], len(found), page, per_page)
    return json_response({"phone": phone, **body})
