"""The inbox over HTTP: POST /api/report/messages-inbox, messages injected through the admin API,
and auto-reply rules that answer on the sandbox clock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ippanel_mock import SandboxConfig
from sandbox_api import webservice

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

INBOX = "/api/report/messages-inbox"
LINE = "+983000505"
ON_CALL = "09121234567"
EXAMPLES = Path(__file__).parents[2] / "fixtures" / "spec_examples"


async def inbox(api: Api, body: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    _, answer = await api.call(
        "report_messages_inbox", "POST", INBOX, json=body or {}, expect=kw.pop("expect", 200), **kw
    )
    return answer


async def inject(api: Api, text: str, **fields: Any) -> list[dict[str, Any]]:
    given = {"from": "09351112222", "to": LINE, "text": text, "user": "sandbox", **fields}
    body = {name: value for name, value in given.items() if value is not None}
    answer = await api.admin("admin_inbox_injected", "POST", "/__sandbox/inbox", json=body,
                             expect=201)  # fmt: skip
    items: list[dict[str, Any]] = answer["items"]
    return items


async def add_rule(api: Api, **rule: Any) -> dict[str, Any]:
    body = {"number": ON_CALL, "reply": "YES", **rule}
    answer: dict[str, Any] = await api.admin(
        "admin_autoreply", "POST", "/__sandbox/autoreplies", json=body, expect=201
    )
    return answer


async def set_clock(api: Api, moment: float) -> None:
    await api.admin("admin_clock", "POST", "/__sandbox/clock/set", json={"time": moment},
                    expect=200)  # fmt: skip


async def texts(api: Api, **body: Any) -> list[str]:
    return [m["message"] for m in (await inbox(api, body))["data"]]


async def test_received_messages_come_newest_first_in_the_documented_shape(api: Api) -> None:
    assert (await inbox(api))["data"] == []
    await inject(api, "first")
    [second] = await inject(api, "second", **{"from": "+989122222222"})
    answer = await inbox(api, {"page": 1, "per_page": 10})
    assert [m["message"] for m in answer["data"]] == ["second", "first"]
    assert answer["data"][0] == {
        "messages_inbox_id": second["id"], "from": "+989122222222", "number": LINE,
        "message": "second", "type": "normal", "time": int(second["time"]), "seen": "0",
    }  # fmt: skip
    meta = answer["meta"]
    assert (meta["total"], meta["from"], meta["to"], meta["last_page"]) == (2, 1, 2, 1)
    assert (meta["message_code"], meta["message"]) == ("200-1", "انجام شد")


async def test_from_id_returns_only_newer_messages_and_pages_split_them(api: Api) -> None:
    ids = [(await inject(api, f"m{i}"))[0]["id"] for i in range(5)]
    assert await texts(api, filters={"from_id": ids[2]}) == ["m4", "m3"]
    assert await texts(api, filters={"from_id": str(ids[4])}) == []
    page = await inbox(api, {"page": 2, "per_page": 2})
    assert [m["message"] for m in page["data"]] == ["m2", "m1"]
    assert (page["meta"]["last_page"], page["meta"]["from"], page["meta"]["to"]) == (3, 3, 4)


async def test_a_message_read_once_is_seen_after(api: Api) -> None:
    await inject(api, "hello")
    assert [m["seen"] for m in (await inbox(api))["data"]] == ["0"]
    assert [m["seen"] for m in (await inbox(api))["data"]] == ["1"]


async def test_bad_token_is_the_documented_401(api: Api) -> None:
    documented = json.loads(
        (EXAMPLES / "report_messages_inbox__get_inbox_report__invalid_or_expired_token.json")
        .read_text("utf-8")
    )  # fmt: skip
    status, body = await api.call("report_messages_inbox", "POST", INBOX, json={}, key="nope")
    assert (status, body) == (documented["status"], documented["body"])


async def test_bad_paging_is_a_persian_422(api: Api) -> None:
    status, body = await api.call(
        "report_messages_inbox", "POST", INBOX, json={"per_page": 0, "filters": {"from_id": "x"}}
    )
    assert status == 422
    assert body["meta"]["message_code"] == "400-2"
    assert set(body["meta"]["errors"]) == {"per_page", "filters.from_id"}
    assert body["meta"]["errors"]["per_page"] == ["گزینه per_page باید حداقل 1 باشد"]


async def test_each_user_sees_only_the_messages_of_its_own_lines(api: Api) -> None:
    await api.admin("admin_user", "POST", "/__sandbox/users", expect=201, json={
        "username": "shop", "mobile": "09121110000", "api_key": "shop-key",
        "senders": ["+9850001"]})  # fmt: skip
    await inject(api, "to the shop", to="+9850001", user="shop")
    await inject(api, "to everyone on the shared line", user=None)
    assert await texts(api) == ["to everyone on the shared line"]
    _, shop = await api.call("report_messages_inbox", "POST", INBOX, json={}, key="shop-key")
    assert [m["message"] for m in shop["data"]] == ["to the shop"]
    ga = await inbox(api, key="sandbox-ga-api-key")
    assert [m["message"] for m in ga["data"]] == ["to everyone on the shared line"]


async def test_injection_refuses_what_no_inbox_can_take_and_changes_nothing(api: Api) -> None:
    cases = [
        ({"to": "+98999"}, "to", 404),
        ({"user": "nobody"}, "user", 404),
        ({"to": "+98999", "user": "sandbox"}, "to", 404),
        ({"from": "12345"}, "from", 422),
        ({"time": "yesterday"}, "time", 422),
        ({"text": ""}, "text", 422),
    ]
    for fields, named, status in cases:
        body = {"from": "09351112222", "to": LINE, "text": "x", **fields}
        answer = await api.admin("admin_inbox_injected", "POST", "/__sandbox/inbox", json=body,
                                 expect=status)  # fmt: skip
        assert named in answer["fields"], (fields, answer)
    listing = await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox", expect=200)
    assert (listing["total"], listing["pending"]) == (0, 0)


async def test_a_message_injected_for_later_arrives_when_the_clock_passes_it(api: Api) -> None:
    now = api.backend.clock.now()
    [due] = await inject(api, "later", time=now + 60)
    assert due["id"] is None
    assert await texts(api) == []
    await set_clock(api, now + 59)
    assert await texts(api) == []
    await set_clock(api, now + 60)
    assert await texts(api) == ["later"]


async def send_to_on_call(api: Api, message: str, **extra: Any) -> int:
    [bulk] = await api.send_ids(webservice([ON_CALL], message, **extra))
    return bulk


async def test_an_auto_reply_arrives_exactly_its_delay_after_delivery(api: Api) -> None:
    rule = await add_rule(api, delay=5)
    bulk = await send_to_on_call(api, "Disk full on db-1. Reply YES to fail over")
    sent = api.backend.outbox.get_any(bulk)
    assert sent is not None
    due = sent.start_at + 10 + 5  # the fixture's delivery delay, then the rule's
    await set_clock(api, due - 1)  # real time moves the clock on too: a second's margin
    assert await texts(api) == []
    await api.admin("admin_clock", "POST", "/__sandbox/clock/advance", json={"seconds": 1},
                    expect=200)  # fmt: skip
    [reply] = (await inbox(api))["data"]
    assert (reply["message"], reply["from"], reply["number"]) == ("YES", "+989121234567", LINE)
    assert reply["time"] == int(due)
    listed = await api.admin("admin_autoreply", "GET", f"/__sandbox/autoreplies/{rule['id']}",
                             expect=200)  # fmt: skip
    assert listed["fired"] == 1


async def test_replies_quote_the_received_text_and_the_regex_groups(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    await add_rule(api, match=r"code (?P<code>\d{4})", reply="ok {code} ({1}) for: {text}")
    await send_to_on_call(api, "no code here")
    await send_to_on_call(api, "your code 4821")
    assert await texts(api) == ["ok 4821 (4821) for: your code 4821"]


async def test_rules_are_tried_in_order_and_times_limits_one(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    await add_rule(api, reply="NO", times=1)
    await add_rule(api, reply="YES")
    for _ in range(3):
        await send_to_on_call(api, "approve?")
    assert await texts(api) == ["YES", "YES", "NO"]


async def test_no_reply_from_a_phone_the_sms_never_reached(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(delivery_delay=0))
    await add_rule(api, number="09121230003")  # magic: ends "not delivered"
    await api.send_ids(webservice(["09121230003"], "hello"))
    await api.admin("admin_clock", "POST", "/__sandbox/clock/advance", json={"seconds": 60},
                    expect=200)  # fmt: skip
    assert await texts(api) == []


async def test_a_canceled_send_and_a_deleted_rule_get_no_reply(api: Api) -> None:
    rule = await add_rule(api)
    later = api.backend.clock.now() + 3600
    scheduled = await send_to_on_call(api, "at noon", send_time=_send_time(later))
    await api.call("cancel", "POST", "/api/send/cancel", json={"message_outbox_id": scheduled},
                   expect=200)  # fmt: skip
    assert (await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox"))["pending"] == 0
    await send_to_on_call(api, "now")
    assert (await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox"))["pending"] == 1
    await api.admin("admin_deleted", "DELETE", f"/__sandbox/autoreplies/{rule['id']}", expect=200)
    assert (await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox"))["pending"] == 0
    await set_clock(api, later + 60)
    assert await texts(api) == []


def _send_time(moment: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S")


async def test_ids_follow_arrival_so_a_from_id_watermark_misses_nothing(api: Api) -> None:
    await add_rule(api, delay=30)
    await send_to_on_call(api, "ping")  # its reply is due in 40 s
    start = api.backend.clock.now()
    [early] = await inject(api, "early", time=start + 5)
    await set_clock(api, start + 6)
    [seen] = (await inbox(api))["data"]
    assert seen["message"] == "early"
    await set_clock(api, start + 60)
    newer = await inbox(api, {"filters": {"from_id": seen["messages_inbox_id"]}})
    assert [m["message"] for m in newer["data"]] == ["YES"]
    assert newer["data"][0]["messages_inbox_id"] > seen["messages_inbox_id"]
    assert early["id"] is None


async def test_sends_without_rules_schedule_nothing(api: Api) -> None:
    await send_to_on_call(api, "hello")
    assert api.backend.inbox.pending == 0


async def test_admin_reads_filters_and_deletes_received_messages(api: Api) -> None:
    [one] = await inject(api, "one")
    await inject(api, "two", **{"from": "09350000009"})
    got = await api.admin("admin_inbox_message", "GET", f"/__sandbox/inbox/{one['id']}",
                          expect=200)  # fmt: skip
    assert got["text"] == "one"
    listing = await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox",
                              params={"from": "09350000009"}, expect=200)  # fmt: skip
    assert [m["text"] for m in listing["items"]] == ["two"]
    await api.admin("admin_deleted", "DELETE", f"/__sandbox/inbox/{one['id']}", expect=200)
    await api.admin("admin_error", "GET", f"/__sandbox/inbox/{one['id']}", expect=404)
    await api.admin("admin_error", "DELETE", f"/__sandbox/inbox/{one['id']}", expect=404)
    await api.admin("admin_error", "GET", "/__sandbox/inbox/abc", expect=400)
    assert await texts(api) == ["two"]
    cleared = await api.admin("admin_deleted", "DELETE", "/__sandbox/inbox", expect=200)
    assert cleared == {"deleted": 1}
    assert await texts(api) == []


async def test_rules_are_listed_and_removed_and_bad_ones_refused(api: Api) -> None:
    first = await add_rule(api, match="^deploy")
    await add_rule(api, number="+989350000001", reply="NO", delay=2.5, times=3)
    listing = await api.admin("admin_autoreply_list", "GET", "/__sandbox/autoreplies", expect=200)
    assert [(r["number"], r["reply"], r["delay"], r["match"], r["times"]) for r in
            listing["items"]] == [("+989121234567", "YES", 0.0, "^deploy", None),
                                  ("+989350000001", "NO", 2.5, None, 3)]  # fmt: skip
    for bad, field in (
        ({"match": "(unclosed"}, "match"),
        ({"reply": "ok {2}", "match": "(one)"}, "reply"),
        ({"reply": "a lone {"}, "reply"),
        ({"reply": "{name}"}, "reply"),
        ({"number": "0912"}, "number"),
        ({"delay": -1}, "delay"),
    ):
        body = {"number": ON_CALL, "reply": "x", **bad}
        answer = await api.admin("admin_autoreply", "POST", "/__sandbox/autoreplies", json=body,
                                 expect=422)  # fmt: skip
        assert field in answer["fields"], (bad, answer)
    await api.admin("admin_deleted", "DELETE", f"/__sandbox/autoreplies/{first['id']}", expect=200)
    await api.admin("admin_error", "DELETE", f"/__sandbox/autoreplies/{first['id']}", expect=404)
    await api.admin("admin_error", "GET", f"/__sandbox/autoreplies/{first['id']}", expect=404)
    assert await api.admin("admin_deleted", "DELETE", "/__sandbox/autoreplies") == {"deleted": 1}


async def test_reset_forgets_received_messages_rules_and_due_replies(api: Api) -> None:
    await inject(api, "kept until reset")
    await add_rule(api, delay=1)
    await send_to_on_call(api, "hello")
    await api.admin("admin_reset", "POST", "/__sandbox/reset", expect=200)
    listing = await api.admin("admin_inbox_page", "GET", "/__sandbox/inbox", expect=200)
    assert (listing["total"], listing["pending"]) == (0, 0)
    assert (await api.admin("admin_autoreply_list", "GET", "/__sandbox/autoreplies"))["items"] == []
    [again] = await inject(api, "ids start over")
    assert again["id"] == 1


async def test_received_messages_are_capped_oldest_first(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(inbox_capacity=3))
    for i in range(5):
        await inject(api, f"m{i}")
    assert await texts(api) == ["m4", "m3", "m2"]


async def test_another_users_key_cannot_read_the_inbox_by_from_id(api: Api) -> None:
    await inject(api, "private", user="sandbox")
    answer = await inbox(api, {"filters": {"from_id": 0}}, key="sandbox-sms-api-key")
    assert answer["data"] == []


async def test_rules_are_bounded(api: Api) -> None:
    for i in range(100):
        await add_rule(api, reply=f"r{i}")
    body = {"number": ON_CALL, "reply": "one too many"}
    answer = await api.admin(
        "admin_autoreply", "POST", "/__sandbox/autoreplies", json=body, expect=409
    )
    assert "at most 100" in answer["error"]
