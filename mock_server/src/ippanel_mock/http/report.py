"""/api/report/*: outbox list, one bulk, its stats and its recipients; always the caller's own."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from ippanel_mock.http.base import MAX_ID
from ippanel_mock.http.body_specs import JsonBody
from ippanel_mock.http.envelope import dump_bytes, ok, paginated, paginated_json
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.http.params import path, query
from ippanel_mock.models.errors import (
    MSG_BULK_NOT_FOUND,
    MSG_INVALID_STATE,
    BulkNotFound,
    InvalidStateFilter,
)
from ippanel_mock.models.inbox import MESSAGE_TYPE, ReceivedMessage
from ippanel_mock.models.outbox import STATE_NAMES, BulkFilters, OutboxBulk, Phase

REPORT_TYPES = {"votp": "sendvoice"}
STATS_BLOCKS: dict[int | None, str] = {
    None: "operators_pending",
    0: "operators_pending",
    1: "operators_sent",
    2: "operators_delivered",
    3: "operators_failed",
    4: "operators_blacklist",
}
MAX_PER_PAGE = 1000
MAX_PAGE = 10**9
DIGITS = re.compile(r"[0-9]{1,18}")
"""ASCII digits only: str.isdigit() also passes "¹", which int() then rejects."""
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
STATE_ID_DOCUMENTED = {
    "description": "0..9 (see the spec's state_id table); any other value is answered with "
    "422 and message_code 400-31, as the spec shows",
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 9},
        {"type": "string", "pattern": "^(0*[0-9])?$"},
    ],
}
NOT_FOUND = {BulkNotFound: (404, "404-1")}

routes = Operations("public")


def with_documented_state_id(schema: dict[str, Any]) -> dict[str, Any]:
    """The new_list request as documented: the route accepts any state_id so that it can answer
    400-31 like IPPanel does, but only 0..9 are valid values."""
    filters = schema["properties"]["filters"]
    properties = {**filters["properties"], "state_id": STATE_ID_DOCUMENTED}
    return {**schema, "properties": {**schema["properties"], "filters": {**filters,
            "properties": properties}}}  # fmt: skip


def bulk_record(bulk: OutboxBulk, now: float) -> dict[str, Any]:
    """The spec's outbox fields, numbers as strings where the spec shows strings."""
    state = bulk.state_id(now)
    state_name, state_fa = STATE_NAMES[state]
    return {
        "username": bulk.username,
        "number_color": None,
        "number": bulk.sender,
        "number_id": None,
        "messages_outbox_id": str(bulk.id),
        "state": state_name,
        "type": REPORT_TYPES.get(bulk.sending_type, bulk.sending_type),
        "time_send": str(int(bulk.start_at)),
        "time": str(int(bulk.created_at)),
        "rcpts_count": str(bulk.size),
        "exit_count": str(bulk.exit_count(now)),
        "status": state_fa,
        "partner_id": None,
        "in_delivery_line": 0,
        "valid": "approve",
        "message": bulk.text,
        "part": str(bulk.parts),
        "cost": bulk.cost,
        "summary": bulk.summary,
        "user_ip": bulk.user_ip,
        "user_id": str(bulk.user_id),
        "files_path": None,
        "parent_id": None,
        "state_id": state,
    }


