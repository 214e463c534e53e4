"""Draft groups and drafts over HTTP: full CRUD, limits, documented errors, tenant isolation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sandbox_support import SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api


async def groups(api: Api, key: str | None = None, **params: Any) -> list[dict[str, Any]]:
    kw = {} if key is None else {"key": key}
    _, body = await api.call("draft_group_list", "GET", "/api/user/draft/group/list",
                             params=params, expect=200, **kw)  # fmt: skip
    rows: list[dict[str, Any]] = body["data"]
    return rows


async def drafts(api: Api, **params: Any) -> list[dict[str, Any]]:
    _, body = await api.call("draft_list", "GET", "/api/user/draft/list", params=params,
                             expect=200)  # fmt: skip
    rows: list[dict[str, Any]] = body["data"]
    return rows


async def done(api: Api, method: str, path: str, body: Any, expect: int = 200, **kw: Any) -> Any:
    _, answer = await api.call("done", method, path, json=body, expect=expect, **kw)
    return answer["meta"]


async def test_draft_groups_and_drafts_full_cycle(api: Api) -> None:
    before = int(api.backend.clock.now())
    await done(api, "POST", "/api/user/draft/group", {"title": "عنوان گروه پیش‌نویس"})
    await done(api, "POST", "/api/user/draft/group", {"title": "دوم"})
    [first, second] = await groups(api)
    now = first["time"]  # the sandbox clock, in whole seconds
    assert before <= now <= api.backend.clock.now()
    assert first == {"title": "عنوان گروه پیش‌نویس", "draft_group_id": 10001,
                     "user_id": 58745, "time": now}  # fmt: skip
    await done(api, "PUT", "/api/user/draft/group", {"draft_group_id": 10002, "title": "نو"})
    assert [g["title"] for g in await groups(api)] == ["عنوان گروه پیش‌نویس", "نو"]
    await done(api, "POST", "/api/user/draft", {"draft_group_id": 10001, "message": "تست"})
    await done(api, "POST", "/api/user/draft", {"draft_group_id": "10002", "message": "دو"})
    await done(api, "POST", "/api/user/draft", {"draft_group_id": 10002, "message": "سه"})
    assert [d["message"] for d in await drafts(api)] == ["تست", "دو", "سه"]
    listed = await drafts(api, draft_group_id=10002)
    assert all(now <= d.pop("time") <= api.backend.clock.now() for d in listed)
    assert listed == [
        {"draft_group_id": 10002, "user_id": 58745, "draft_id": 30002, "message": "دو",
         "type": "normal"},
        {"draft_group_id": 10002, "user_id": 58745, "draft_id": 30003, "message": "سه",
         "type": "normal"},
    ]  # fmt: skip
    await done(api, "PUT", "/api/user/draft", {"draft_id": 30002, "message": "دو بار"})
    await done(api, "POST", "/api/user/draft/delete", {"draft_ids": [30001]})
    assert [d["message"] for d in await drafts(api)] == ["دو بار", "سه"]
    await done(api, "POST", "/api/user/draft/group/delete", {"draft_group_id": 10002})
    assert await drafts(api) == []
    assert [g["draft_group_id"] for g in await groups(api)] == [10001]
    assert second["draft_group_id"] == 10002


async def test_another_users_groups_and_drafts_are_not_found(api: Api) -> None:
    await done(api, "POST", "/api/user/draft/group", {"title": "mine"})
    await done(api, "POST", "/api/user/draft", {"draft_group_id": 10001, "message": "x"})
    assert await groups(api, SMS_API_KEY) == []
    other = {"key": SMS_API_KEY}
    for method, path, body in [
        ("PUT", "/api/user/draft/group", {"draft_group_id": 10001, "title": "t"}),
        ("POST", "/api/user/draft/group/delete", {"draft_group_id": 10001}),
        ("POST", "/api/user/draft", {"draft_group_id": 10001, "message": "x"}),
        ("PUT", "/api/user/draft", {"draft_id": 30001, "message": "x"}),
        ("POST", "/api/user/draft/delete", {"draft_ids": [30001]}),
    ]:
        meta = await done(api, method, path, body, 404, **other)
        assert meta["message_code"] == "404-1"
    assert [d["message"] for d in await drafts(api)] == ["x"]


async def test_deleting_drafts_is_all_or_nothing(api: Api) -> None:
    await done(api, "POST", "/api/user/draft/group", {"title": "g"})
    await done(api, "POST", "/api/user/draft", {"draft_group_id": 10001, "message": "x"})
    await done(api, "POST", "/api/user/draft/delete", {"draft_ids": [30001, 39999]}, 404)
    assert len(await drafts(api)) == 1


async def test_limits_of_20_groups_and_200_drafts(api: Api) -> None:
    for i in range(20):
        await done(api, "POST", "/api/user/draft/group", {"title": f"g{i}"})
    meta = await done(api, "POST", "/api/user/draft/group", {"title": "one more"}, 400)
    assert meta["message_code"] == "400-1"
    assert meta["message"] == "حداکثر 20 گروه پیش‌نویس می‌توانید بسازید"
    assert len(await groups(api, per_page=100)) == 20
    assert len(await groups(api)) == 10  # the documented page of 10
    for i in range(200):
        api.backend.drafts.add_draft(api.account(), 10001 + i % 20, f"d{i}")
    one_more = {"draft_group_id": 10001, "message": "x"}
    meta = await done(api, "POST", "/api/user/draft", one_more, 400)
    assert meta["message_code"] == "400-1"


@pytest.mark.parametrize(
    ("method", "path", "body", "errors"),
    [
        ("POST", "/api/user/draft/group", {}, {"title": ["تکمیل گزینه title الزامی است"]}),
        ("PUT", "/api/user/draft/group", {"draft_group_id": 1, "title": ""},
         {"title": ["تکمیل گزینه title الزامی است"]}),
        ("POST", "/api/user/draft", {},
         {"draft_group_id": ["تکمیل گزینه draft group id الزامی است"],
          "message": ["تکمیل گزینه message الزامی است"]}),
        ("PUT", "/api/user/draft", {},
         {"draft_id": ["تکمیل گزینه draft id الزامی است"],
          "message": ["تکمیل گزینه message الزامی است"]}),
        ("POST", "/api/user/draft", {"draft_group_id": 1, "message": "x" * 1401},
         {"message": ["گزینه message نباید بیشتر از 1400 نویسه باشد"]}),
        ("POST", "/api/user/draft/delete", {"draft_ids": []},
         {"draft_ids": ["گزینه draft ids باید حداقل 1 مورد داشته باشد"]}),
    ],
)  # fmt: skip
async def test_invalid_bodies_are_the_documented_422(
    api: Api, method: str, path: str, body: Any, errors: dict[str, list[str]]
) -> None:
    meta = await done(api, method, path, body, 422)
    assert meta["message_code"] == "400-2"
    assert meta["errors"] == errors
    more = sum(map(len, errors.values())) - 1
    first = next(iter(errors.values()))[0]
    assert meta["message"] == (f"{first} (و {more} خطای دیگر)" if more else first)


async def test_an_empty_group_filter_is_refused_as_documented(api: Api) -> None:
    _, body = await api.call("draft_list", "GET", "/api/user/draft/list?draft_group_id=",
                             expect=422)  # fmt: skip
    assert body["meta"]["errors"] == {"draft_group_id": ["تکمیل گزینه draft group id الزامی است"]}


async def test_drafts_need_a_key(api: Api) -> None:
    await done(api, "POST", "/api/user/draft/group", {"title": "t"}, 401, key="bad")
    await api.call("draft_list", "GET", "/api/user/draft/list", key=None, expect=401)
