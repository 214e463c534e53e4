"""Postal-code audiences per operator over HTTP, the admin sender filter, and a
login storm that must not grow the token table without bound."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from ippanel_mock import SandboxBackend, SandboxConfig
from ippanel_mock.models.history import MAX_AUDIENCE, postal_audience
from ippanel_mock.models.phones import magic_final_status, operator_of
from sandbox_support import PASSWORD

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory

OPERATORS = ("mci", "irancell", "other")


def postal_blocks(postal_code: int, **blocks: tuple[int, int]) -> dict[str, Any]:
    target: dict[str, Any] = {
        "bank": "all", "postal_code": postal_code, "gender": 0, "age_from": 1330, "age_to": 1402,
    }  # fmt: skip
    for operator in OPERATORS:
        start, size = blocks.get(operator, (0, 0))
        target[operator] = {"start": start, "size": size}
    return {
        "sending_type": "postal_code",
        "from_number": "+98BANK",
        "message": "متن",
        "params": [target],
    }


async def all_recipients(api: Api, bulk_id: int) -> list[str]:
    body = await api.recipients(bulk_id, per_page=500)
    return [row["recipient"] for row in body["data"]]


async def test_postal_code_honours_start_and_size_per_operator(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(seed=11))
    [bulk] = await api.send_ids(postal_blocks(1435, mci=(5, 3), irancell=(2, 4), other=(0, 2)))
    got = await all_recipients(api, bulk)
    expected = [
        f"+98{n}"
        for op, (start, size) in (("mci", (5, 3)), ("irancell", (2, 4)), ("other", (0, 2)))
        for n in postal_audience(11, 1435, op, start, size)
    ]
    assert got == expected
    assert [operator_of(n) for n in got] == ["mci"] * 3 + ["irancell"] * 4 + ["other"] * 2


async def test_postal_code_window_is_a_slice_of_the_same_audience(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(seed=4))
    [whole] = await api.send_ids(postal_blocks(98, irancell=(0, 10)))
    [window] = await api.send_ids(postal_blocks(98, irancell=(6, 4)))
    assert (await all_recipients(api, window)) == (await all_recipients(api, whole))[6:]


async def test_postal_code_audience_depends_on_seed_and_postal_code(make_api: AppFactory) -> None:
    one, two = await make_api(SandboxConfig(seed=1)), await make_api(SandboxConfig(seed=2))
    [a] = await one.send_ids(postal_blocks(131, mci=(0, 5)))
    [b] = await two.send_ids(postal_blocks(131, mci=(0, 5)))
    [c] = await one.send_ids(postal_blocks(132, mci=(0, 5)))
    seeds = await all_recipients(one, a), await all_recipients(two, b)
    assert seeds[0] != seeds[1]
    assert await all_recipients(one, c) != seeds[0]


async def test_postal_code_window_past_the_audience_draws_only_who_exists(api: Api) -> None:
    [bulk] = await api.send_ids(postal_blocks(131, mci=(MAX_AUDIENCE - 1, 5)))
    assert await all_recipients(api, bulk) == [
        f"+98{n}" for n in postal_audience(0, 131, "mci", MAX_AUDIENCE - 1, 1)
    ]


async def test_admin_messages_filter_by_sender(api: Api) -> None:
    for sender in ("+983000505", "+9810001", "+983000505"):
        await api.send_ids({
            "sending_type": "webservice", "from_number": sender, "message": sender,
            "params": {"recipients": ["09121234567"]},
        })  # fmt: skip
    response = await api.client.get("/__sandbox/messages", params={"sender": "+9810001"})
    body = await response.json()
    assert body["total"] == 1
    assert [m["sender"] for m in body["items"]] == ["+9810001"]


def test_login_storm_keeps_the_token_table_bounded() -> None:
    backend = SandboxBackend()
    backend.users.max_sessions = 50
    tokens = []
    for _ in range(200):
        result = backend.users.login("sandbox", PASSWORD)
        assert result is not None
        tokens.append(result.token)
    live = backend.users.tokens_of("sandbox")
    assert len(live) <= 50
    assert tokens[-1] in live
    assert tokens[0] not in live
    assert backend.users.authenticate(tokens[-1]) is not None
    assert backend.users.authenticate(tokens[0]) is None


async def test_admin_answers_keep_persian_text_readable(api: Api) -> None:
    await api.send_ids({
        "sending_type": "webservice", "from_number": "+983000505", "message": "سلام دنیا",
        "params": {"recipients": ["09121234567"]},
    })  # fmt: skip
    response = await api.client.get("/__sandbox/messages/latest")
    raw = await response.text()
    assert "سلام دنیا" in raw
    assert response.content_type == "application/json"
    assert response.charset == "utf-8"


async def test_postal_code_window_given_as_integral_floats(api: Api) -> None:
    """JSON Schema counts 3.0 as an integer (found by fuzzing: it was a 500)."""
    payload = postal_blocks(131, mci=(0, 3))
    payload["params"][0]["mci"] = {"start": 2.0, "size": 3.0}
    [bulk] = await api.send_ids(payload)
    assert await all_recipients(api, bulk) == [
        f"+98{n}" for n in postal_audience(0, 131, "mci", 2, 3)
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("postal_code", 1416753955), ("postal_code", 7), ("postal_code", "131456"),
     ("age_from", 1299), ("age_to", 1411)],
)  # fmt: skip
async def test_postal_code_fields_outside_the_documented_range_are_refused(
    api: Api, field: str, value: int | str
) -> None:
    """The docs: a postal code of 2 to 5 digits (a ten-digit one is a whole address), birth
    years between 1300 and 1410. Refused as IPPanel refuses, nothing sent."""
    body = postal_blocks(131, mci=(0, 1))
    body["params"][0][field] = value
    status, answer = await api.send(body)
    assert (status, answer["meta"]["message_code"]) == (422, "400-2")
    assert list(answer["meta"]["errors"]) == [f"params.0.{field}"]
    assert api.backend.messages.latest() is None


async def test_postal_code_bank_white_leaves_the_blacklisted_out(api: Api) -> None:
    """`bank: white` (the docs: no blacklisted numbers) takes its window from the people left
    once the blacklisted are out, as the banks' filters do; `all` keeps them."""
    code, at = next(
        (code, index)
        for code in range(10, 100)
        for index, n in enumerate(postal_audience(0, code, "other", 0, MAX_AUDIENCE))
        if magic_final_status(n) == 4
    )
    everyone = postal_audience(0, code, "other", 0, MAX_AUDIENCE)
    body = postal_blocks(code, other=(at, 2))
    [kept] = await api.send_ids(body)
    assert await all_recipients(api, kept) == [f"+98{n}" for n in everyone[at : at + 2]]
    body["params"][0]["bank"] = "white"
    [white] = await api.send_ids(body)
    assert await all_recipients(api, white) == [f"+98{n}" for n in everyone[at + 1 : at + 3]]
