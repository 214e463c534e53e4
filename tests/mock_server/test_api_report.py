"""Report routes over HTTP: list and filters, one bulk, stats, recipients, isolation, lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from ippanel_mock import SandboxConfig
from sandbox_support import GA_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

NOT_FOUND = "پیام مورد نظر یافت نشد"


def webservice(recipients: list[str], message: str = "سلام") -> dict[str, Any]:
    return {
        "sending_type": "webservice", "from_number": "+983000505", "message": message,
        "params": {"recipients": recipients},
    }  # fmt: skip


async def new_list(api: Api, body: dict[str, Any], expect: int = 200, **kw: Any) -> dict[str, Any]:
    _, result = await api.call(
        "report_new_list", "POST", "/api/report/new_list", json=body, expect=expect, **kw
    )
    return result


async def test_new_list_pages_newest_first_with_laravel_meta(api: Api) -> None:
    ids = [(await api.send_ids(webservice(["09121234567"], f"m{i}")))[0] for i in range(5)]
    page = await new_list(api, {"page": 2, "limit": 2})
    assert [int(r["messages_outbox_id"]) for r in page["data"]] == [ids[2], ids[1]]
    meta = page["meta"]
    assert (meta["current_page"], meta["from"], meta["to"]) == (2, 3, 4)
    assert (meta["last_page"], meta["per_page"], meta["total"]) == (3, 2, 5)
    assert meta["path"] == "/api/report/new_list"
    empty = await new_list(api, {"page": 9, "limit": 2})
    assert empty["data"] == []
    assert empty["meta"]["from"] is None


async def test_new_list_filters(api: Api) -> None:
    now = int(api.backend.clock.now())
    [a] = await api.send_ids(webservice(["09121234567"], "تست یک"))
    [b] = await api.send_ids(webservice(["09121234567", "09351234567"], "other"))
    api.backend.clock.advance(100)
    [c] = await api.send_ids({**webservice(["09121234567"], "later"), "from_number": "+9810001"})

    async def ids(filters: dict[str, Any]) -> list[int]:
        page = await new_list(api, {"filters": filters})
        return [int(r["messages_outbox_id"]) for r in page["data"]]

    assert await ids({"message": "تست"}) == [a]
    assert await ids({"number": "+9810001"}) == [c]
    assert await ids({"messages_outbox_id": str(b)}) == [b]
    assert await ids({"create_from_date": str(now + 50)}) == [c]
    assert await ids({"create_to_date": str(now + 50)}) == [b, a]
    assert await ids({"send_from_date": str(now + 50), "send_to_date": str(now + 500)}) == [c]
    assert await ids({"from_exit_count": 2, "to_exit_count": 100}) == [b]
    assert await ids({"state_id": "6"}) == [b, a]
    assert await ids({"state_id": 2}) == [c]
    assert await ids({"username": "*"}) == [c, b, a]
    assert await ids({"username": "someone-else"}) == []


@pytest.mark.parametrize("state", ["10", "x", -1, "6.5"])
async def test_invalid_state_is_400_31_like_the_spec(api: Api, state: object) -> None:
    body = await new_list(api, {"filters": {"state_id": state}}, expect=422)
    assert body["meta"]["message_code"] == "400-31"
    assert body["meta"]["message"] == "invalid state"


async def test_new_list_bad_page_is_422(api: Api) -> None:
    body = await new_list(api, {"page": 0, "limit": "ten"}, expect=422)
    assert set(body["meta"]["errors"]) == {"page", "limit"}


async def test_by_bulk_both_editions_return_the_same_record(api: Api) -> None:
    [bulk_id] = await api.send_ids(webservice(["09121234567", "09351234567"], "hello"))
    _, via_get = await api.bulk(bulk_id, expect=200)
    _, via_post = await api.call(
        "report_by_bulk", "POST", f"/api/report/by_bulk/{bulk_id}",
        json={"page": 1, "limit": 10}, expect=200,
    )  # fmt: skip
    assert via_get["data"] == via_post["data"]
    record = via_get["data"]
    assert record["messages_outbox_id"] == str(bulk_id)
    assert record["rcpts_count"] == "2"
    assert record["cost"] == 2 * 3325
    assert record["message"] == "hello"


async def test_missing_and_bad_ids_are_422_and_unknown_is_404(api: Api) -> None:
    for path in ("/api/report/bulk_stats", "/api/report/recipients"):
        route = "bulk_stats" if "stats" in path else "recipients"
        _, body = await api.call(route, "GET", path, expect=422)
        assert body["meta"]["errors"] == {"bulk_id": ["تکمیل گزینه bulk_id الزامی است"]}
        _, body = await api.call(route, "GET", path, params={"bulk_id": "abc"}, expect=422)
        _, body = await api.call(route, "GET", path, params={"bulk_id": "1"}, expect=404)
        assert (body["meta"]["message_code"], body["meta"]["message"]) == ("404-1", NOT_FOUND)
    await api.call("report_by_bulk", "GET", "/api/report/by_bulk", expect=422)
    await api.call("report_by_bulk", "POST", "/api/report/by_bulk/123", expect=404)


async def test_tenants_never_see_each_others_bulks(api: Api) -> None:
    [theirs] = await api.send_ids(webservice(["09121234567"]), key=GA_API_KEY)
    await api.bulk(theirs, expect=404)
    await api.call(
        "bulk_stats", "GET", "/api/report/bulk_stats", params={"bulk_id": str(theirs)}, expect=404
    )
    await api.call(
        "recipients", "GET", "/api/report/recipients", params={"bulk_id": str(theirs)}, expect=404
    )
    assert (await new_list(api, {}))["meta"]["total"] == 0
    mine = await new_list(api, {}, key=GA_API_KEY)
    assert [int(r["messages_outbox_id"]) for r in mine["data"]] == [theirs]


MAGIC = ["09121230000", "09121230001", "09351230002", "09121230003", "09351230004", "09121234567"]


async def test_lifecycle_and_magic_numbers_over_clock_advances(api: Api) -> None:
    [bulk_id] = await api.send_ids(webservice(MAGIC))

    async def statuses() -> list[str | None]:
        return [r["message_status"] for r in (await api.recipients(bulk_id))["data"]]

    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 2
    assert await statuses() == ["0"] * 6
    api.backend.clock.advance(5)
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 6
    assert await statuses() == ["0", "1", "1", "1", "1", "1"]
    api.backend.clock.advance(5)
    assert await statuses() == ["0", "1", "2", "3", "4", "2"]


async def test_bulk_stats_follow_final_statuses(api: Api) -> None:
    [bulk_id] = await api.send_ids(webservice(MAGIC, "latin"))
    api.backend.clock.advance(60)
    _, body = await api.call(
        "bulk_stats", "GET", "/api/report/bulk_stats", params={"bulk_id": str(bulk_id)},
        expect=200,
    )  # fmt: skip
    stats = body["data"]
    assert stats["operators_pending"]["mci"] == {"fa": 0, "en": 1}
    assert stats["operators_sent"]["mci"] == {"fa": 0, "en": 1}
    assert stats["operators_delivered"]["irancell"] == {"fa": 0, "en": 1}
    assert stats["operators_delivered"]["mci"] == {"fa": 0, "en": 1}
    assert stats["operators_failed"]["mci"] == {"fa": 0, "en": 1}
    assert stats["operators_blacklist"]["irancell"] == {"fa": 0, "en": 1}


async def test_recipients_paginate(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    numbers = [f"0912{1000000 + i}" for i in range(25)]
    [bulk_id] = await api.send_ids(webservice(numbers))
    page = await api.recipients(bulk_id, page=3, per_page=10)
    assert [r["recipient"] for r in page["data"]] == [f"+98912{1000020 + i}" for i in range(5)]
    assert (page["meta"]["from"], page["meta"]["to"], page["meta"]["last_page"]) == (21, 25, 3)
    assert page["data"][0]["msg_parts"] == "1"
    _, body = await api.call(
        "recipients", "GET", "/api/report/recipients",
        params={"bulk_id": str(bulk_id), "per_page": "0"}, expect=422,
    )  # fmt: skip
    assert list(body["meta"]["errors"]) == ["per_page"]


async def test_history_fills_the_report(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(history=12, seed=5))
    body = await new_list(api, {"limit": 100})
    assert body["meta"]["total"] == 12
    now = api.backend.clock.now()
    times = [int(r["time"]) for r in body["data"]]
    assert times == sorted(times, reverse=True)
    assert all(now - 30 * 86400 <= t <= now for t in times)
    assert {r["state_id"] for r in body["data"]} == {6}


async def test_new_list_filters_compare_what_the_report_shows(api: Api) -> None:
    """The semantics a rerun's reconciliation relies on: time bounds are inclusive and in the
    whole seconds the report shows as ``time``; ``message`` finds the text inside longer ones,
    exactly as written (case and Persian letters); ``number`` is the sender line in E.164."""
    api.backend.clock.advance((0.7 - api.backend.clock.now() % 1) % 1)  # a bulk at N.7 seconds
    [bulk] = await api.send_ids(webservice(["09121234567"], "Sale today: 20% off"))
    shown = int((await new_list(api, {}))["data"][0]["time"])

    async def ids(filters: dict[str, Any]) -> list[int]:
        page = await new_list(api, {"filters": filters})
        return [int(r["messages_outbox_id"]) for r in page["data"]]

    second = str(shown)
    assert await ids({"create_from_date": second, "create_to_date": second}) == [bulk]
    assert await ids({"create_from_date": str(shown + 1)}) == []
    assert await ids({"create_to_date": str(shown - 1)}) == []
    assert await ids({"message": "Sale today: 20% off"}) == [bulk]
    assert await ids({"message": "20% off"}) == [bulk]
    assert await ids({"message": "sale today"}) == []
    assert await ids({"message": "Sale today: 20% off!"}) == []
    assert await ids({"number": "+983000505", "message": "Sale"}) == [bulk]
    assert await ids({"number": "+9810001", "message": "Sale"}) == []
