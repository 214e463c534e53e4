"""Credit balance, cancel a scheduled send, price calculator (the later edition's endpoints)."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from ippanel_mock.http.body_specs import JsonBody
from ippanel_mock.http.envelope import ok
from ippanel_mock.http.operations import Call, Operations
from ippanel_mock.models.errors import BulkNotFound, NotCancelable

routes = Operations("public")


@routes.get("/api/payment/credit/mine", "Credit balance", response="credit")
async def credit(call: Call) -> web.Response:
    user = call.user
    now = datetime.fromtimestamp(call.backend.clock.now(), UTC)
    return ok(
        {
            "credit": float(user.credit),
            "yesterday_credit": float(user.credit),
            "gift": 0,
            "gift_expires_at": None,
            "updated_at": now.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )


@routes.post(
    "/api/send/cancel",
    "Cancel a scheduled send",
    body=JsonBody("cancel"),
    response="cancel",
    errors={BulkNotFound: (404, "400-1"), NotCancelable: (400, "400-1")},  # as documented
)
async def cancel(call: Call) -> web.Response:
    call.backend.cancel(call.user, int(call.body["message_outbox_id"]))
    return ok(None)


@routes.post(
    "/api/send/calculate-price",
    "Parts and price of a message",
    body=JsonBody("calculate_price"),
    response="calculate_price",
)
async def calculate_price(call: Call) -> web.Response:
    quote = call.backend.calculate_price(call.body["message"])
    return ok({"mci_price": quote.price, "other_price": quote.price, "parts": quote.parts})
