"""GET /__sandbox/threads and /threads/{phone}: what each phone would show, through HTTP.

Every answer is checked against its documented response schema (the `api` fixture).
"""

from __future__ import annotations

from typing import Any

from ippanel_mock.config import SandboxConfig
from sandbox_api import Api, AppFactory, webservice

LINE = "+983000505"
PHONE = "+989121234567"
OTHER = "+989350000003"


async def threads(api: Api, expect: int = 200, **params: Any) -> Any:
    query = {k: str(v) for k, v in params.items()}
    return await api.admin("admin_thread_page", "GET", "/__sandbox/threads", params=query,
                           expect=expect)  # fmt: skip


async def thread(api: Api, phone: str, expect: int = 200, **params: Any) -> Any:
    query = {k: str(v) for k, v in params.items()}
    return await api.admin("admin_thread", "GET", f"/__sandbox/threads/{phone}", params=query,
                           expect=expect)  # fmt: skip


async def inject(api: Api, sender: str, text: str, **extra: Any) -> None:
    body = {"from": sender, "to": LINE, "text": text, "user": "sandbox", **extra}
    await api.admin("admin_inbox_injected", "POST", "/__sandbox/inbox", json=body, expect=201)


async def advance(api: Api, seconds: float) -> None:
    await api.admin("admin_clock", "POST", "/__sandbox/clock/advance", json={"seconds": seconds},
                    expect=200)  # fmt: skip


def summary(listing: dict[str, Any]) -> list[tuple[str, int, str, str]]:
    return [
        (t["phone"], t["count"], t["last"]["direction"], t["last"]["message"]["text"])
        for t in listing["items"]
    ]


async def test_one_thread_per_number_newest_activity_first(api: Api) -> None:
    assert (await threads(api))["items"] == []
    await api.send_ids(webservice(["09121234567"], "اول"))
    await advance(api, 1)
    await api.send_ids(webservice(["09350000003"], "second"))
    assert summary(await threads(api)) == [(OTHER, 1, "out", "second"), (PHONE, 1, "out", "اول")]

    await advance(api, 1)
    await api.send_ids(webservice(["+989121234567"], "سوم"))  # back on top, updated
    assert summary(await threads(api)) == [(PHONE, 2, "out", "سوم"), (OTHER, 1, "out", "second")]

    await advance(api, 1)
    await inject(api, "09350000003", "بله")  # an answer moves its thread up
    await inject(api, "09120000009", "unknown to us")  # a phone we never texted
    listing = await threads(api)
    assert summary(listing) == [
        ("+989120000009", 1, "in", "unknown to us"),
        (OTHER, 2, "in", "بله"),
        (PHONE, 2, "out", "سوم"),
    ]
    counts = [(t["outgoing"], t["incoming"]) for t in listing["items"]]
    assert counts == [(0, 1), (1, 1), (2, 0)]
    assert listing["items"][0]["last_outgoing"] is None
    assert listing["items"][1]["last_outgoing"]["text"] == "second"
    assert listing["total"] == 3


async def test_the_last_outgoing_status_follows_the_clock(api: Api) -> None:
    await api.send_ids(webservice(["09121234567", "09120000003"], "سلام"))
    statuses = {
        t["phone"]: t["last_outgoing"]["message_status"] for t in (await threads(api))["items"]
    }
    assert statuses == {PHONE: 0, "+989120000003": 0}
    await advance(api, 10)  # the delivery delay: final statuses
    statuses = {
        t["phone"]: t["last_outgoing"]["message_status"] for t in (await threads(api))["items"]
    }
    assert statuses == {PHONE: 2, "+989120000003": 3}


