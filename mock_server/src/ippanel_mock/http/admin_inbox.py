"""Admin API, the inbox: inject received SMS, auto-reply rules, read and delete both.

Errors are `{"error": "..."}` with a 4xx status (422s add `"fields"`); bad input changes nothing.
"""

from __future__ import annotations

from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX, ID_SCHEMA, PAGE_PARAMS, page_body
from ippanel_mock.http.admin_state import parse_time
from ippanel_mock.http.body_specs import JsonBody
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path as path_param
from ippanel_mock.http.params import query
from ippanel_mock.models.autoreply import AutoReplyError
from ippanel_mock.models.errors import InvalidFields, LimitReached, UnknownAddressee
from ippanel_mock.models.inbox import ReceivedMessage
from ippanel_mock.models.phones import InvalidRecipient, normalize_recipient

INBOX = ADMIN_PREFIX + "/inbox"
RULES = ADMIN_PREFIX + "/autoreplies"
INBOX_FILTERS = (
    query("user", {"type": "string"}),
    query("from", {"type": "string"}, "the sending phone, in any accepted number form"),
    query("number", {"type": "string"}, "the line it arrived on"),
    query("text", {"type": "string"}, "substring of the text"),
)
MESSAGE_ID = (path_param("message_id", ID_SCHEMA),)
RULE_ID = (path_param("rule_id", ID_SCHEMA),)

routes = Operations("admin")


def phone(value: str | None) -> str | None:
    """A number filter in its stored form (+989…); anything else is compared as given."""
    if value is None:
        return None
    try:
        return normalize_recipient(value)
    except InvalidRecipient:
        return value


def matches(call: Call, message: ReceivedMessage, sender: str | None) -> bool:
    q = call.query
    return (
        (q["user"] is None or message.user == q["user"])
        and (sender is None or message.sender == sender)
        and (q["number"] is None or message.number == q["number"])
        and (q["text"] is None or q["text"] in message.text)
    )


def path_id(call: Call, name: str) -> int:
    raw = call.request.match_info[name]
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise AdminError(400, f"{name} must be a positive integer")
    return int(raw)


@routes.post(
    INBOX,
    "Receive an SMS on a line (now, or when the clock passes `time`)",
    body=JsonBody("admin_inbox_message"),
    response="admin_inbox_injected",
    status=201,
    errors={UnknownAddressee: 404, InvalidFields: 422},
)
async def inject(call: Call) -> web.Response:
    body = call.body
    at = parse_time(body["time"]) if "time" in body else None
    sent = call.backend.inject_message(
        body["from"], body["to"], body["text"], at=at, username=body.get("user")
    )
    return json_response({"items": [p.as_dict() for p in sent]}, status=201)


@routes.get(
    INBOX,
    "Received messages of every user, newest first (what has arrived by the sandbox clock)",
    params=INBOX_FILTERS + PAGE_PARAMS,
    response="admin_inbox_page",
)
async def list_inbox(call: Call) -> web.Response:
    inbox = call.backend.inbox
    sender = phone(call.query["from"])
    found = [m.as_dict() for m in inbox.messages() if matches(call, m, sender)]
    page, per_page = call.query["page"], call.query["per_page"]
    body = page_body(found[(page - 1) * per_page : page * per_page], len(found), page, per_page)
    return json_response({**body, "pending": inbox.pending})


@routes.delete(INBOX, "Delete every received and due message", response="admin_deleted")
async def clear_inbox(call: Call) -> web.Response:
    return json_response({"deleted": call.backend.inbox.delete_all()})


@routes.get(
    INBOX + "/{message_id}",
    "One received message",
    params=MESSAGE_ID,
    response="admin_inbox_message",
    statuses=(400, 404),
)
async def get_received(call: Call) -> web.Response:
    message_id = path_id(call, "message_id")
    found = call.backend.inbox.get(message_id)
    if found is None:
        raise AdminError(404, f"no received message with id {message_id}")
    return json_response(found.as_dict())


@routes.delete(
    INBOX + "/{message_id}",
    "Delete one received message",
    params=MESSAGE_ID,
    response="admin_deleted",
    statuses=(400, 404),
)
async def delete_received(call: Call) -> web.Response:
    message_id = path_id(call, "message_id")
    if not call.backend.inbox.delete(message_id):
        raise AdminError(404, f"no received message with id {message_id}")
    return json_response({"deleted": 1})


@routes.post(
    RULES,
    "Add an auto-reply rule: a number that answers the SMS it receives",
    body=JsonBody("admin_autoreply_create"),
    response="admin_autoreply",
    status=201,
    errors={AutoReplyError: 422, LimitReached: 409},
)
async def add_rule(call: Call) -> web.Response:
    body = call.body
    rule = call.backend.autoreplies.add(
        body["number"],
        body["reply"],
        delay=float(body.get("delay", 0)),
        match=body.get("match"),
        times=body.get("times"),
    )
    return json_response(rule.as_dict(), status=201)


@routes.get(RULES, "Auto-reply rules in the order they are tried", response="admin_autoreply_list")
async def list_rules(call: Call) -> web.Response:
    return json_response({"items": [r.as_dict() for r in call.backend.autoreplies.rules]})


@routes.delete(RULES, "Remove every auto-reply rule", response="admin_deleted")
async def clear_rules(call: Call) -> web.Response:
    return json_response({"deleted": call.backend.autoreplies.clear()})


@routes.get(
    RULES + "/{rule_id}",
    "One auto-reply rule",
    params=RULE_ID,
    response="admin_autoreply",
    statuses=(400, 404),
)
async def get_rule(call: Call) -> web.Response:
    rule_id = path_id(call, "rule_id")
    rule = call.backend.autoreplies.get(rule_id)
    if rule is None:
        raise AdminError(404, f"no auto-reply rule with id {rule_id}")
    return json_response(rule.as_dict())


@routes.delete(
    RULES + "/{rule_id}",
    "Remove one auto-reply rule (its replies still due never come)",
    params=RULE_ID,
    response="admin_deleted",
    statuses=(400, 404),
)
async def delete_rule(call: Call) -> web.Response:
    rule_id = path_id(call, "rule_id")
    if not call.backend.autoreplies.remove(rule_id):
        raise AdminError(404, f"no auto-reply rule with id {rule_id}")
    return json_response({"deleted": 1})
