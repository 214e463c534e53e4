"""Error answers the sandbox never gives, served over a real socket to both transports.

IPPanel has been seen to answer errors with HTTP 200 and ``meta.status: false``; the later
edition puts field errors at the top level with ``422-1``. Each answer must become the typed
exception a caller would catch for the same error sent with a proper HTTP status.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from client_support import SENDER, RecordedSleeps
from ippanel_provider.client import (
    AsyncIPPanelClient,
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelClient,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    IPPanelValidationError,
)
from local_http_server import ThreadedApp, catch_all

API_KEY = "error-shape-key"
NO_CREDIT = "اعتبار کافی نیست"
BAD_CREDENTIALS = "اطلاعات وارد شده صحیح نمی باشد"
REQUIRED = "تکمیل گزینه پیام الزامی است"


@dataclass
class ScriptedServer:
    """Answers every request with ``answer``; counts hits per path."""

    app: ThreadedApp | None = None
    answer: tuple[int, dict[str, str], dict[str, Any]] = (200, {}, {})
    hits: Counter[str] = field(default_factory=Counter)

    @property
    def url(self) -> str:
        assert self.app is not None
        return self.app.url

    def respond(self, status: int, body: dict[str, Any], **headers: str) -> None:
        self.answer = (status, headers, body)


def envelope(
    code: str, message: str, *, meta_errors: dict[str, list[str]] | None = None, **top: Any
) -> dict[str, Any]:
    """An error envelope; field errors in ``meta`` (spec) or at the top level (later edition)."""
    meta: dict[str, Any] = {
        "status": False,
        "message": message,
        "message_parameters": [],
        "message_code": code,
    }
    if meta_errors is not None:
        meta["errors"] = meta_errors
    return {"data": None, "meta": meta, **top}


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer()

    async def handle(request: web.Request) -> web.Response:
        scripted.hits[request.path] += 1
        status, headers, body = scripted.answer
        return web.Response(
            status=status,
            headers=headers,
            body=json.dumps(body).encode(),
            content_type="application/json",
        )

    with ThreadedApp(catch_all(handle)) as app:
        scripted.app = app
        yield scripted


CASES: list[tuple[str, int, dict[str, Any], type[IPPanelApiError]]] = [
    ("200, meta false, business 400-1", 200, envelope("400-1", NO_CREDIT), IPPanelValidationError),
    ("200, meta false, bad key", 200, envelope("400-1", BAD_CREDENTIALS), IPPanelAuthError),
    ("200, meta false, 401 code", 200, envelope("401-1", BAD_CREDENTIALS), IPPanelAuthError),
    ("200, meta false, 404 code", 200, envelope("404-1", "یافت نشد"), IPPanelNotFoundError),
    (
        "spec shape: meta.errors",
        422,
        envelope("400-2", REQUIRED, meta_errors={"message": [REQUIRED]}),
        IPPanelValidationError,
    ),
    (
        "later shape: top-level errors, 422-1",
        422,
        envelope("422-1", REQUIRED, errors={"message": [REQUIRED]}),
        IPPanelValidationError,
    ),
]


def _check(error: IPPanelApiError, status: int, body: dict[str, Any]) -> None:
    meta = body["meta"]
    assert error.http_status == status
    assert error.message_code == meta["message_code"]
    assert error.message == meta["message"]
    assert meta["message"] in str(error)
    assert API_KEY not in str(error)
    if status == 422:
        assert error.errors == {"message": [REQUIRED]}


@pytest.mark.parametrize(("case", "status", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sync_send_gets_the_typed_error_and_is_sent_once(
    server: ScriptedServer,
    client_sleeps: RecordedSleeps,
    case: str,
    status: int,
    body: dict[str, Any],
    expected: type[IPPanelApiError],
) -> None:
    server.respond(status, body)
    client = IPPanelClient(server.url, api_key=API_KEY, sleep=client_sleeps)
    with client, pytest.raises(IPPanelApiError) as caught:
        client.send_sms(["09120000001"], "hello", sender=SENDER)
    assert type(caught.value) is expected
    _check(caught.value, status, body)
    assert server.hits["/api/send"] == 1
    assert client_sleeps.delays == []


@pytest.mark.parametrize(("case", "status", "body", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_async_read_gets_the_typed_error(
    server: ScriptedServer,
    client_sleeps: RecordedSleeps,
    case: str,
    status: int,
    body: dict[str, Any],
    expected: type[IPPanelApiError],
) -> None:
    server.respond(status, body)
    async with AsyncIPPanelClient(
        server.url, api_key=API_KEY, sleep=client_sleeps.async_sleep
    ) as client:
        with pytest.raises(IPPanelApiError) as caught:
            await client.bulk_stats(7)
    assert type(caught.value) is expected
    _check(caught.value, status, body)
    assert client_sleeps.delays == []


def test_rate_limit_retry_after_is_honoured_then_reported(
    server: ScriptedServer, client_sleeps: RecordedSleeps
) -> None:
    server.respond(429, envelope("429-1", "تعداد درخواست ها زیاد است"), **{"Retry-After": "7"})
    client = IPPanelClient(server.url, api_key=API_KEY, sleep=client_sleeps)
    with client, pytest.raises(IPPanelRateLimitError) as caught:
        client.get_credit()
    assert caught.value.retry_after == 7.0
    attempts = server.hits["/api/payment/credit/mine"]
    assert attempts == client.read_retry.max_attempts
    assert client_sleeps.delays == [7.0] * (attempts - 1)


async def test_server_error_on_200_send_is_outcome_unknown(
    server: ScriptedServer, client_sleeps: RecordedSleeps
) -> None:
    """A 5xx code inside a 200 answer to a send: IPPanel may have acted, so no retry."""
    server.respond(200, envelope("500-1", "خطای سرور"))
    async with AsyncIPPanelClient(
        server.url, api_key=API_KEY, sleep=client_sleeps.async_sleep
    ) as client:
        with pytest.raises(IPPanelSendOutcomeUnknown) as caught:
            await client.send_sms(["09120000001"], "hello", sender=SENDER)
    assert isinstance(caught.value.__cause__, IPPanelServerError)
    assert "1 recipient(s) from +983000505" in str(caught.value)
    assert server.hits["/api/send"] == 1
