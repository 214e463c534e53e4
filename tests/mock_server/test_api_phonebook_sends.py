"""Sends that read phonebooks: `phonebook`, `keyword_phonebook`, and a pattern send that keeps
its recipient in a phonebook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ippanel_mock import SandboxConfig
from ippanel_mock.models.messages import MessageFilter
from phonebook_api import new_option, new_phonebook, numbers, store
from sandbox_support import SENDER, SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory


def phonebook_send(*selections: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"sending_type": "phonebook", "from_number": SENDER, "message": "تست",
            "params": list(selections), **extra}  # fmt: skip


def keyword_send(message: str, *phonebook_ids: int, **extra: Any) -> dict[str, Any]:
    return {"sending_type": "keyword_phonebook", "from_number": SENDER, "message": message,
            "params": [{"phonebook_id": i} for i in phonebook_ids], **extra}  # fmt: skip


async def filled(api: Api, count: int, title: str = "تست", **kw: Any) -> int:
    book = await new_phonebook(api, title, **kw)
    items = [{"number": f"0912000{book % 100:02d}{i:02d}", "phonebook_id": book}
             for i in range(count)]  # fmt: skip
    await store(api, items, expect=201)
    return book


async def recipients(api: Api, bulk_id: int) -> list[str]:
    body = await api.recipients(bulk_id, per_page=1000)
    return [row["recipient"] for row in body["data"]]


async def test_a_phonebook_send_reaches_each_selected_number_once(api: Api) -> None:
    first = await filled(api, 3)
    second = await filled(api, 2, "دوم")
    in_both = {"number": "09120000101", "phonebook_id": second}
    await store(api, [in_both], expect=201)
    everyone = await numbers(api, first) + (await numbers(api, second))[:2]
    [bulk] = await api.send_ids(phonebook_send({"type": "all", "phonebook_ids": [first, second]}))
    assert await recipients(api, bulk) == everyone
    assert api.backend.messages.query(MessageFilter(bulk_id=bulk)).total == 5
    [bulk] = await api.send_ids(phonebook_send(
        {"phonebook_ids": [str(first), str(second)], "type": "all", "start": "2", "size": "2"},
        {"phonebook_id": str(first), "type": "detail", "number_ids": ["1001", "1003"]},
    ))  # fmt: skip
    assert await recipients(api, bulk) == [everyone[2], everyone[3], everyone[0]]


async def test_a_phonebook_send_names_what_is_not_there(api: Api) -> None:
    book = await filled(api, 1)
    missing_book = {"type": "all", "phonebook_ids": [book, 5]}
    missing_number = {"type": "detail", "phonebook_id": book, "number_ids": [1001, 1002]}
    for selection in (missing_book, missing_number):
        _, body = await api.send(phonebook_send(selection), expect=404)
        assert body["meta"]["message_code"] == "404-1"
    await api.send(phonebook_send({"type": "all", "phonebook_ids": [book]}), key=SMS_API_KEY,
                   expect=404)  # fmt: skip
    _, body = await api.send(phonebook_send({"type": "all"}, {"type": "detail"}), expect=422)
    assert set(body["meta"]["errors"]) == {
        "params.0.phonebook_ids", "params.1.phonebook_id", "params.1.number_ids"}  # fmt: skip
    payload = phonebook_send({"type": "all", "phonebook_ids": [book]})
    del payload["message"]
    _, body = await api.send(payload, expect=422)
    assert body["meta"]["errors"] == {"message": ["تکمیل گزینه پیام الزامی است"]}
    _, body = await api.send({**payload, "message": "x", "from_number": "+983000999"}, expect=422)
    assert "from_number" in body["meta"]["errors"]
    assert api.backend.outbox.count() == 0


async def test_an_empty_selection_is_a_bulk_of_invalid_recipients(api: Api) -> None:
    book = await new_phonebook(api)
    [bulk] = await api.send_ids(phonebook_send({"type": "all", "phonebook_ids": [book]}))
    _, body = await api.bulk(bulk, expect=200)
    assert body["data"]["state_id"] == 4
    assert len(api.backend.messages) == 0


async def test_keyword_phonebook_fills_each_numbers_option_values(api: Api) -> None:
    date = await new_option(api, "تاریخ", "date")
    debt = await new_option(api, "بدهی", "int")
    book = await new_phonebook(api, options=[date, debt])
    both = {str(date): "1404/01/01", str(debt): "500"}
    await store(api, [
        {"number": "09121234561", "phonebook_id": book, "options": both},
        {"number": "09121234562", "phonebook_id": book, "options": both},
        {"number": "09121234563", "phonebook_id": book, "options": {str(debt): "70"}},
    ], expect=201)  # fmt: skip
    message = f"تاریخ {{ex_{date}}}\nبدهی {{ex_{debt}}}"
    ids = await api.send_ids(keyword_send(message, book, send_time="2099-03-25 10:10:10"))
    assert len(ids) == 2
    texts = {bulk_id: api.backend.bulk_of(api.account(), bulk_id).text for bulk_id in ids}
    assert set(texts.values()) == {"تاریخ 1404/01/01\nبدهی 500", "تاریخ \nبدهی 70"}
    by_text = {text: await recipients(api, i) for i, text in texts.items()}
    assert by_text["تاریخ 1404/01/01\nبدهی 500"] == ["+989121234561", "+989121234562"]
    _, body = await api.bulk(ids[0], expect=200)
    assert body["data"]["state_id"] == 5  # scheduled
    _, body = await api.send(keyword_send("x {ex_1}", book), expect=422)
    assert body["meta"]["errors"] == {
        "message": [f"متغیر ex_1 در دفترچه تلفن {book} تعریف نشده است"]}  # fmt: skip
    await api.send(keyword_send("x", 7), expect=404)


async def test_a_pattern_send_keeps_its_recipient_in_a_phonebook(api: Api) -> None:
    option = await new_option(api, "تولد", "date")
    book = await new_phonebook(api, options=[option])
    payload = {
        "sending_type": "pattern", "from_number": SENDER, "code": "sandbox-otp",
        "recipients": ["+989120000077"], "params": {"code": "1234"},
        "phonebook": {"id": book, "name": "سعید محمدی", "pre": "mr", "email": "saeed@gmail.com",
                      "options": {str(option): "1970/01/01"}},
    }  # fmt: skip
    await api.send_ids(payload)
    await api.send_ids(payload)  # already kept: not twice
    assert await numbers(api, book) == ["+989120000077"]
    assert api.backend.phonebooks.book(api.account(), book).contact(1001).name == "سعید محمدی"
    bad = {**payload, "phonebook": {"id": book, "options": {"999": "x"}}}
    _, body = await api.send(bad, expect=422)
    assert body["meta"]["errors"] == {"phonebook.options.999": ["فیلد مورد نظر یافت نشد"]}
    await api.send({**payload, "phonebook": {"id": 5}}, expect=404)
    assert api.backend.outbox.count() == 2


async def test_a_full_phonebook_does_not_stop_the_pattern_send(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(phonebook_max_size=1))
    book = await filled(api, 1)
    payload = {
        "sending_type": "pattern", "code": "sandbox-otp", "recipients": ["09351112233"],
        "params": {"code": "1"}, "phonebook": {"id": book},
    }  # fmt: skip
    [bulk] = await api.send_ids(payload)
    assert await recipients(api, bulk) == ["+989351112233"]
    assert len(await numbers(api, book)) == 1
