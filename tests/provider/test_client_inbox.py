"""The inbox report, inbox search and the banks' look-ups, through both clients, on the sandbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from client_support import SANDBOX_API_KEY, SENDER, SandboxAdmin
from ippanel_provider.client import (
    AsyncIPPanelClient,
    AudienceCounts,
    InboxMessage,
    InboxQuery,
    InvalidRecipientsError,
    IPPanelApi,
    IPPanelClient,
    IPPanelValidationError,
    Place,
)
from ippanel_provider.client.api import first_request

Call = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, client_sandbox: SandboxAdmin) -> Call:
    """``api("method", ...)``: one call through the blocking or the asyncio client."""

    def call(name: str, *args: Any, base: str = "", **kwargs: Any) -> Any:
        url = client_sandbox.url + base
        if request.param == "sync":
            with IPPanelClient(url, api_key=SANDBOX_API_KEY, default_sender=SENDER) as client:
                return getattr(client, name)(*args, **kwargs)

        async def run() -> Any:
            async with AsyncIPPanelClient(url, api_key=SANDBOX_API_KEY) as client:
                return await getattr(client, name)(*args, **kwargs)

        return asyncio.run(run())

    return call


def receive(admin: SandboxAdmin, sender: str, text: str, *, to: str = SENDER) -> None:
    body = {"from": sender, "to": to, "text": text, "user": "sandbox"}
    admin._call("POST", "/inbox", json=body)


def test_inbox_report_pages_newest_first_and_from_id_keeps_newer(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    for text in ("one", "two", "three"):
        receive(client_sandbox, "09121234567", text)
    page = api("messages_inbox", per_page=2)
    assert [m.text for m in page.items] == ["three", "two"]
    assert (page.total, page.has_next) == (3, True)
    oldest = page.items[1].id - 1  # "one"
    assert page.items[0].sender == "+989121234567"
    assert page.items[0].line == SENDER
    newer = api("messages_inbox", from_id=oldest)
    assert [m.text for m in newer.items] == ["three", "two"]
    second = api("messages_inbox", page=2, per_page=2)
    assert [m.text for m in second.items] == ["one"]
    assert second.items[0].seen is False
    assert api("messages_inbox", page=2, per_page=2).items[0].seen is True


def test_iterating_the_inbox_reads_every_page_with_both_clients(
    client_sandbox: SandboxAdmin,
) -> None:
    for n in range(5):
        receive(client_sandbox, "09121234567", f"m{n}")
    with IPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
        texts = [m.text for m in client.iter_messages_inbox(per_page=2)]

    async def read_async() -> list[str]:
        async with AsyncIPPanelClient(client_sandbox.url, api_key=SANDBOX_API_KEY) as client:
            return [m.text async for m in client.iter_messages_inbox(per_page=2)]

    assert texts == asyncio.run(read_async()) == ["m4", "m3", "m2", "m1", "m0"]
    asked = [r for r in client_sandbox.requests() if r["path"].endswith("messages-inbox")]
    assert len(asked) == 6  # three pages each


def test_search_finds_the_option_a_sender_replied_in_any_form(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    receive(client_sandbox, "09351234567", "YES")  # another phone
    receive(client_sandbox, "09121234567", "maybe")
    receive(client_sandbox, "09121234567", "  yes! ")
    query = InboxQuery.build(senders="۰۹۱۲ ۱۲۳ ۴۵۶۷", options=["YES", "NO"])
    scan = api("search_inbox", query)
    assert [m.text for m in scan.matches] == ["  yes! "]
    assert scan.result(query)["chosen_options"] == ["YES"]
    assert scan.read == 3
    receive(client_sandbox, "09121234567", "No")
    later = api("search_inbox", query, from_id=scan.last_id)
    assert [m.text for m in later.matches] == ["No"]
    assert later.read == 1  # only the new message was read


def test_search_by_pattern_line_and_time(api: Call, client_sandbox: SandboxAdmin) -> None:
    receive(client_sandbox, "09121234567", "code ۴۲۱۷ please")
    receive(client_sandbox, "09121234567", "code 9999", to="+9810001")
    pattern = InboxQuery.build(pattern=r"CODE (\d{4})", line="3000505")
    assert [m.text for m in api("search_inbox", pattern).matches] == ["code ۴۲۱۷ please"]
    exact = InboxQuery.build(text="CODE 9999")
    assert [m.line for m in api("search_inbox", exact).matches] == ["+9810001"]
    future = InboxQuery.build(received_after=time.time() + 3600)
    assert api("search_inbox", future).matches == []


def test_an_auto_reply_arrives_on_the_sandbox_clock(
    api: Call, client_sandbox: SandboxAdmin
) -> None:
    client_sandbox._call(
        "POST", "/autoreplies", json={"number": "09121234567", "reply": "YES", "delay": 30}
    )
    api("send_sms", ["09121234567"], "deploy?", sender=SENDER)
    query = InboxQuery.build(senders=["09121234567"], options=["YES"])
    assert api("search_inbox", query).matches == []
    client_sandbox.advance_clock(31)
    [reply] = api("search_inbox", query).matches
    assert (reply.sender, reply.line, reply.text) == ("+989121234567", SENDER, "YES")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"options": ["YES"], "text": "YES"}, ValueError, "not text and options"),
        ({"pattern": "("}, ValueError, "is not a regular expression"),
        ({"options": ["YES", " . "]}, ValueError, "options [2] are empty"),
        ({"senders": ["09121234567", "12"]}, InvalidRecipientsError, "#2: '12'"),
        ({"received_after": "yesterday"}, ValueError, "yesterday"),
    ],
)
def test_bad_queries_are_refused_before_any_request(
    kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=None) as info:
        InboxQuery.build(**kwargs)
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"page": 0}, "page must be"), ({"per_page": -1}, "per_page"), ({"from_id": -5}, "from_id")],
)
def test_bad_paging_is_refused_before_any_request(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        first_request(IPPanelApi.messages_inbox, **kwargs)


def test_look_ups_of_both_banks(api: Call) -> None:
    provinces = api("bank_provinces")
    assert Place(89, "تهران") in provinces
    assert api("bank_provinces", bank="geolocation") == provinces
    counties = api("bank_counties", 89)
    assert 212 in {c.id for c in counties}
    assert api("bank_cities", 212)[0].id == 82
    assert [g.id for g in api("bank_genders")] == [1, 2, 3]
    assert api("job_categories")[0] == Place(1, "صنایع و اصناف")
    [sub, *_] = api("job_subcategories", 1)
    assert (sub.main_id, sub.main_name) == (1, "صنایع و اصناف")


def test_counts_answer_per_operator_and_narrow_with_filters(api: Call) -> None:
    whole = api("country_counts", 89)
    assert isinstance(whole, AudienceCounts)
    assert whole.total == whole.mci + whole.irancell + whole.other > 0
    men = api("country_counts", 89, gender=1, number_prefix="912")
    assert 0 < men.mci < whole.mci
    assert men.irancell == 0  # 912 is an MCI prefix
    assert (
        api("geolocation_counts", 89, pre="912").mci
        == api("country_counts", 89, number_prefix="912").mci
    )
    assert api("job_counts", 1, operator="mci", size=10) == AudienceCounts(10, 0, 0)


def test_an_unknown_id_is_a_validation_error_naming_it(api: Call) -> None:
    with pytest.raises(IPPanelValidationError) as info:
        api("bank_counties", 1)
    assert "province_id" in info.value.errors
    with pytest.raises(ValueError, match="operator must be 1"):
        api("job_counts", 1, operator="hamrah")
    with pytest.raises(ValueError, match="bank must be"):
        api("bank_provinces", bank="v3")


def test_v2_look_ups_leave_the_base_urls_v1(api: Call, client_sandbox: SandboxAdmin) -> None:
    request = first_request(IPPanelApi.geolocation_counts, 89)
    assert request.url("https://edge.ippanel.com/v1/") == (
        "https://edge.ippanel.com/v2/api/send/banks/counts"
    )
    assert api("bank_provinces", bank="geolocation", base="/v1")
    paths = [r["path"] for r in client_sandbox.requests() if "banks" in r["path"]]
    assert paths == ["/v2/api/send/banks/provinces"]


def test_a_reply_in_the_same_second_as_the_watermark_time_counts() -> None:
    """Inbox times are whole seconds: a run that started at 100.7 s must see a reply the inbox
    dates 100 (it may have come at 100.9), but not one dated 99."""
    query = InboxQuery.build(received_after=100.7)
    same_second = InboxMessage(1, "+989121234567", SENDER, "YES", time=100, seen=False)
    before = InboxMessage(2, "+989121234567", SENDER, "YES", time=99, seen=False)
    assert (query.matches(same_second), query.matches(before)) == (True, False)
