"""Credit, cancel of scheduled sends, price calculator."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from sandbox_support import API_KEY, SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api


def webservice(recipients: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "sending_type": "webservice", "from_number": "+983000505", "message": "hello",
        "params": {"recipients": recipients}, **extra,
    }  # fmt: skip


def utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


async def get_credit(api: Api, key: str = API_KEY) -> float:
    _, body = await api.call("credit", "GET", "/api/payment/credit/mine", key=key, expect=200)
    value: float = body["data"]["credit"]
    return value


async def test_credit_reflects_sends(api: Api) -> None:
    before = await get_credit(api)
    assert before == 1e12
    await api.send_ids(webservice(["09121234567"]))
    assert await get_credit(api) == before - 3325
    await api.call("credit", "GET", "/api/payment/credit/mine", key="bad", expect=401)


async def cancel(api: Api, bulk_id: object, expect: int) -> dict[str, Any]:
    _, body = await api.call(
        "cancel", "POST", "/api/send/cancel", json={"message_outbox_id": bulk_id}, expect=expect
    )
    return body


async def test_cancel_a_scheduled_send_refunds_and_sets_state_7(api: Api) -> None:
    before = await get_credit(api)
    at = api.backend.clock.now() + 3600
    [bulk_id] = await api.send_ids(webservice(["09121234567"], send_time=utc(at)))
    assert await get_credit(api) == before - 3325
    await cancel(api, bulk_id, 200)
    assert await get_credit(api) == before
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 7
    await cancel(api, bulk_id, 400)


async def test_cancel_too_late_or_unscheduled_is_a_business_error(api: Api) -> None:
    [soon] = await api.send_ids(
        webservice(["09121234567"], send_time=utc(api.backend.clock.now() + 240))
    )
    [now] = await api.send_ids(webservice(["09121234567"]))
    for bulk_id in (soon, now):
        body = await cancel(api, bulk_id, 400)
        assert body["meta"]["message_code"] == "400-1"
    _, body = await api.bulk(soon, expect=200)
    assert body["data"]["state_id"] == 5


async def test_cancel_unknown_or_foreign_is_404(api: Api) -> None:
    [theirs] = await api.send_ids(
        webservice(["09121234567"], send_time=utc(api.backend.clock.now() + 3600)),
        key=SMS_API_KEY,
    )
    await cancel(api, theirs, 404)
    await cancel(api, 42, 404)
    body = await cancel(api, "abc", 422)
    assert "message_outbox_id" in body["meta"]["errors"]


@pytest.mark.parametrize(
    ("message", "parts", "price"),
    [("تست", 1, 1330), ("a" * 161, 2, 2 * 3325), ("س" * 71, 2, 2 * 1330)],
)
async def test_calculate_price(api: Api, message: str, parts: int, price: int) -> None:
    _, body = await api.call(
        "calculate_price", "POST", "/api/send/calculate-price",
        json={"number": "+983000505", "message": message}, expect=200,
    )  # fmt: skip
    assert body["data"] == {"mci_price": price, "other_price": price, "parts": parts}


async def test_calculate_price_requires_a_message(api: Api) -> None:
    _, body = await api.call(
        "calculate_price", "POST", "/api/send/calculate-price",
        json={"number": "+983000505"}, expect=422,
    )  # fmt: skip
    assert body["meta"]["errors"] == {"message": ["تکمیل گزینه پیام الزامی است"]}


async def test_a_cancel_refunds_only_what_was_debited(api: Api) -> None:
    """Issue 9, item 7: a bulk stored in state 8 (not enough credit, nothing debited), set back
    to follow the clock by the admin API and then canceled, must not create credit."""
    await api.client.post(
        "/__sandbox/users",
        json={"username": "poor", "mobile": "09121110000", "api_key": "poor-key", "credit": 10},
    )
    at = api.backend.clock.now() + 3600
    [bulk_id] = await api.send_ids(webservice(["09121234567"], send_time=utc(at)), key="poor-key")
    _, body = await api.bulk(bulk_id, key="poor-key", expect=200)
    assert body["data"]["state_id"] == 8
    assert await get_credit(api, "poor-key") == 10
    resp = await api.client.post(f"/__sandbox/bulks/{bulk_id}/state", json={"state_id": None})
    assert resp.status == 200
    _, body = await api.bulk(bulk_id, key="poor-key", expect=200)
    assert body["data"]["state_id"] == 5
    await api.call(
        "cancel", "POST", "/api/send/cancel", json={"message_outbox_id": bulk_id},
        key="poor-key", expect=200,
    )  # fmt: skip
    assert await get_credit(api, "poor-key") == 10
