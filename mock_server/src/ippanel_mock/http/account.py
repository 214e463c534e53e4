"""Credit balance, cancel a scheduled send, price calculator (the later edition's endpoints)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from ippanel_mock.http.auth import backend_of, json_body, require_user
from ippanel_mock.http.envelope import MSG_NOT_CANCELABLE, MSG_NOT_FOUND, ApiError, ok
from ippanel_mock.models.outbox import CancelOutcome
from ippanel_mock.models.parts import TARIFF_PER_PART, message_parts

routes = web.RouteTableDef()


@routes.get("/api/payment/credit/mine")
async def credit(request: web.Request) -> web.Response:
    user = require_user(request)
    now = datetime.fromtimestamp(backend_of(request).clock.now(), UTC)
    return ok(
        {
            "credit": float(user.credit),
            "yesterday_credit": float(user.credit),
            "gift": 0,
            "gift_expires_at": None,
            "updated_at": now.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )


@routes.post("/api/send/cancel")
async def cancel(request: web.Request) -> web.Response:
    user = require_user(request)
    body = await json_body(request, "cancel")
    outcome = backend_of(request).outbox.cancel(user, int(body["message_outbox_id"]))
    if outcome is CancelOutcome.NOT_FOUND:
        raise ApiError(404, "400-1", MSG_NOT_FOUND)  # as the later edition documents
    if outcome is CancelOutcome.NOT_CANCELABLE:
        raise ApiError(400, "400-1", MSG_NOT_CANCELABLE)
    return ok(None)


@routes.post("/api/send/calculate-price")
async def calculate_price(request: web.Request) -> web.Response:
    require_user(request)
    body = await json_body(request, "calculate_price")
    parts, encoding = message_parts(body["message"])
    price = parts * TARIFF_PER_PART[encoding]
    return ok({"mci_price": price, "other_price": price, "parts": parts})
