"""What the hooks' clients actually put on the wire: headers, and the route through a proxy.

Unknown connection extras must never become HTTP headers (Airflow's HttpHook turns every extra
into one); the ``proxy`` extra must route requests through that proxy, even when the machine's
environment names another one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from airflow_support import SANDBOX_KEY, SANDBOX_SENDER, captured, set_connection, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.hooks.ippanel import IPPanelAsyncHook, IPPanelHook
from local_http_server import ThreadedApp, catch_all

UNKNOWN_EXTRAS = {
    "X-Forwarded-For": "10.9.8.7",
    "Authorization-Override": "leak-me-not",
    "headers": "{'X-Debug': '1'}",
}


@dataclass
class HeaderRecorder:
    app: ThreadedApp | None = None
    seen: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def recorder() -> Iterator[HeaderRecorder]:
    recording = HeaderRecorder()

    async def handle(request: web.Request) -> web.Response:
        recording.seen.append(dict(request.headers))
        return web.json_response({"data": {"credit": 5}, "meta": {"status": True}})

    with ThreadedApp(catch_all(handle)) as app:
        recording.app = app
        yield recording


def _assert_only_known_headers(seen: list[dict[str, str]]) -> None:
    assert seen, "the server saw no request"
    for headers in seen:
        names = {name.lower() for name in headers}
        assert headers["Authorization"] == SANDBOX_KEY
        for name, value in UNKNOWN_EXTRAS.items():
            assert name.lower() not in names
            assert value not in headers.values()
        assert "x-debug" not in names


def test_sync_hook_never_turns_extras_into_headers(
    monkeypatch: pytest.MonkeyPatch, recorder: HeaderRecorder
) -> None:
    assert recorder.app is not None
    set_connection(monkeypatch, host=recorder.app.url, password=SANDBOX_KEY, extra=UNKNOWN_EXTRAS)
    with IPPanelHook() as hook:
        assert hook.get_conn().get_credit() == 5
    _assert_only_known_headers(recorder.seen)


async def test_async_hook_never_turns_extras_into_headers(
    monkeypatch: pytest.MonkeyPatch, recorder: HeaderRecorder
) -> None:
    assert recorder.app is not None
    set_connection(monkeypatch, host=recorder.app.url, password=SANDBOX_KEY, extra=UNKNOWN_EXTRAS)
    async with IPPanelAsyncHook() as hook:
        assert await (await hook.get_conn()).get_credit() == 5
    _assert_only_known_headers(recorder.seen)


@dataclass
class ForwardProxy:
    """A plain-HTTP forward proxy: records each absolute-form request, then relays it."""

    app: ThreadedApp | None = None
    relayed: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        assert self.app is not None
        return self.app.url


@pytest.fixture
def forward_proxy() -> Iterator[ForwardProxy]:
    proxy = ForwardProxy()

    async def relay(request: web.Request) -> web.Response:
        target = str(request.url)
        proxy.relayed.append(f"{request.method} {request.url.path}")
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, target, headers=headers, data=await request.read()
            ) as answer,
        ):
            return web.Response(
                status=answer.status,
                body=await answer.read(),
                content_type=answer.content_type,
            )

    with ThreadedApp(catch_all(relay)) as app:
        proxy.app = app
        yield proxy


HOP_HEADERS = {"host", "proxy-connection", "connection", "content-length", "transfer-encoding"}


def _misleading_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's own proxy settings point nowhere; the connection's proxy must win."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def test_sync_hook_sends_through_the_proxy_extra(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox, forward_proxy: ForwardProxy
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox, proxy=forward_proxy.url)
    with monkeypatch.context() as environment, IPPanelHook() as hook:
        _misleading_environment(environment)
        result = hook.get_conn().send_sms(["09120000001"], "via the proxy")
    assert forward_proxy.relayed == ["POST /api/send"]
    (message,) = captured(ippanel_sandbox, bulk_id=result.message_outbox_ids[0])
    assert (message["text"], message["sender"]) == ("via the proxy", SANDBOX_SENDER)


async def test_async_hook_sends_through_the_proxy_extra(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox, forward_proxy: ForwardProxy
) -> None:
    _misleading_environment(monkeypatch)
    use_sandbox(monkeypatch, ippanel_sandbox, proxy=forward_proxy.url)
    async with IPPanelAsyncHook() as hook:
        account = await (await hook.get_conn()).check_token()
    assert account.user_name == "sandbox"
    assert forward_proxy.relayed == ["POST /api/acl/auth/check_token"]
