"""Send planning (checked before any request) and the shared multi-request operations."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from ippanel_provider.client import (
    Credentials,
    InvalidRecipientsError,
    IPPanelAuthError,
    IPPanelLoginError,
    IPPanelSendOutcomeUnknown,
    LoginResult,
    PostalCodeTarget,
    core,
    sends,
)
from ippanel_provider.client.protocol import ApiRequest

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def now() -> datetime:
    return NOW


def test_sms_is_split_into_chunks_with_normalized_numbers() -> None:
    numbers = [f"0912{i:07d}" for i in range(2500)]
    plan = sends.plan_sms(numbers, "hello", sender="+983000505", chunk_size=1000, now=now)
    assert [len(r.json["params"]["recipients"]) for r in plan.requests] == [1000, 1000, 500]
    assert plan.requests[2].json["params"]["recipients"][-1] == "+989120002499"
    assert all(r.is_send and not r.idempotent for r in plan.requests)
    assert plan.recipients == 2500
    assert plan.parts == 1
    assert "chunk 3 of 3" in plan.requests[2].summary


def test_send_time_is_added_to_every_chunk() -> None:
    plan = sends.plan_sms(
        ["09121234567", "09121234568"],
        "hi",
        sender="+9810001",
        chunk_size=1,
        send_time="2026-01-02 00:00:00",
        now=now,
    )
    assert [r.json["send_time"] for r in plan.requests] == ["2026-01-02 00:00:00"] * 2


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"message": "  "}, "non-empty"),
        ({"sender": None}, "sender"),
        ({"sending_type": "bulk"}, "sending_type"),
        ({"send_time": datetime(2026, 1, 2)}, "no timezone"),
        ({"recipients": ["0912", "09121234567", "x"]}, "2 of 3"),
    ],
)
def test_bad_input_is_rejected_before_any_request(kwargs: dict[str, Any], error: str) -> None:
    args: dict[str, Any] = {
        "recipients": ["09121234567"],
        "message": "hi",
        "sender": "+983000505",
        "now": now,
    }
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError), match=error):
        sends.plan_sms(args.pop("recipients"), args.pop("message"), **args)


def test_message_text_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ippanel_provider.client")
    sends.plan_votp("918273", "09121234567", now=now)
    sends.plan_pattern("pat", "09121234567", {"code": 554433}, sender="+983000505", now=now)
    sends.plan_sms(["09121234567"], "س" * 71, sender="+983000505", now=now)
    assert "918273" not in caplog.text
    assert "554433" not in caplog.text
    assert "2 part(s)" in caplog.text


def test_pattern_params_become_strings_and_take_one_recipient() -> None:
    plan = sends.plan_pattern(
        "abc", "9121234567", {"code": 1234, "name": "Ali"}, sender="+983000505", now=now
    )
    body = plan.requests[0].json
    assert body["params"] == {"code": "1234", "name": "Ali"}
    assert body["recipients"] == ["+989121234567"]
    assert body["code"] == "abc"
    assert "1234" not in plan.requests[0].summary
    with pytest.raises(TypeError, match="exactly one recipient"):
        sends.plan_pattern("abc", ["0912", "0913"], {}, sender="x", now=now)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="string or a number"):
        sends.plan_pattern("abc", "09121234567", {"x": [1]}, sender="x", now=now)


def test_votp_body_has_no_sender() -> None:
    body = sends.plan_votp("4585", "09121234567", now=now).requests[0].json
    assert body == {
        "sending_type": "votp",
        "message": "4585",
        "params": {"recipients": ["+989121234567"]},
    }


def test_peer_to_peer_chunks_by_total_recipients() -> None:
    items = [(["09121234567", "09121234568", "09121234569"], "one"), (["09351234567"], "two")]
    plan = sends.plan_peer_to_peer(items, sender="+983000505", chunk_size=2, now=now)
    batches = [r.json["params"] for r in plan.requests]
    assert [[len(e["recipients"]) for e in b] for b in batches] == [[2], [1, 1]]
    assert [e["message"] for b in batches for e in b] == ["one", "one", "two"]
    assert plan.recipients == 4


def test_peer_to_peer_names_the_bad_item() -> None:
    with pytest.raises(InvalidRecipientsError, match="peer-to-peer item 2"):
        sends.plan_peer_to_peer([(["09121234567"], "a"), (["bad"], "b")], sender="s", now=now)


def test_peer_to_peer_file_from_csv_path(tmp_path: Path) -> None:
    path = tmp_path / "p2p.csv"
    path.write_text('recipient,message\n09121234567,سلام علی\n09351234567,"hi, bob"\n')
    plan = sends.plan_peer_to_peer_file(path, sender="+983000505", chunk_size=1, now=now)
    assert len(plan.requests) == 2
    fields = {f.name: f for f in plan.requests[1].files or ()}
    assert fields["sending_type"].value == "peer_to_peer_file"
    assert fields["from_number"].value == "+983000505"
    upload = fields["files[]"]
    assert upload.content_type == "text/csv"
    assert str(upload.filename).endswith(".csv")
    rows = list(csv.reader(io.StringIO(bytes(upload.value).decode())))  # type: ignore[arg-type]
    assert rows == [["recipient", "message"], ["+989351234567", "hi, bob"]]


def test_peer_to_peer_file_rows_are_checked() -> None:
    with pytest.raises(InvalidRecipientsError):
        sends.plan_peer_to_peer_file([("0912", "a")], sender="s", now=now)
    with pytest.raises(ValueError, match=r"empty message at positions \[2\]"):
        sends.plan_peer_to_peer_file(
            [("09121234567", "a"), ("09121234568", " ")], sender="s", now=now
        )
    with pytest.raises(ValueError, match=r"rows \[1\] do not"):
        sends.plan_peer_to_peer_file([("09121234567",), ("09121234568", "b")], sender="s", now=now)
    with pytest.raises(FileNotFoundError):
        sends.plan_peer_to_peer_file("/nonexistent/file.csv", sender="s", now=now)


def test_postal_code_body() -> None:
    target = PostalCodeTarget(postal_code=131, age_from=1330, age_to=1402)
    plan = sends.plan_postal_code(
        "msg",
        [target, {"postal_code": 141}],
        other_recipients=["09121234567"],
        sender="+98BANK",
        now=now,
    )
    body = plan.requests[0].json
    assert body["params"][0]["mci"] == {"start": 0, "size": 0}
    assert body["params"][1] == {"postal_code": 141}
    assert body["other_recipients"] == ["+989121234567"]
    with pytest.raises(ValueError, match="target 1 has no postal_code"):
        sends.plan_postal_code("msg", [{"bank": "all"}], sender="s", now=now)


class Scripted:
    """Executes requests from a script of answers (results or exceptions), recording paths."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.seen: list[ApiRequest[Any]] = []

    def __call__(self, request: ApiRequest[Any]) -> Any:
        self.seen.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def test_failed_chunk_carries_ids_already_sent() -> None:
    plan = sends.plan_sms(
        [f"0912{i:07d}" for i in range(3)], "x", sender="s", chunk_size=1, now=now
    )
    failure = IPPanelSendOutcomeUnknown(plan.requests[2].summary, "ReadTimeout")
    execute = Scripted([11], [12], failure)
    with pytest.raises(IPPanelSendOutcomeUnknown) as info:
        core.drive(core.send_operation(plan), execute)
    assert info.value.sent_outbox_ids == [11, 12]
    assert (info.value.failed_chunk, info.value.chunks) == (2, 3)
    assert "chunk 3 of 3" in str(info.value)


