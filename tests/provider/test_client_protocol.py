"""The sans-I/O layer: envelopes and errors in both editions' shapes, typed decoding."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ippanel_provider.client import (
    IPPanelApi,
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelServerError,
    IPPanelValidationError,
    MessageStatus,
    OutboxFilters,
    OutboxState,
    parse_response,
    protocol,
)
from ippanel_provider.client.api import first_request

OK_META = {"status": True, "message": "انجام شد", "message_parameters": [], "message_code": "200-1"}
BAD_CREDENTIALS = "اطلاعات وارد شده صحیح نمی باشد"


def envelope(data: Any, meta: dict[str, Any] | None = None, **top: Any) -> bytes:
    return json.dumps({"data": data, "meta": meta or OK_META, **top}).encode()


def error_meta(code: str, message: str, errors: Any = None) -> dict[str, Any]:
    meta = {"status": False, "message": message, "message_parameters": [], "message_code": code}
    if errors is not None:
        meta["errors"] = errors
    return meta


def test_login_request_is_unauthenticated_json_post() -> None:
    request = first_request(IPPanelApi.login, "user", "secret-password")
    assert (request.method, request.path) == ("POST", "/api/acl/auth/login")
    assert request.json == {"username": "user", "password": "secret-password"}
    assert not request.authenticated
    assert not request.is_send
    assert "secret-password" not in repr(request)


def test_login_answer_decodes() -> None:
    body = envelope({"method": "ga", "token": "tok"})
    result = parse_response(first_request(IPPanelApi.login, "u", "p"), 200, {}, body)
    assert (result.method, result.token) == ("ga", "tok")
    assert "tok" not in repr(result)


def test_spec_bad_credentials_is_auth_error() -> None:
    body = envelope(None, error_meta("400-1", BAD_CREDENTIALS, {}))
    with pytest.raises(IPPanelAuthError) as info:
        parse_response(first_request(IPPanelApi.login, "u", "p"), 401, {}, body)
    assert (info.value.http_status, info.value.message_code) == (401, "400-1")
    assert info.value.message == BAD_CREDENTIALS


def test_spec_validation_shape_in_meta() -> None:
    errors = {"password": ["تکمیل گزینه گذرواژه الزامی است"]}
    body = envelope(None, error_meta("400-2", "تکمیل گزینه گذرواژه الزامی است", errors))
    with pytest.raises(IPPanelValidationError) as info:
        parse_response(first_request(IPPanelApi.login, "u", ""), 422, {}, body)
    assert info.value.errors == errors
    assert "password" in str(info.value)


def test_later_edition_validation_shape_top_level() -> None:
    errors = {"username": ["نام کاربری یا رمز عبور اشتباه است"]}
    body = json.dumps({"errors": errors, "meta": error_meta("422-1", "درخواست معتبر نیست")})
    with pytest.raises(IPPanelValidationError) as info:
        parse_response(first_request(IPPanelApi.login, "u", "p"), 422, {}, body.encode())
    assert info.value.errors == errors
    assert info.value.message_code == "422-1"


def test_http_200_with_meta_status_false_is_an_error() -> None:
    body = envelope(None, error_meta("400-2", "bad", {"message": ["x"]}))
    with pytest.raises(IPPanelValidationError):
        parse_response(first_request(IPPanelApi.get_credit), 200, {}, body)


def test_http_200_bad_token_on_a_report_route_is_auth_error() -> None:
    body = envelope(None, error_meta("400-1", BAD_CREDENTIALS, {}))
    with pytest.raises(IPPanelAuthError):
        parse_response(first_request(IPPanelApi.get_credit), 200, {}, body)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (404, "404-1", IPPanelNotFoundError),
        (400, "400-31", IPPanelValidationError),
        (500, "500-1", IPPanelServerError),
        (503, "", IPPanelServerError),
        (413, "413-1", IPPanelValidationError),
    ],
)
def test_status_maps_to_error_class(status: int, code: str, cls: type[IPPanelApiError]) -> None:
    body = envelope(None, error_meta(code, "پیام"))
    with pytest.raises(cls) as info:
        parse_response(first_request(IPPanelApi.bulk_stats, 5), status, {}, body)
    assert info.value.http_status == status


def test_rate_limit_reads_retry_after() -> None:
    body = envelope(None, error_meta("429-1", "too many"))
    with pytest.raises(IPPanelRateLimitError) as info:
        parse_response(first_request(IPPanelApi.get_credit), 429, {"Retry-After": "7"}, body)
    assert info.value.retry_after == 7.0


def test_retry_after_http_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert protocol.parse_retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now=now) == 30.0
    assert protocol.parse_retry_after("garbage") is None


def test_non_json_answers() -> None:
    with pytest.raises(IPPanelServerError):
        parse_response(first_request(IPPanelApi.get_credit), 502, {}, b"<html>bad gateway</html>")
    with pytest.raises(IPPanelServerError):
        parse_response(first_request(IPPanelApi.get_credit), 200, {}, b"")


def test_outbox_page_turns_strings_into_numbers_and_enums() -> None:
    row = {
        "messages_outbox_id": "12545856",
        "state_id": 6,
        "state": "finish",
        "time_send": "1745409418",
        "rcpts_count": "3",
        "exit_count": "3",
        "cost": 3990.2,
        "part": None,
        "message": "secret text",
        "type": "webservice",
        "number": "+983000505",
    }
    meta = {**OK_META, "current_page": 1, "last_page": 4, "per_page": 1, "total": 4}
    page = parse_response(
        first_request(IPPanelApi.outbox_report, page=1, limit=1), 200, {}, envelope([row], meta)
    )
    bulk = page.items[0]
    assert bulk.messages_outbox_id == 12545856
    assert bulk.rcpts_count == 3
    assert bulk.state_id is OutboxState.SENT
    assert bulk.state_id.is_final
    assert page.has_next
    assert page.total == 4
    assert "secret text" not in repr(bulk)


def test_recipients_page_null_status_before_final() -> None:
    rows = [
        {
            "recipient": "+989190000000",
            "message": "m",
            "is_readable": True,
            "msg_parts": "1",
            "message_status": None,
        },
        {
            "recipient": "+989120000000",
            "message": "m",
            "is_readable": True,
            "msg_parts": "2",
            "message_status": "3",
        },
    ]
    meta = {**OK_META, "current_page": 1, "last_page": 1, "per_page": 10, "total": 2}
    page = parse_response(
        first_request(IPPanelApi.bulk_recipients, 9, page=1, per_page=10),
        200,
        {},
        envelope(rows, meta),
    )
    assert page.items[0].message_status is None
    assert page.items[1].message_status is MessageStatus.NOT_DELIVERED
    assert page.items[1].message_status.is_failure
    assert page.items[1].msg_parts == 2
    assert not page.has_next


def test_bulk_stats_totals() -> None:
    data = {
        "operators_delivered": {"irancell": {"en": 0, "fa": "1"}, "mci": {"en": 2, "fa": 0}},
        "operators_failed": {"irancell": {"en": 0, "fa": 0}, "mci": {"en": 0, "fa": "4"}},
    }
    stats = parse_response(first_request(IPPanelApi.bulk_stats, 1), 200, {}, envelope(data))
    assert (stats.delivered, stats.failed, stats.pending) == (3, 4, 0)


def test_report_requests() -> None:
    stats = first_request(IPPanelApi.bulk_stats, 77)
    assert (stats.method, stats.path, stats.params) == (
        "GET",
        "/api/report/bulk_stats",
        {"bulk_id": "77"},
    )
    recipients = first_request(IPPanelApi.bulk_recipients, 77, page=2, per_page=50)
    assert recipients.params == {"page": "2", "per_page": "50", "bulk_id": "77"}
    by_bulk = first_request(IPPanelApi.bulk_report, 77)
    assert (by_bulk.method, by_bulk.path, by_bulk.json) == (
        "POST",
        "/api/report/by_bulk/77",
        {"page": 1, "limit": 10},
    )
    with pytest.raises(ValueError, match="page"):
        first_request(IPPanelApi.bulk_recipients, 77, page=0, per_page=50)


def test_outbox_filters_become_strings_and_unix_seconds() -> None:
    from datetime import UTC, datetime

    filters = OutboxFilters(
        state_id=OutboxState.SENT,
        create_from_date=datetime(2025, 4, 8, tzinfo=UTC),
        messages_outbox_id=1100972179,
    )
    request = first_request(IPPanelApi.outbox_report, page=2, limit=20, filters=filters)
    assert request.json == {
        "page": 2,
        "limit": 20,
        "filters": {
            "state_id": "6",
            "create_from_date": "1744070400",
            "messages_outbox_id": "1100972179",
        },
    }


def test_enum_meanings_follow_the_spec() -> None:
    assert OutboxState(8).meaning == "Insufficient credit for sending."
    assert OutboxState.INSUFFICIENT_CREDIT.is_failure
    assert not OutboxState.IN_SEND_QUEUE.is_final
    assert MessageStatus(4).meaning == "Blacklisted number"
    assert MessageStatus.DELIVERED.is_final
    assert not MessageStatus.OPERATOR_RECEIVED.is_final
