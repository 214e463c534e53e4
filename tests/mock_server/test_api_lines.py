"""Sender lines: list, assign, unassign over HTTP, and sends refused from a line not held."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import FormData
from sandbox_support import API_KEY, SENDER, SMS_API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api

NOT_YOURS = {"from_number": ["شماره فرستنده به حساب شما تخصیص داده نشده است"]}


async def lines(api: Api, key: str = API_KEY, **params: Any) -> list[dict[str, Any]]:
    _, body = await api.call(
        "line_list", "GET", "/api/number/numbers", key=key, params=params, expect=200
    )
    rows: list[dict[str, Any]] = body["data"]
    return rows


async def change(api: Api, action: str, body: dict[str, Any], expect: int) -> dict[str, Any]:
    _, answer = await api.call("done", "POST", f"/api/numbers/{action}", json=body, expect=expect)
    return answer


def give(number: str, user: str, **rights: bool) -> dict[str, Any]:
    return {"number": number, "target_user": user, "send": True, "gets": False, **rights}


def sms(sender: str) -> dict[str, Any]:
    return {"sending_type": "webservice", "from_number": sender, "message": "سلام",
            "params": {"recipients": ["09121234567"]}}  # fmt: skip


async def test_default_accounts_hold_the_documented_lines(api: Api) -> None:
    assert await lines(api) == [
        {"id": 10001, "number": "+983000505", "operator_id": 3, "alias": None, "gets": 1,
         "is_66_char": 0},
        {"id": 10002, "number": "+9810001", "operator_id": 1, "alias": None, "gets": 1,
         "is_66_char": 0},
    ]  # fmt: skip
    assert [line["number"] for line in await lines(api, SMS_API_KEY)] == [SENDER, "+9810001"]
    assert [line["id"] for line in await lines(api, page=2, per_page=1)] == [10002]
    await api.call("line_list", "GET", "/api/number/numbers", key="wrong", expect=401)


async def test_a_line_the_caller_holds_can_be_given_and_taken_back(api: Api) -> None:
    api.backend.users.create_user("qa", mobile="09121110000", api_keys=["qa-key"], senders=[])
    assert await lines(api, "qa-key") == []
    await api.send(sms(SENDER), key="qa-key", expect=422)
    await change(api, "assign", give(SENDER, "qa", gets=True), 200)
    assert await lines(api, "qa-key") == [
        {"id": 10001, "number": SENDER, "operator_id": 3, "alias": None, "gets": 1,
         "is_66_char": 0},
    ]  # fmt: skip
    [bulk] = await api.send_ids(sms(SENDER), key="qa-key")
    assert api.backend.bulk_of(api.account("qa"), bulk).sender == SENDER
    qa_id = api.account("qa").id
    await change(api, "unassign", {"number_id": 10001, "target_user_id": qa_id}, 200)
    assert await lines(api, "qa-key") == []
    _, body = await api.send(sms(SENDER), key="qa-key", expect=422)
    assert body["meta"]["errors"] == NOT_YOURS


async def test_a_receive_only_line_cannot_send(api: Api) -> None:
    api.backend.users.create_user("qa", mobile="09121110000", api_keys=["qa-key"], senders=[])
    await change(api, "assign", give("+9810001", "qa", send=False, gets=True), 200)
    assert [(x["number"], x["gets"]) for x in await lines(api, "qa-key")] == [("+9810001", 1)]
    await api.send(sms("+9810001"), key="qa-key", expect=422)


async def test_assign_and_unassign_refusals_are_the_documented_ones(api: Api) -> None:
    body = await change(api, "assign", give(SENDER, "sandbox-sms"), 400)
    assert body["meta"] == {
        "status": False, "message": "number already assigned to user",
        "message_parameters": [], "message_code": "400-1", "errors": {},
    }  # fmt: skip
    api.backend.users.create_user("qa", mobile="09121110000", senders=[])
    body = await change(api, "unassign", {"number": SENDER, "target_user": "qa"}, 400)
    assert body["meta"]["message"] == "number not assigned to user"
    body = await change(api, "assign", {"target_user": "qa", "send": True, "gets": True}, 422)
    assert body["meta"]["message"] == "تکمیل گزینه number id الزامی است (و 1 خطای دیگر)"
    assert body["meta"]["errors"] == {
        "number_id": ["تکمیل گزینه number id الزامی است"],
        "number": ["تکمیل گزینه number الزامی است"],
    }
    body = await change(api, "assign", {"number": SENDER}, 422)
    assert set(body["meta"]["errors"]) == {"send", "gets"}


@pytest.mark.parametrize(
    "body",
    [
        give("+989999", "qa"),  # a line nobody holds
        {**give(SENDER, "qa"), "number_id": 10002},  # id and number name different lines
        give(SENDER, "nobody"),
        {**give(SENDER, "qa"), "target_user_id": 1},  # id and name name different users
    ],
)
async def test_a_line_or_user_that_is_not_there_is_404(api: Api, body: dict[str, Any]) -> None:
    api.backend.users.create_user("qa", mobile="09121110000", senders=[])
    answer = await change(api, "assign", body, 404)
    assert answer["meta"]["message_code"] == "404-1"
    assert api.account("qa").lines == {}


async def test_a_line_held_by_someone_else_cannot_be_handed_out(api: Api) -> None:
    api.backend.users.create_user("qa", mobile="09121110000", api_keys=["qa-key"],
                                  senders=["+985000111"])  # fmt: skip
    await change(api, "assign", give("+985000111", "sandbox"), 404)
    await api.call("done", "POST", "/api/numbers/assign", key="qa-key",
                   json=give("+985000111", "sandbox"), expect=200)  # fmt: skip
    assert "+985000111" in api.account("sandbox").senders


@pytest.mark.parametrize(
    ("payload", "ok"),
    [
        (sms("+9810001"), True),
        (sms("+98BANK"), False),  # the audience line is for audience sends only
        (sms("+983000506"), False),
        ({"sending_type": "peer_to_peer", "from_number": "+983000999",
          "params": [{"recipients": ["09121234567"], "message": "x"}]}, False),
        ({"sending_type": "postal_code", "from_number": "+983000505", "message": "x",
          "params": [{"postal_code": 131, "mci": {"start": 0, "size": 1}}]}, True),
        ({"sending_type": "postal_code", "from_number": "+98BANK", "message": "x",
          "params": [{"postal_code": 131, "mci": {"start": 0, "size": 1}}]}, True),
        ({"sending_type": "pattern", "from_number": "+983000999", "code": "sandbox-otp",
          "recipients": ["09121234567"], "params": {"code": "1"}}, False),
        ({"sending_type": "pattern", "code": "sandbox-otp",
          "recipients": ["09121234567"], "params": {"code": "1"}}, True),
    ],
)  # fmt: skip
async def test_sends_only_from_a_line_the_caller_holds(
    api: Api, payload: dict[str, Any], ok: bool
) -> None:
    status, body = await api.send(payload)
    if ok:
        assert status == 200, body
        return
    assert (status, body["meta"]["message_code"]) == (422, "400-2")
    assert body["meta"]["errors"] == NOT_YOURS
    assert api.backend.outbox.count() == 0
    assert len(api.backend.messages) == 0


async def test_a_file_send_from_a_line_not_held_names_every_problem(api: Api) -> None:
    form = FormData(default_to_multipart=True)
    form.add_field("sending_type", "peer_to_peer_file")
    form.add_field("from_number", "+983000999")
    form.add_field("files[]", b"recipient,message\n0912,hi\n", filename="a.csv")
    _, body = await api.call("send", "POST", "/api/send", data=form, expect=422)
    assert body["meta"]["errors"]["from_number"] == NOT_YOURS["from_number"]
    assert "files.0.2" in body["meta"]["errors"]
    assert api.backend.outbox.count() == 0