def test_all_chunks_ids_in_order() -> None:
    plan = sends.plan_sms(
        [f"0912{i:07d}" for i in range(3)], "x", sender="s", chunk_size=2, now=now
    )
    result = core.drive(core.send_operation(plan), Scripted([5], [6]))
    assert (result.message_outbox_ids, result.chunks, result.recipients) == ([5, 6], 2, 3)


def test_login_flows() -> None:
    creds = Credentials("sandbox", "pw")
    assert core.drive(core.login_operation(creds), Scripted(LoginResult("login", "t1"))) == "t1"

    secret = pyotp.random_base32()
    execute = Scripted(LoginResult("ga", "temp"), LoginResult("login", "final"))
    token = core.drive(core.login_operation(Credentials("ga", "pw", secret)), execute)
    assert token == "final"
    assert pyotp.TOTP(secret).verify(execute.seen[1].json["otp"], valid_window=1)

    with pytest.raises(IPPanelAuthError, match="totp_secret"):
        core.drive(core.login_operation(Credentials("ga", "pw")), Scripted(LoginResult("ga", "t")))

    with pytest.raises(IPPanelLoginError, match="API key") as info:
        core.drive(core.login_operation(Credentials("s", "pw")), Scripted(LoginResult("sms", "t")))
    assert "pw" not in str(info.value).replace("password", "")


def test_token_state_renews_before_expiry() -> None:
    moment = [0.0]
    state = core.TokenState(None, Credentials("u", "p"), clock=lambda: moment[0])
    assert state.header() is None
    state.store("tok")
    moment[0] = core.TOKEN_LIFETIME - core.TOKEN_RENEW_MARGIN - 1
    assert state.header() == "tok"
    moment[0] += 2
    assert state.header() is None
    with pytest.raises(ValueError, match="not both"):
        core.TokenState("k", Credentials("u", "p"))


def test_peer_to_peer_item_shape_is_checked() -> None:
    with pytest.raises(TypeError, match="item 1 must be"):
        sends.plan_peer_to_peer([("09121234567",)], sender="s", now=now)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="item 1 has no recipients"):
        sends.plan_peer_to_peer([([], "hi")], sender="s", now=now)
