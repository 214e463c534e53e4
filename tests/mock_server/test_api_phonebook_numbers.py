"""Numbers in phonebooks over HTTP: store many at once, list with filters, show, update or
move, delete; tenant isolation and the capacity bounds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ippanel_mock import SandboxConfig
from phonebook_api import contacts, new_option, new_phonebook, numbers, store
from sandbox_support import SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

SHOW = "/api/phonebooks/numbers/contact-list/{}"
UPDATE = "/api/phonebooks/numbers/update-new/{}"


def item(number: str, phonebook_id: int, **fields: Any) -> dict[str, Any]:
    return {"number": number, "phonebook_id": str(phonebook_id), **fields}


async def show(api: Api, contact_id: int, expect: int = 200, **kw: Any) -> dict[str, Any]:
    _, body = await api.call("contact", "GET", SHOW.format(contact_id), expect=expect, **kw)
    return body


async def update(api: Api, contact_id: int, body: dict[str, Any], expect: int, **kw: Any) -> Any:
    _, answer = await api.call("done", "PUT", UPDATE.format(contact_id), json=body,
                               expect=expect, **kw)  # fmt: skip
    return answer["meta"]


async def test_store_counts_added_bad_and_existing_numbers(api: Api) -> None:
    debt = await new_option(api, "بدهی", "int")
    birthday = await new_option(api, "تولد", "date")
    book = await new_phonebook(api, options=[debt, birthday])
    outcome = await store(api, [
        item("+989121236547", book, pre="آقای", name="حسن", email="hasan@gmail.com",
             options={str(debt): "15", str(birthday): "1992/10/08"}),
        item("09121236547", book),  # the same number: already there
        item("0912", book),  # not a mobile number
        item("09351112233", book, options={str(debt): "x"}),  # not an int
        item("09351112234", book, options={"999": "1"}),  # not an option of the phonebook
        item("09351112235", book, email="nope"),
    ], expect=201)  # fmt: skip
    assert outcome == {"added": 1, "errors": 4, "existences": 1}
    [row] = await contacts(api)
    assert row == {
        "id": 1001, "phonebook_id": book, "pre": "آقای", "name": "حسن",
        "email": "hasan@gmail.com", "number": "+989121236547", "created_at": row["created_at"],
        "updated_at": row["created_at"], "phonebook_title": "تست",
    }  # fmt: skip
    shown = (await show(api, 1001))["data"]
    assert shown == {**row, "is_send_blacklist": False, "is_receive_blacklist": False, "tags": []}


async def test_store_into_a_phonebook_not_found_stores_nothing(api: Api) -> None:
    book = await new_phonebook(api)
    meta = await store(api, [item("09121234567", book), item("09121234568", 1)], expect=404)
    assert meta["message"] == "دفترچه تلفن مورد نظر یافت نشد"
    assert await contacts(api) == []


async def test_list_filters_and_pages(api: Api) -> None:
    first = await new_phonebook(api, "مشتریان")
    second = await new_phonebook(api, "همکاران")
    await store(api, [item("09121234561", first), item("09121234562", first)], expect=201)
    api.backend.clock.advance(100)
    since = int(api.backend.clock.now())
    await store(api, [item("09121234563", second), item("09121234561", second)], expect=201)
    everything = [c["number"] for c in await contacts(api)]
    assert everything == ["+989121234561", "+989121234562", "+989121234563", "+989121234561"]
    assert await numbers(api, second) == ["+989121234563", "+989121234561"]
    assert len(await contacts(api, phonebook_title="مشتری")) == 2
    rows = await contacts(api, number="۰۹۱۲۱۲۳۴۵۶۱")
    assert [(c["phonebook_title"], c["number"]) for c in rows] == [
        ("مشتریان", "+989121234561"), ("همکاران", "+989121234561")]  # fmt: skip
    assert len(await contacts(api, from_created_at=since)) == 2
    assert [c["number"] for c in await contacts(api, page=2, per_page=3)] == ["+989121234561"]
    _, body = await api.call("contact_list", "GET", "/api/phonebooks/numbers/contact-list",
                             params={"per_page": "3"}, expect=200)  # fmt: skip
    assert (body["meta"]["total"], body["meta"]["last_page"]) == (4, 2)
    _, body = await api.call("contact_list", "GET", "/api/phonebooks/numbers/contact-list",
                             params={"number": "0912"}, expect=422)  # fmt: skip
    assert body["meta"]["errors"] == {"number": ["شماره موبایل معتبر نیست"]}


async def test_update_changes_fields_and_moves_between_phonebooks(api: Api) -> None:
    option = await new_option(api, "تاریخ", "date")
    first = await new_phonebook(api, "یک")
    second = await new_phonebook(api, "دو", options=[option])
    await store(api, [item("09121234561", first), item("09121234562", second)], expect=201)
    created = (await show(api, 1001))["data"]["created_at"]
    api.backend.clock.advance(60)
    await update(api, 1001, {"pre": "Mr.", "name": "name", "number": "+989121236547",
                             "options": {str(option): "2025-05-20"}, "phonebook_id": str(second)},
                 200)  # fmt: skip
    shown = (await show(api, 1001))["data"]
    assert (shown["number"], shown["name"], shown["phonebook_id"]) == (
        "+989121236547", "name", second)  # fmt: skip
    assert shown["created_at"] == created
    assert shown["updated_at"] != created
    assert await numbers(api, first) == []
    assert await numbers(api, second) == ["+989121234562", "+989121236547"]
    meta = await update(api, 1001, {"number": "09121234562", "phonebook_id": second}, 400)
    assert (meta["message_code"], meta["message"]) == (
        "400-1",
        "این شماره در دفترچه تلفن وجود دارد",
    )
    meta = await update(api, 1001, {"number": "0912", "phonebook_id": second,
                                    "options": {"1": "x"}}, 422)  # fmt: skip
    assert meta["errors"] == {"number": ["شماره موبایل معتبر نیست"],
                              "options.1": ["فیلد مورد نظر یافت نشد"]}  # fmt: skip
    meta = await update(api, 1001, {"number": "09121234569"}, 422)
    assert meta["errors"] == {"phonebook_id": ["تکمیل گزینه phonebook id الزامی است"]}
    await update(api, 1001, {"number": "09121234569", "phonebook_id": 5}, 404)
    await update(api, 5, {"number": "09121234569", "phonebook_id": second}, 404)
    assert (await show(api, 1001))["data"]["number"] == "+989121236547"


async def test_delete_is_all_or_nothing(api: Api) -> None:
    book = await new_phonebook(api)
    await store(api, [item("09121234561", book), item("09121234562", book)], expect=201)
    path = "/api/phonebooks/numbers/delete-list"
    await api.call("done", "POST", path, json={"listNumbers": [1001, 7]}, expect=404)
    assert len(await contacts(api)) == 2
    await api.call("done", "POST", path, json={"listNumbers": ["1001"]}, expect=200)
    assert await numbers(api, book) == ["+989121234562"]
    await show(api, 1001, expect=404)
    await store(api, [item("09121234561", book)], expect=201)  # the number may come back


async def test_another_users_numbers_are_not_found(api: Api) -> None:
    book = await new_phonebook(api)
    await store(api, [item("09121234561", book)], expect=201)
    other = {"key": SMS_API_KEY}
    await show(api, 1001, expect=404, **other)
    await update(api, 1001, {"number": "09121234561", "phonebook_id": book}, 404, **other)
    await api.call("done", "POST", "/api/phonebooks/numbers/delete-list",
                   json={"listNumbers": [1001]}, expect=404, **other)  # fmt: skip
    await store(api, [item("09121234562", book)], expect=404, **other)
    _, body = await api.call("contact_list", "GET", "/api/phonebooks/numbers/contact-list",
                             expect=200, **other)  # fmt: skip
    assert body["data"] == []
    await show(api, 1001, expect=401, key="wrong")


async def test_phonebooks_are_bounded_by_size_and_in_total(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(phonebook_max_size=2, phonebook_max_numbers=3))
    first = await new_phonebook(api)
    second = await new_phonebook(api, "دوم")
    outcome = await store(api, [item(f"0912123456{i}", first) for i in range(3)], expect=201)
    assert outcome == {"added": 2, "errors": 1, "existences": 0}
    outcome = await store(api, [item(f"0935123456{i}", second) for i in range(2)], expect=201)
    assert outcome == {"added": 1, "errors": 1, "existences": 0}
    assert api.backend.phonebooks.stored == 3
    meta = await update(api, 1001, {"number": "09121234560", "phonebook_id": second}, 200)
    assert meta["message_code"] == "200-1"  # a move does not add a number
    meta = await update(api, 1002, {"number": "09121234561", "phonebook_id": second}, 400)
    assert meta["message"] == "ظرفیت دفترچه تلفن تکمیل است"
