"""POST /api/send over HTTP: every sending type, costs, schedules, credit and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import FormData
from ippanel_mock import SandboxConfig
from sandbox_api import webservice
from sandbox_support import API_KEY

if TYPE_CHECKING:
    from sandbox_api import Api, AppFactory


def credit(api: Api, user: str = "sandbox") -> float:
    account = api.backend.users.get(user)
    assert account is not None
    return account.credit


def utc(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("sending_type", ["normal", "webservice"])
async def test_webservice_send_normalizes_and_captures(api: Api, sending_type: str) -> None:
    before = credit(api)
    payload = webservice(["09121234567", "9351234567", "00989131234567"], "hello")
    payload["sending_type"] = sending_type
    [bulk_id] = await api.send_ids(payload)
    assert api.backend.messages.query().total == 3
    body = await api.recipients(bulk_id)
    assert [r["recipient"] for r in body["data"]] == [
        "+989121234567", "+989351234567", "+989131234567",
    ]  # fmt: skip
    assert credit(api) == before - 3 * 3325
    latest = api.backend.messages.latest()
    assert latest is not None
    assert (latest.recipient, latest.text, latest.bulk_id) == ("+989131234567", "hello", bulk_id)


async def test_invalid_recipients_are_named_by_index_and_nothing_is_created(api: Api) -> None:
    before = credit(api)
    status, body = await api.send(webservice(["09121234567", "12345", "+98912"]))
    assert status == 422
    assert body["meta"]["message_code"] == "400-2"
    assert set(body["meta"]["errors"]) == {"params.recipients.1", "params.recipients.2"}
    assert api.backend.outbox.count() == 0
    assert credit(api) == before
    assert len(api.backend.messages) == 0


async def test_missing_message_is_the_spec_error(api: Api) -> None:
    payload = webservice(["09121234567"])
    del payload["message"]
    _, body = await api.send(payload, expect=422)
    assert body["meta"]["errors"] == {"message": ["تکمیل گزینه پیام الزامی است"]}
    assert body["meta"]["message"] == "تکمیل گزینه پیام الزامی است"


async def test_unknown_sending_type_is_422(api: Api) -> None:
    _, body = await api.send({**webservice(["09121234567"]), "sending_type": "fax"}, expect=422)
    assert "sending_type" in body["meta"]["errors"]


async def test_unauthenticated_send_is_401_and_creates_nothing(api: Api) -> None:
    await api.send(webservice(["09121234567"]), key="wrong", expect=401)
    await api.send(webservice(["09121234567"]), key=None, expect=401)
    assert api.backend.outbox.count() == 0


@pytest.mark.parametrize("bad", ["2025-13-01 10:00:00", "2025-01-01T10:00:00", "tomorrow"])
async def test_bad_send_time_is_422(api: Api, bad: str) -> None:
    _, body = await api.send(webservice(["09121234567"], send_time=bad), expect=422)
    assert list(body["meta"]["errors"]) == ["send_time"]
    assert api.backend.outbox.count() == 0


async def test_scheduled_send_waits_in_state_5_then_finishes(api: Api) -> None:
    at = api.backend.clock.now() + 3600
    [bulk_id] = await api.send_ids(webservice(["09121234567"], send_time=utc(at)))
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 5
    assert (await api.recipients(bulk_id))["data"][0]["message_status"] is None
    api.backend.clock.advance(3600 + 11)
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 6
    assert (await api.recipients(bulk_id))["data"][0]["message_status"] == "2"


async def test_insufficient_credit_creates_a_state_8_bulk_and_debits_nothing(api: Api) -> None:
    api.backend.users.set_credit("sandbox", 100)
    [bulk_id] = await api.send_ids(webservice(["09121234567"]))
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["state_id"] == 8
    assert credit(api) == 100
    assert len(api.backend.messages) == 0


@pytest.mark.parametrize(
    ("message", "parts", "tariff"),
    [("س" * 70, 1, 1330), ("س" * 71, 2, 1330), ("a" * 160, 1, 3325), ("a" * 161, 2, 3325),
     ("a" * 306, 2, 3325), ("a" * 307, 3, 3325), ("س" * 134, 2, 1330), ("س" * 135, 3, 1330)],
)  # fmt: skip
async def test_cost_and_parts(api: Api, message: str, parts: int, tariff: int) -> None:
    before = credit(api)
    [bulk_id] = await api.send_ids(webservice(["09121234567", "09351234567"], message))
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["part"] == str(parts)
    assert body["data"]["cost"] == parts * 2 * tariff
    assert credit(api) == before - parts * 2 * tariff


async def test_peer_to_peer_makes_one_bulk_per_item(api: Api) -> None:
    ids = await api.send_ids({
        "sending_type": "peer_to_peer", "from_number": "+983000505",
        "params": [{"recipients": ["09121234567", "09351234567"], "message": "اول"},
                   {"recipients": ["09131234567"], "message": "دوم"}],
    })  # fmt: skip
    assert len(ids) == 2
    first, second = [await api.recipients(i) for i in ids]
    assert [r["message"] for r in first["data"]] == ["اول", "اول"]
    assert second["data"][0]["recipient"] == "+989131234567"


async def test_peer_to_peer_bad_item_names_its_path(api: Api) -> None:
    _, body = await api.send({
        "sending_type": "peer_to_peer", "from_number": "+983000505",
        "params": [{"recipients": ["09121234567"], "message": "ok"},
                   {"recipients": ["0912"], "message": "bad"}],
    }, expect=422)  # fmt: skip
    assert list(body["meta"]["errors"]) == ["params.1.recipients.0"]
    assert api.backend.outbox.count() == 0


def csv_form(content: bytes, **fields: str) -> FormData:
    form = FormData()
    form.add_field("sending_type", fields.get("sending_type", "peer_to_peer_file"))
    form.add_field("from_number", fields.get("from_number", "+983000505"))
    if "send_time" in fields:
        form.add_field("send_time", fields["send_time"])
    form.add_field("files[]", content, filename="file.csv", content_type="text/csv")
    return form


async def test_peer_to_peer_file_groups_rows_by_message(api: Api) -> None:
    csv_text = "recipient,message\n09121234567,سلام\n09351234567,خداحافظ\n09131234567,سلام\n"
    _, body = await api.call(
        "send", "POST", "/api/send", data=csv_form(csv_text.encode()), expect=200
    )
    ids = body["data"]["message_outbox_ids"]
    assert len(ids) == 2
    greet = await api.recipients(ids[0])
    assert [r["recipient"] for r in greet["data"]] == ["+989121234567", "+989131234567"]
    assert (await api.recipients(ids[1]))["data"][0]["message"] == "خداحافظ"


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"", "files.0"), (b"09121234567,hi\n", "files.0"), (b"recipient,message\n", "files.0"),
     (b"recipient,message\n0912,hi\n", "files.0.2"),
     ("recipient,message\n09121234567,س\n".encode("utf-16"), "files.0"),
     (b"recipient,message\n09121234567\n", "files.0.2")],
)  # fmt: skip
async def test_bad_csv_is_422_and_creates_nothing(api: Api, content: bytes, field: str) -> None:
    _, body = await api.call("send", "POST", "/api/send", data=csv_form(content), expect=422)
    assert field in body["meta"]["errors"]
    assert api.backend.outbox.count() == 0


async def test_file_missing_is_the_spec_error(api: Api) -> None:
    form = FormData()
    form.add_field("sending_type", "peer_to_peer_file")
    form.add_field("from_number", "+983000505")
    form.add_field("dummy", b"x", filename="x.txt")
    _, body = await api.call("send", "POST", "/api/send", data=form, expect=422)
    assert body["meta"]["errors"]["files"] == ["تکمیل گزینه فایل ها الزامی است"]


def postal(mci: int, irancell: int = 0, others: list[str] | None = None) -> dict[str, Any]:
    return {
        "sending_type": "postal_code", "from_number": "+98BANK", "message": "متن",
        "params": [{"bank": "all", "postal_code": 131, "gender": 0, "age_from": 1330,
                    "age_to": 1402, "mci": {"start": 0, "size": mci},
                    "irancell": {"start": 0, "size": irancell}, "other": {"start": 0, "size": 0}}],
        "other_recipients": others or [],
    }  # fmt: skip


async def test_postal_code_draws_a_seeded_audience(make_api: AppFactory) -> None:
    one = await make_api(SandboxConfig(seed=3))
    two = await make_api(SandboxConfig(seed=3))
    [a] = await one.send_ids(postal(3, 2, ["09121234567"]))
    [b] = await two.send_ids(postal(3, 2, ["09121234567"]))
    rows_a = (await one.recipients(a))["data"]
    assert rows_a == (await two.recipients(b))["data"]
    assert len(rows_a) == 6
    assert rows_a[-1]["recipient"] == "+989121234567"
    _, stats = await one.call(
        "bulk_stats", "GET", "/api/report/bulk_stats", params={"bulk_id": str(a)}, expect=200
    )
    blocks = stats["data"]
    total_mci = sum(blocks[b]["mci"]["fa"] for b in blocks)
    assert total_mci == 4
    assert sum(blocks[b]["irancell"]["fa"] for b in blocks) == 2


async def test_postal_code_that_selects_nobody_is_a_bulk_of_invalid_recipients(api: Api) -> None:
    [bulk_id] = await api.send_ids(postal(0))
    _, report = await api.bulk(bulk_id)
    assert report["data"]["state_id"] == 4
    assert report["data"]["rcpts_count"] == "0"
    assert api.backend.messages.query().total == 0


async def test_postal_code_targets_are_capped_by_the_schema(api: Api) -> None:
    payload = postal(10)
    payload["params"] = payload["params"] * 31
    _, body = await api.send(payload, expect=422)
    assert list(body["meta"]["errors"]) == ["params"]
    assert api.backend.outbox.count() == 0


async def test_pattern_send_renders_the_template(api: Api) -> None:
    [bulk_id] = await api.send_ids({
        "sending_type": "pattern", "from_number": "+983000505", "code": "sandbox-otp",
        "recipients": ["09121234567"], "params": {"code": "4711"},
    })  # fmt: skip
    rows = (await api.recipients(bulk_id))["data"]
    assert rows[0]["message"] == "کد تایید شما: 4711"


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({}, {"params.code"}),
        ({"code": "1", "x": "2"}, {"params.x"}),
        ({"code": 5}, {"params.code"}),
    ],
)
async def test_pattern_params_must_fit(api: Api, params: dict, fields: set) -> None:  # type: ignore[type-arg]
    _, body = await api.send({
        "sending_type": "pattern", "code": "sandbox-otp", "recipients": ["09121234567"],
        "params": params,
    }, expect=422)  # fmt: skip
    assert set(body["meta"]["errors"]) == fields


async def test_pattern_takes_exactly_one_recipient(api: Api) -> None:
    _, body = await api.send({
        "sending_type": "pattern", "code": "sandbox-otp",
        "recipients": ["09121234567", "09351234567"], "params": {"code": "1"},
    }, expect=422)  # fmt: skip
    assert "recipients" in body["meta"]["errors"]


async def test_unknown_pattern_is_an_error_envelope(api: Api) -> None:
    _, body = await api.send({
        "sending_type": "pattern", "code": "nope", "recipients": ["09121234567"],
        "params": {"code": "1"},
    }, expect=400)  # fmt: skip
    assert body["meta"]["message_code"] == "400-1"
    assert api.backend.outbox.count() == 0


async def test_votp_is_sent_from_votp(api: Api) -> None:
    [bulk_id] = await api.send_ids(
        {"sending_type": "votp", "message": "45852", "params": {"recipients": ["09121234567"]}}
    )
    _, body = await api.bulk(bulk_id, expect=200)
    assert body["data"]["number"] == "+98votp"
    assert body["data"]["type"] == "sendvoice"
    assert body["data"]["message"] == "45852"


async def test_malformed_json_wrong_type_and_non_object_bodies(api: Api) -> None:
    status, body = await api.call(
        "send", "POST", "/api/send", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert (status, body["meta"]["message_code"]) == (400, "400-3")
    status, body = await api.call(
        "send", "POST", "/api/send", data=b"x=1",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert status == 415
    status, body = await api.call(
        "send",
        "POST",
        "/api/send",
        data=b"[" * 100_000,
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["meta"]["message_code"]) == (400, "400-3")
    status, body = await api.call("send", "POST", "/api/send", json=[1, 2])
    assert (status, list(body["meta"]["errors"])) == (422, ["body"])
    status, body = await api.call(
        "login", "POST", "/api/acl/auth/login", key=None, data="x",
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    assert status == 415
    assert api.backend.outbox.count() == 0


async def test_body_over_the_cap_is_413(make_api: AppFactory) -> None:
    api = await make_api(SandboxConfig(max_body_bytes=2048))
    status, body = await api.send(webservice(["09121234567"], "a" * 4000))
    assert (status, body["meta"]["message_code"]) == (413, "413-1")
    assert api.backend.outbox.count() == 0


async def test_unexpected_errors_are_a_500_envelope_without_traceback(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.backend.outbox, "create", explode)
    status, body = await api.send(webservice(["09121234567"]))
    assert (status, body["meta"]["message_code"]) == (500, "500-1")
    assert "secret internals" not in str(body)
    assert "Traceback" not in str(body)


async def test_journal_keeps_a_masked_key_hint(api: Api) -> None:
    await api.send_ids(webservice(["09121234567"]))
    entries, total = api.backend.journal.query()
    assert total == 1
    entry = entries[0]
    assert entry.path == "/api/send"
    assert entry.status == 200
    assert entry.api_key_hint is not None
    assert API_KEY not in entry.api_key_hint


async def test_unknown_route_and_method_get_envelopes(api: Api) -> None:
    status, body = await api.call("none", "GET", "/api/nowhere")
    assert (status, body["meta"]["message_code"]) == (404, "404-1")
    status, body = await api.call("none", "GET", "/api/send")
    assert (status, body["meta"]["message_code"]) == (405, "405-1")
