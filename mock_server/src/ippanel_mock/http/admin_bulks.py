"""Admin API over the outbox of every user: bulks newest first, one bulk's stats, its recipients.

The public reports show one user's bulks through that user's key; QA (and the web UI) need all
of them at once, with the cost and lifecycle the sandbox computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX, ID_SCHEMA, PAGE_PARAMS, page_body
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path, query
from ippanel_mock.models.outbox import STATE_NAMES, OutboxBulk

_ID = re.compile(r"[0-9]{1,18}")
MAX_IDS = 200
IDS_PATTERN = rf"^[0-9]{{1,18}}(,[0-9]{{1,18}}){{0,{MAX_IDS - 1}}}$"
STATUS_ORDER = (None, 0, 1, 2, 3, 4)
BULKS = ADMIN_PREFIX + "/bulks"
BULK_FILTERS = (
    query(
        "ids",
        {"type": "string", "pattern": IDS_PATTERN},
        f"up to {MAX_IDS} bulk ids, comma separated",
    ),
    query("user", {"type": "string"}),
    query("sender", {"type": "string"}),
    query("text", {"type": "string"}, "substring of the bulk's text"),
    query("state_id", {"type": "integer", "minimum": 0, "maximum": 9}, "state_id right now"),
    query("since", {"type": "number", "minimum": 0}, "created at or after (sandbox-clock seconds)"),
    query(
        "until", {"type": "number", "minimum": 0}, "created at or before (sandbox-clock seconds)"
    ),
)
BULK_ID = (path("bulk_id", ID_SCHEMA),)

routes = Operations("admin")


def render_bulk(bulk: OutboxBulk, now: float) -> dict[str, Any]:
    state_id = bulk.state_id(now)
    return {
        "id": bulk.id,
        "user": bulk.username,
        "sender": bulk.sender,
        "text": bulk.text,
        "sending_type": bulk.sending_type,
        "created_at": bulk.created_at,
        "send_at": bulk.start_at,
        "state_id": state_id,
        "state": STATE_NAMES[state_id][0],
        "recipients": bulk.size,
        "parts": bulk.parts,
        "encoding": bulk.encoding,
        "cost": bulk.cost,
        "cost_per_message": bulk.cost / bulk.size if bulk.size else 0.0,
    }


def bulk_filter(call: Call) -> Callable[[OutboxBulk, float], bool] | None:
    """A predicate from the query string (None when no filter is given)."""
    q = call.query
    raw_ids = q["ids"]
    if raw_ids is not None and not re.fullmatch(IDS_PATTERN, raw_ids):
        raise AdminError(400, f"ids must be up to {MAX_IDS} bulk ids separated by commas")
    if all(q[p.name] is None for p in BULK_FILTERS):
        return None
    ids = frozenset(int(i) for i in raw_ids.split(",")) if raw_ids else None
    user, sender, text, state_id = q["user"], q["sender"], q["text"], q["state_id"]
    since, until = q["since"], q["until"]

    def matches(bulk: OutboxBulk, now: float) -> bool:
        return (
            (ids is None or bulk.id in ids)
            and (user is None or bulk.username == user)
            and (sender is None or bulk.sender == sender)
            and (text is None or text in bulk.text)
            and (since is None or bulk.created_at >= since)
            and (until is None or bulk.created_at <= until)
            and (state_id is None or bulk.state_id(now) == state_id)
        )

    return matches


def _bulk(call: Call) -> OutboxBulk:
    raw_id = call.request.match_info["bulk_id"]
    if not _ID.fullmatch(raw_id):
        raise AdminError(400, "bulk id must be a positive integer")
    bulk = call.backend.outbox.get_any(int(raw_id))
    if bulk is None:
        raise AdminError(404, f"no bulk with id {raw_id}")
    return bulk


@routes.get(
    BULKS,
    "Every user's bulks, newest first, with lifecycle state, parts and cost",
    params=BULK_FILTERS + PAGE_PARAMS,
    response="admin_bulk_page",
)
async def list_bulks(call: Call) -> web.Response:
    """Unfiltered pages are sliced, not scanned."""
    matches = bulk_filter(call)
    page, per_page = call.query["page"], call.query["per_page"]
    now = call.backend.clock.now()
    bulks = call.backend.outbox.all()
    start = (page - 1) * per_page
    if matches is None:
        total = len(bulks)
        chosen = bulks[max(0, total - start - per_page) : max(0, total - start)][::-1]
    else:
        found = [b for b in reversed(bulks) if matches(b, now)]
        total, chosen = len(found), found[start : start + per_page]
    items = [render_bulk(b, now) for b in chosen]
    return json_response(page_body(items, total, page, per_page))


@routes.get(
    BULKS + "/{bulk_id}",
    "One bulk with its recipients counted by message_status (in all and per operator)",
    params=BULK_ID,
    response="admin_bulk_detail",
    statuses=(400, 404),
)
async def get_bulk(call: Call) -> web.Response:
    bulk = _bulk(call)
    now = call.backend.clock.now()
    totals: dict[int | None, int] = {}
    rows = []
    for operator, counts in bulk.status_counts(now).items():
        for status in STATUS_ORDER:
            count = counts.get(status, 0)
            if count:
                rows.append({"operator": operator, "message_status": status, "count": count})
                totals[status] = totals.get(status, 0) + count
    by_status = [{"message_status": s, "count": totals[s]} for s in STATUS_ORDER if s in totals]
    return json_response({**render_bulk(bulk, now), "by_status": by_status, "by_operator": rows})


@routes.get(
    BULKS + "/{bulk_id}/recipients",
    "A page of one bulk's recipients with their message_status now (O(page size))",
    params=BULK_ID + PAGE_PARAMS,
    response="admin_bulk_recipient_page",
    statuses=(400, 404),
)
async def bulk_recipients(call: Call) -> web.Response:
    bulk = _bulk(call)
    page, per_page = call.query["page"], call.query["per_page"]
    rows = bulk.page(call.backend.clock.now(), (page - 1) * per_page, per_page)
    items = [{"recipient": number, "message_status": status} for number, status in rows]
    return json_response(page_body(items, bulk.size, page, per_page))
