"""A user's own patterns over HTTP: create, list, get by code, update, delete, the review on
the sandbox clock, and sends by pattern with the stored variables."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import pytest
import requests
from ippanel_mock import SandboxConfig
from sandbox_support import AUTH, SMS_API_KEY, sandbox_process

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

NEW = {
    "title": "test pattern",
    "description": "پترن تستی",
    "is_share": False,
    "message": "پترن تستی %var% . کد شما %code%",
    "website": "https://yoursite.com",
    "variable": [{"name": "var", "type": "string"}, {"name": "code", "type": "integer"}],
}


async def create(api: Api, body: dict[str, Any] = NEW, **kw: Any) -> dict[str, Any]:
    _, answer = await api.call("pattern_saved", "POST", "/api/user/pattern", json=body,
                               expect=200, **kw)  # fmt: skip
    data: dict[str, Any] = answer["data"]
    return data


async def get(api: Api, code: str, expect: int = 200, **kw: Any) -> dict[str, Any]:
    _, answer = await api.call("pattern", "GET", f"/api/patterns/{code}", expect=expect, **kw)
    return answer


async def listed(api: Api, **params: str) -> list[dict[str, Any]]:
    _, answer = await api.call("pattern_list", "GET", "/api/patterns", params=params,
                               expect=200)  # fmt: skip
    rows: list[dict[str, Any]] = answer["data"]
    return rows


def by_pattern(code: str, params: dict[str, str], **kw: Any) -> dict[str, Any]:
    return {"sending_type": "pattern", "from_number": "+983000505", "code": code,
            "recipients": ["09121234567"], "params": params, **kw}  # fmt: skip


async def test_a_new_pattern_is_pending_then_active_on_the_sandbox_clock(api: Api) -> None:
    now = api.backend.clock.now()
    saved = await create(api)
    assert saved["pattern_status"] == "pending"
    assert saved["username"] == "sandbox"
    assert saved["pattern_message"] == NEW["message"]
    assert saved["variable"] == [{"name": "var", "type": "string", "len": 40},
                                 {"name": "code", "type": "integer", "len": 40}]  # fmt: skip
    assert int(now) <= saved["time"] <= api.backend.clock.now()
    assert len(saved["pattern_code"]) == 14
    assert "pattern_status_fa" not in saved  # create answers fewer fields than a read
    code = saved["pattern_code"]
    data = (await get(api, code))["data"]
    assert (data["pattern_status"], data["pattern_status_id"], data["admin_comment"]) == (
        "pending", 0, None)  # fmt: skip
    api.backend.clock.advance(2)
    data = (await get(api, code))["data"]
    assert (data["pattern_status"], data["pattern_status_fa"], data["pattern_status_id"]) == (
        "active", "فعال", 1)  # fmt: skip
    assert data["admin_comment"] == "متن پترن مورد تائید است."
    assert (data["pattern_type"], data["readonly"], data["user_id"]) == ("normal", False, "58745")


@pytest.mark.parametrize("path", ["/api/user/pattern", "/api/patterns/normal"])
async def test_both_documented_create_paths_work(api: Api, path: str) -> None:
    _, answer = await api.call("pattern_saved", "POST", path, json=NEW, expect=200)
    assert answer["meta"]["message_code"] == "200-1"
    assert len(api.backend.patterns.own(api.account())) == 1


async def test_a_pattern_sends_only_once_approved_with_its_stored_variables(api: Api) -> None:
    code = (await create(api))["pattern_code"]
    status, body = await api.send(by_pattern(code, {"var": "علی", "code": "1234"}))
    assert (status, body["meta"]["message_code"]) == (400, "400-1")
    assert body["meta"]["message"] == "پترن مورد نظر هنوز تایید نشده است"
    api.backend.clock.advance(2)
    status, body = await api.send(by_pattern(code, {"var": "علی", "code": "12a"}))
    assert status == 422
    assert body["meta"]["errors"] == {"params.code": ["گزینه code باید از نوع عدد صحیح باشد"]}
    status, body = await api.send(by_pattern(code, {"var": "x" * 41, "other": "1"}))
    assert body["meta"]["errors"] == {
        "params.code": ["تکمیل گزینه code الزامی است"],
        "params.other": ["متغیر other در این الگو تعریف نشده است"],
        "params.var": ["گزینه var نباید بیشتر از 40 نویسه باشد"],
    }
    assert api.backend.outbox.count() == 0
    [bulk] = await api.send_ids(by_pattern(code, {"var": "علی", "code": "1234"}))
    latest = api.backend.messages.latest()
    assert latest is not None
    assert (latest.text, latest.bulk_id) == ("پترن تستی علی . کد شما 1234", bulk)


async def test_a_description_saying_reject_is_rejected(api: Api) -> None:
    code = (await create(api, {**NEW, "description": "please REJECT this"}))["pattern_code"]
    api.backend.clock.advance(2)
    data = (await get(api, code))["data"]
    assert (data["pattern_status"], data["pattern_status_fa"], data["pattern_status_id"]) == (
        "inactive", "رد شده", 2)  # fmt: skip
    assert data["admin_comment"].startswith("لطفا نام مجموعه")
    _, body = await api.send(by_pattern(code, {"var": "a", "code": "1"}), expect=400)
    assert body["meta"]["message"] == "پترن مورد نظر رد شده است"


async def test_update_changes_the_pattern_and_restarts_the_review(api: Api) -> None:
    code = (await create(api))["pattern_code"]
    api.backend.clock.advance(2)
    change = {
        "title": "Updated Pattern", "description": "Updated description", "is_share": True,
        "message": "Updated message with %var%", "variable": [{"name": "var", "type": "string"}],
    }  # fmt: skip
    _, body = await api.call("pattern_saved", "PUT", f"/api/patterns/normal/{code}", json=change,
                             expect=200)  # fmt: skip
    data = body["data"]
    assert (data["pattern_code"], data["pattern_status"], data["pattern_is_share"]) == (
        code, "pending", True)  # fmt: skip
    assert data["variable"] == [{"name": "var", "type": "string", "len": 40}]
    await api.send(by_pattern(code, {"var": "v"}), expect=400)
    api.backend.clock.advance(2)
    await api.send_ids(by_pattern(code, {"var": "v"}))
    latest = api.backend.messages.latest()
    assert latest is not None
    assert latest.text == "Updated message with v"


async def test_delete_removes_it_for_reads_and_sends(api: Api) -> None:
    code = (await create(api))["pattern_code"]
    _, body = await api.call("done", "DELETE", f"/api/patterns/normal/{code}", expect=200)
    assert body["data"] is None
    body = await get(api, code, expect=404)
    assert body["meta"]["message"] == "پترن مورد نظر یافت نشد"
    await api.call("done", "DELETE", f"/api/patterns/normal/{code}", expect=404)
    await api.send(by_pattern(code, {}), expect=400)


async def test_another_users_pattern_is_not_found_anywhere(api: Api) -> None:
    code = (await create(api))["pattern_code"]
    api.backend.clock.advance(2)
    other = {"key": SMS_API_KEY}
    await get(api, code, expect=404, **other)
    await api.call("pattern_saved", "PUT", f"/api/patterns/normal/{code}", json=NEW,
                   expect=404, **other)  # fmt: skip
    await api.call("done", "DELETE", f"/api/patterns/normal/{code}", expect=404, **other)
    _, body = await api.send(by_pattern(code, {"var": "a", "code": "1"}), key=SMS_API_KEY)
    assert (body["meta"]["message_code"], body["meta"]["message"]) == (
        "400-1", "الگوی مورد نظر یافت نشد")  # fmt: skip
    _, answer = await api.call("pattern_list", "GET", "/api/patterns", expect=200, **other)
    assert code not in [p["pattern_code"] for p in answer["data"]]
    await get(api, code)


async def test_shared_patterns_are_readable_systemic_and_read_only(api: Api) -> None:
    data = (await get(api, "sandbox-otp"))["data"]
    assert (data["pattern_type"], data["readonly"], data["pattern_status"]) == (
        "systemic", True, "active")  # fmt: skip
    assert data["pattern_message"] == "کد تایید شما: %code%"
    await api.call("pattern_saved", "PUT", "/api/patterns/normal/sandbox-otp", json=NEW,
                   expect=404)  # fmt: skip
    await api.call("done", "DELETE", "/api/patterns/normal/sandbox-otp", expect=404)
    assert api.backend.patterns.get("sandbox-otp") is not None


async def test_list_newest_first_with_every_filter(api: Api) -> None:
    first = (await create(api))["pattern_code"]
    api.backend.clock.advance(10)
    second = (await create(api, {**NEW, "title": "دوم", "is_share": True}))["pattern_code"]
    api.backend.clock.advance(1)
    third = (await create(api, {**NEW, "title": None}))["pattern_code"]
    codes = [p["pattern_code"] for p in await listed(api)]
    assert codes[:3] == [third, second, first]
    assert set(codes[3:]) == {"sandbox-otp", "sandbox-welcome", "sandbox-order"}
    assert [p["pattern_code"] for p in await listed(api, per_page="2", page="2")] == [
        first, codes[3]]  # fmt: skip
    assert [p["pattern_code"] for p in await listed(api, **{"filter[type]": "normal"})] == [
        third, second, first]  # fmt: skip
    assert len(await listed(api, **{"filter[type]": "systemic"})) == 3
    assert [p["pattern_code"] for p in await listed(api, **{"filter[code]": second})] == [second]
    assert [p["pattern_code"] for p in await listed(api, **{"filter[title]": "test"})] == [first]
    assert [p["pattern_code"] for p in await listed(api, **{"filter[state]": "pending"})] == [
        third, second]  # fmt: skip
    assert [p["pattern_code"] for p in await listed(
        api, **{"filter[state]": "active", "filter[type]": "normal"})] == [first]  # fmt: skip
    shared = await listed(api, **{"filter[is_share]": "1", "filter[type]": "normal"})
    assert [p["pattern_code"] for p in shared] == [second]


async def test_empty_filters_are_refused_as_documented(api: Api) -> None:
    _, body = await api.call("pattern_list", "GET", "/api/patterns?filter[code]=&filter[title]=",
                             expect=422)  # fmt: skip
    assert body["meta"] == {
        "status": False, "message": "تکمیل گزینه code الزامی است (و 1 خطای دیگر)",
        "message_parameters": [], "message_code": "400-2",
        "errors": {"code": ["تکمیل گزینه code الزامی است"],
                   "title": ["تکمیل گزینه title الزامی است"]},
    }  # fmt: skip
    _, body = await api.call("pattern_list", "GET", "/api/patterns",
                             params={"filter[state]": "approved"}, expect=422)  # fmt: skip
    assert body["meta"]["errors"] == {"state": ["مقدار انتخاب شده برای state معتبر نیست"]}


async def test_create_names_every_missing_field_the_later_editions_way(api: Api) -> None:
    _, body = await api.call("pattern_saved", "POST", "/api/user/pattern",
                             json={"is_share": False, "variable": [{}]}, expect=422)  # fmt: skip
    assert body["meta"]["errors"] == {
        "description": ["تکمیل گزینه description الزامی است"],
        "message": ["تکمیل گزینه message الزامی است"],
        "variable.0.name": ["تکمیل گزینه variable.0.name الزامی است"],
        "variable.0.type": ["تکمیل گزینه variable.0.type الزامی است"],
    }
    assert body["meta"]["message"] == "تکمیل گزینه description الزامی است (و 3 خطای دیگر)"
    assert api.backend.patterns.own(api.account()) == []


async def test_patterns_need_a_key(api: Api) -> None:
    await api.call("pattern_saved", "POST", "/api/user/pattern", json=NEW, key="x", expect=401)
    await api.call("pattern_list", "GET", "/api/patterns", key=None, expect=401)
    await get(api, "sandbox-otp", expect=401, key="x")


async def test_without_a_review_delay_a_pattern_is_active_at_once(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(pattern_review_delay=0))
    saved = await create(api)
    assert saved["pattern_status"] == "active"
    await api.send_ids(by_pattern(saved["pattern_code"], {"var": "a", "code": "1"}))


async def test_reset_forgets_users_patterns_and_codes_repeat_per_seed(api: Api) -> None:
    first = (await create(api))["pattern_code"]
    api.backend.reset()
    assert api.backend.patterns.own(api.account()) == []
    assert (await create(api))["pattern_code"] == first


async def test_the_admin_api_decides_a_review_at_once(api: Api) -> None:
    code = (await create(api))["pattern_code"]
    review = f"/__sandbox/patterns/{code}/review"
    response = await api.client.post(review, json={"status": "inactive"})
    assert await response.json() == {"code": code, "user": "sandbox", "status": "inactive"}
    assert (await get(api, code))["data"]["pattern_status"] == "inactive"
    await api.client.post(review, json={"status": "active"})
    await api.send_ids(by_pattern(code, {"var": "a", "code": "1"}))
    response = await api.client.post(review, json={"status": None})
    assert (await response.json())["status"] == "pending"
    response = await api.client.post("/__sandbox/patterns/sandbox-otp/review",
                                     json={"status": "active"})  # fmt: skip
    assert response.status == 404
    response = await api.client.post(review, json={"status": "approved"})
    assert response.status == 422


def first_pattern_code(*args: str, hash_seed: str) -> str:
    """The code of the first pattern created on a fresh `ippanel-mock` process."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    with sandbox_process(*args, env=env) as sandbox:
        answer = requests.post(
            f"{sandbox.url}/api/user/pattern", headers=AUTH, json=NEW, timeout=10
        )
    code: str = answer.json()["data"]["pattern_code"]
    return code


def test_codes_are_the_same_for_the_same_seed_across_processes() -> None:
    """The README's claim, on fresh processes (each with its own string hashing)."""
    first = first_pattern_code("--seed", "0", hash_seed="1")
    assert re.fullmatch(r"[a-z0-9]{14}", first)
    assert first_pattern_code("--seed", "0", hash_seed="2") == first


async def test_another_seed_gives_other_codes(api: Api, make_api: AppFactory) -> None:
    other = await make_api(SandboxConfig(seed=1))
    assert (await create(other))["pattern_code"] != (await create(api))["pattern_code"]