async def test_a_conversation_interleaves_both_directions_in_time_order(api: Api) -> None:
    rule = {"number": "09121234567", "reply": "got: {text}", "delay": 5}
    await api.admin("admin_autoreply", "POST", "/__sandbox/autoreplies", json=rule, expect=201)
    await api.send_ids(webservice(["09121234567", "09350000003"], "سلام، تایید؟"))
    await advance(api, 3)
    await inject(api, PHONE, "بله")
    assert [i["message"]["text"] for i in (await thread(api, PHONE))["items"]] == [
        "بله", "سلام، تایید؟"
    ]  # fmt: skip
    await advance(api, 12)  # delivered at 10 s, answered 5 s later
    await api.send_ids(webservice(["09121234567"], "thanks"))

    answer = await thread(api, PHONE)
    assert answer["phone"] == PHONE
    assert answer["total"] == 4
    flow = [(i["direction"], i["message"]["text"]) for i in answer["items"]]
    assert flow == [
        ("out", "thanks"),
        ("in", "got: سلام، تایید؟"),
        ("in", "بله"),
        ("out", "سلام، تایید؟"),
    ]
    times = [i["time"] for i in answer["items"]]
    assert times == sorted(times, reverse=True)
    auto_reply, injected = answer["items"][1]["message"], answer["items"][2]["message"]
    assert (auto_reply["rule_id"], auto_reply["number"], injected["rule_id"]) == (1, LINE, None)
    first = answer["items"][3]["message"]
    assert (first["sender"], first["message_status"]) == (LINE, 2)
    assert [i["message"]["text"] for i in (await thread(api, OTHER))["items"]] == ["سلام، تایید؟"]


async def test_any_number_form_finds_the_same_thread(api: Api) -> None:
    await api.send_ids(webservice(["09121234567"], "one"))
    await api.send_ids(webservice(["09350000003"], "other"))
    forms = ["09121234567", "+989121234567", "989121234567", "9121234567", "۰۹۱۲۱۲۳۴۵۶۷",
             "00989121234567", "0912 123 4567"]  # fmt: skip
    for form in forms:
        found = await thread(api, form)
        assert (found["phone"], [i["message"]["text"] for i in found["items"]]) == (PHONE, ["one"])
        assert summary(await threads(api, phone=form)) == [(PHONE, 1, "out", "one")], form
    assert (await thread(api, "09120000001"))["items"] == []  # a phone with no SMS yet


async def test_a_number_that_is_not_a_mobile_is_refused(api: Api) -> None:
    await api.send_ids(webservice(["09121234567"], "one"))
    for bad in ["12345", "+442071234567", "0912123456x"]:
        refused = await thread(api, bad, expect=400)
        assert refused["error"] == "phone is not an Iranian mobile number"
        assert "phone" in (await threads(api, expect=400, phone=bad))["error"]
    assert (await threads(api, expect=400, page=0))["error"]


async def test_ten_thousand_numbers_come_fifty_a_page(api: Api) -> None:
    numbers = [f"0912{n:07d}" for n in range(10_000)]
    await api.send_ids(webservice(numbers, "پیام انبوه"))
    first = await threads(api)
    assert (first["total"], first["last_page"], len(first["items"])) == (10_000, 200, 50)
    assert first["items"][0]["phone"] == "+989120009999"  # the newest capture of the bulk
    second = await threads(api, page=2)
    assert second["items"][0]["phone"] == "+989120009949"
    last = await threads(api, page=200, per_page=50)
    assert last["items"][-1]["phone"] == "+989120000000"
    one = await thread(api, "09120004321", per_page=1)
    assert (one["total"], one["items"][0]["message"]["recipient"]) == (1, "+989120004321")


async def test_the_admin_token_guards_the_threads(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(admin_token="s3cret", delivery_delay=10.0))
    await api.send_ids(webservice(["09121234567"], "secret"))
    for path in ["/__sandbox/threads", f"/__sandbox/threads/{PHONE}"]:
        refused = await api.client.get(path)
        assert refused.status == 401
        assert "secret" not in await refused.text()
    allowed = await api.client.get(
        "/__sandbox/threads", headers={"X-Sandbox-Admin-Token": "s3cret"}
    )
    assert (await allowed.json())["items"][0]["last"]["message"]["text"] == "secret"


async def test_at_one_instant_the_answer_comes_after_the_sms(api: Api) -> None:
    await api.send_ids(webservice(["09121234567", "09350000003"], "first"))
    sent_at = (await thread(api, PHONE))["items"][0]["time"]
    assert summary(await threads(api)) == [(OTHER, 1, "out", "first"), (PHONE, 1, "out", "first")]
    await inject(api, PHONE, "answer", time=sent_at)
    assert [i["direction"] for i in (await thread(api, PHONE))["items"]] == ["in", "out"]
    # Both threads end at the same instant: the one that ends with the answer is newer.
    assert summary(await threads(api)) == [(PHONE, 2, "in", "answer"), (OTHER, 1, "out", "first")]
