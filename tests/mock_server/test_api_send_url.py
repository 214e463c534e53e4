"""GET /api/send/webservice: a send with everything in the URL, through the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sandbox_support import API_KEY, PASSWORD, SENDER

if TYPE_CHECKING:
    from sandbox_api import Api

URL = "/api/send/webservice"
EXAMPLES = Path(__file__).parents[2] / "fixtures" / "spec_examples"


async def by_url(api: Api, **query: str) -> tuple[int, dict[str, Any]]:
    return await api.call("send", "GET", URL, key=None, params=query)


async def test_the_documented_username_and_password_form_sends_and_is_captured(api: Api) -> None:
    # the documentation's curl: `from=+983000505` unencoded, so the + arrives as a space
    response = await api.client.get(
        f"{URL}?from=+983000505&message=متن پیام&to=+989120000005&username=sandbox"
        f"&password={PASSWORD}"
    )
    body = await response.json()
    assert response.status == 200, body
    [bulk] = body["data"]["message_outbox_ids"]
    message = api.backend.messages.latest()
    assert message is not None
    assert (message.recipient, message.sender, message.text, message.bulk_id) == (
        "+989120000005", SENDER, "متن پیام", bulk,
    )  # fmt: skip
    assert message.sending_type == "webservice"


@pytest.mark.parametrize(
    ("key_name", "from_name", "text_name", "to_name"),
    [("apikey", "from", "message", "to"), ("x-api-key", "sender", "msg", "recipient"),
     ("secret", "originator", "text", "receiver")],
)  # fmt: skip
async def test_every_documented_name_of_a_parameter_works(
    api: Api, key_name: str, from_name: str, text_name: str, to_name: str
) -> None:
    status, body = await by_url(api, **{key_name: API_KEY, from_name: SENDER, text_name: "hi",
                                        to_name: "09121234567"})  # fmt: skip
    assert status == 200, body
    latest = api.backend.messages.latest()
    assert latest is not None
    assert (latest.recipient, latest.text) == ("+989121234567", "hi")


async def test_credit_is_debited_and_the_bulk_has_its_lifecycle(api: Api) -> None:
    before = api.backend.users.get("sandbox").credit  # type: ignore[union-attr]
    _, body = await by_url(
        api, apikey=API_KEY, **{"from": SENDER}, message="hello", to="09121234567"
    )
    [bulk] = body["data"]["message_outbox_ids"]
    assert before - api.backend.users.get("sandbox").credit == 3325  # type: ignore[union-attr]
    api.backend.clock.advance(10)
    _, report = await api.bulk(bulk, expect=200)
    assert report["data"]["state_id"] == 6


@pytest.mark.parametrize(
    "credentials",
    [{"apikey": "not-a-key"}, {"username": "sandbox", "password": "wrong"},
     {"username": "sandbox-ga", "password": PASSWORD}, {"username": "sandbox"}, {}],
)  # fmt: skip
async def test_bad_or_missing_credentials_are_the_documented_401(
    api: Api, credentials: dict[str, str]
) -> None:
    documented = json.loads(
        (EXAMPLES / "send__send_sms_with_url__invalid_or_expired_token.json").read_text("utf-8")
    )
    status, body = await by_url(api, **credentials, **{"from": SENDER}, message="x",
                                to="09121234567")  # fmt: skip
    assert (status, body) == (documented["status"], documented["body"])
    assert api.backend.outbox.count() == 0


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"to": "0912"}, {"to"}),
        ({"message": ""}, {"message"}),
        ({"from": "3000505"}, {"from"}),
        ({"to": "09121234567", "recipient": "09351234567"}, {"to"}),
        ({"username": "sandbox"}, {"apikey"}),
        ({"cc": "09351234567"}, {"cc"}),
    ],
)
async def test_bad_input_is_a_persian_422_naming_the_parameter(
    api: Api, query: dict[str, str], fields: set[str]
) -> None:
    given = {"apikey": API_KEY, "from": SENDER, "message": "x", "to": "09121234567", **query}
    status, body = await by_url(api, **{k: v for k, v in given.items() if v != ""})
    assert (status, body["meta"]["message_code"]) == (422, "400-2"), body
    assert set(body["meta"]["errors"]) == fields
    assert api.backend.outbox.count() == 0


async def test_the_journal_keeps_no_credential_of_the_url(api: Api) -> None:
    await by_url(api, username="sandbox", password=PASSWORD, **{"from": SENDER}, message="x",
                 to="09121234567")  # fmt: skip
    await by_url(api, api_key=API_KEY, **{"from": SENDER}, message="x", to="09121234567")
    journal = await api.admin("admin_journal_page", "GET", "/__sandbox/requests", expect=200)
    queries = " ".join(item["query"] for item in journal["items"])
    assert "to=09121234567" in queries
    assert PASSWORD not in queries
    assert API_KEY not in queries