def _int_or_none(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def parse_filters(raw: dict[str, Any]) -> BulkFilters:
    """Filters already passed the schema (digits only); state_id is checked here (400-31)."""
    state = raw.get("state_id")
    state_id: int | None = None
    if state is not None and state != "":
        text = str(int(state)) if isinstance(state, float) and state.is_integer() else str(state)
        if not DIGITS.fullmatch(text) or int(text) not in STATE_NAMES:
            raise InvalidStateFilter(MSG_INVALID_STATE)
        state_id = int(text)
    return BulkFilters(
        number=raw.get("number") or None,
        messages_outbox_id=_int_or_none(raw.get("messages_outbox_id")),
        create_from=_int_or_none(raw.get("create_from_date")),
        create_to=_int_or_none(raw.get("create_to_date")),
        send_from=_int_or_none(raw.get("send_from_date")),
        send_to=_int_or_none(raw.get("send_to_date")),
        from_exit_count=_int_or_none(raw.get("from_exit_count")),
        to_exit_count=_int_or_none(raw.get("to_exit_count")),
        message=raw.get("message") or None,
        state_id=state_id,
    )


@routes.post(
    "/api/report/new_list",
    "Outbox report, paginated",
    body=JsonBody("report_new_list", optional=True, documented=with_documented_state_id),
    response="report_new_list",
    errors={InvalidStateFilter: (422, "400-31")},
)
async def new_list(call: Call) -> web.Response:
    body = call.body
    page, limit = int(body.get("page", 1)), int(body.get("limit", 10))
    raw_filters = body.get("filters") or {}
    bulks = call.backend.outbox_report(
        call.user, parse_filters(raw_filters), username=raw_filters.get("username")
    )
    now = call.backend.clock.now()
    window = bulks[(page - 1) * limit : page * limit]
    return paginated(
        [bulk_record(b, now) for b in window],
        page=page,
        per_page=limit,
        total=len(bulks),
        path=call.request.path,
    )


def _single(call: Call, bulk: OutboxBulk) -> web.Response:
    record = bulk_record(bulk, call.backend.clock.now())
    record["return"] = 0
    record["reject_comment"] = None
    return ok(record)


@routes.post(
    "/api/report/by_bulk/{bulk_id}",
    "One bulk of the outbox",
    params=(path("bulk_id", ID_SCHEMA),),
    body=JsonBody("report_by_bulk", optional=True),
    response="report_by_bulk",
    errors=NOT_FOUND,
)
async def by_bulk_post(call: Call) -> web.Response:
    raw = call.request.match_info["bulk_id"]
    if not DIGITS.fullmatch(raw):
        raise BulkNotFound(MSG_BULK_NOT_FOUND)
    return _single(call, call.backend.bulk_of(call.user, int(raw)))


@routes.get(
    "/api/report/by_bulk",
    "One bulk of the outbox (later edition)",
    params=(query("messages_outbox_id", ID_SCHEMA, required=True),),
    response="report_by_bulk",
    errors=NOT_FOUND,
)
async def by_bulk_get(call: Call) -> web.Response:
    return _single(call, call.backend.bulk_of(call.user, call.query["messages_outbox_id"]))


@routes.get(
    "/api/report/bulk_stats",
    "Delivery statistics of a bulk",
    params=(query("bulk_id", ID_SCHEMA, required=True),),
    response="bulk_stats",
    errors=NOT_FOUND,
)
async def bulk_stats(call: Call) -> web.Response:
    bulk = call.backend.bulk_of(call.user, call.query["bulk_id"])
    now = call.backend.clock.now()
    blocks = {
        block: {op: {"fa": 0, "en": 0} for op in ("irancell", "mci")}
        for block in dict.fromkeys(STATS_BLOCKS.values())
    }
    blocks["operators_failed"] = {op: {"fa": 0, "en": 0} for op in ("irancell", "mci")}
    forced = bulk.phase(now) is Phase.FORCED
    for op, by_status in bulk.status_counts(now).items():
        if op == "other":
            continue
        for status, count in by_status.items():
            block = "operators_failed" if forced else STATS_BLOCKS[status]
            blocks[block][op][bulk.encoding] += count
    return ok(blocks)


@routes.get(
    "/api/report/recipients",
    "Recipients of a bulk with their message_status, paginated",
    params=(
        query("bulk_id", ID_SCHEMA, required=True),
        query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        query(
            "per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10}
        ),
    ),
    response="recipients",
    errors=NOT_FOUND,
)
async def recipients(call: Call) -> web.Response:
    bulk = call.backend.bulk_of(call.user, call.query["bulk_id"])
    page, per_page = call.query["page"], call.query["per_page"]
    now = call.backend.clock.now()
    items, count = recipient_rows_json(bulk, now, (page - 1) * per_page, per_page)
    return paginated_json(
        items, count, page=page, per_page=per_page, total=bulk.size, path=call.request.path
    )


def recipient_rows_json(bulk: OutboxBulk, now: float, offset: int, limit: int) -> tuple[bytes, int]:
    """One page of recipient rows as a JSON array (UTF-8), and how many rows it holds.

    The same bytes as encoding the dicts {"recipient", "message", "is_readable", "msg_parts",
    "message_status"} of `bulk.page()`, built from per-request fixed parts around the stored
    digits: a row's status only depends on the bulk's phase and the number's last four digits
    (0000-0004 are the magic ones), so a page where every row has the same status (a bulk
    without them, or a page of the bulk without one) is one join.
    """
    digits = bulk.digits(offset, limit)
    count = len(digits)
    if not count:
        return b"[]", 0
    phase = bulk.phase(now)
    other = _status_json(bulk.status_of(MAGIC_FREE_NUMBER, phase))
    head = b'{"recipient":"+98'
    middle = b"".join(
        (b'","message":', dump_bytes(bulk.text), b',"is_readable":true,"msg_parts":"',
         str(bulk.parts).encode(), b'","message_status":')
    )  # fmt: skip
    if not bulk.all_delivered:
        tokens = {b"000%d" % n: _status_json(bulk.status_of(n, phase)) for n in range(5)}
        magic = {last4 for last4, token in tokens.items() if token != other}
        if magic and any(d[6:] in magic for d in digits):
            rows = [b"".join((head, d, middle, tokens.get(d[6:], other), b"}")) for d in digits]
            return b"".join((b"[", b",".join(rows), b"]")), count
    between = b"".join((middle, other, b"},", head))
    return b"".join((b"[", head, between.join(digits), middle, other, b"}]")), count


MAGIC_FREE_NUMBER = 9_120_000_005
"""A national number whose last four digits are not 0000-0004: its final status is the usual."""


def _status_json(status: int | None) -> bytes:
    return b"null" if status is None else b'"%d"' % status


def inbox_record(message: ReceivedMessage, seen: bool) -> dict[str, Any]:
    return {
        "messages_inbox_id": message.id,
        "from": message.sender,
        "number": message.number,
        "message": message.text,
        "type": MESSAGE_TYPE,
        "time": int(message.time),
        "seen": "1" if seen else "0",
    }


@routes.post(
    "/api/report/messages-inbox",
    "Messages received on the caller's lines, newest first; filters.from_id for new ones only",
    body=JsonBody("report_messages_inbox", optional=True),
    response="report_messages_inbox",
)
async def messages_inbox(call: Call) -> web.Response:
    body = call.body
    page, per_page = int(body.get("page", 1)), int(body.get("per_page", 10))
    after = (body.get("filters") or {}).get("from_id")
    window, total = call.backend.inbox.read_page(
        call.user.username,
        after_id=0 if after is None else int(after),
        page=page,
        per_page=per_page,
    )
    items = [inbox_record(message, seen) for message, seen in window]
    return paginated(items, page=page, per_page=per_page, total=total, path=call.request.path)
