"""The sandbox's own security: tenant isolation, dead/forged/temporary tokens, the admin token,
and no secret in its logs. Token expiry and the OTP guess limit are in
tests/mock_server/test_api_auth.py; the admin token on a few routes in test_admin_api.py."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pyotp
import pytest
import requests
from aiohttp import web
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxBackend, SandboxConfig, create_app
from ippanel_mock.http.envelope import MSG_BAD_CREDENTIALS
from ippanel_mock.http.openapi import build_document
from ippanel_mock.models.users import DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET
from sandbox_support import API_KEY, app_client, sandbox_process

Client = TestClient[web.Request, web.Application]
OTHER_KEY = "other-tenant-key-7f3a"
ADMIN_TOKEN = "admin-s3cret-token"
SCHEDULED = "2999-01-01 10:00:00"


def webservice(**extra: Any) -> dict[str, Any]:
    return {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": "secret campaign text",
        "params": {"recipients": ["09121234567", "09351234567"]},
        **extra,
    }


# every route that needs a caller, with a request that would succeed for the owner
def protected_calls(bulk_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("POST", "/api/acl/auth/check_token", {}),
        ("GET", "/api/payment/credit/mine", {}),
        ("POST", "/api/send", {"json": webservice()}),
        ("POST", "/api/send/calculate-price", {"json": {"message": "hi"}}),
        ("POST", "/api/send/cancel", {"json": {"message_outbox_id": bulk_id}}),
        ("POST", "/api/report/new_list", {"json": {}}),
        ("POST", f"/api/report/by_bulk/{bulk_id}", {"json": {}}),
        ("GET", "/api/report/by_bulk", {"params": {"messages_outbox_id": str(bulk_id)}}),
        ("GET", "/api/report/bulk_stats", {"params": {"bulk_id": str(bulk_id)}}),
        ("GET", "/api/report/recipients", {"params": {"bulk_id": str(bulk_id)}}),
    ]


@pytest.fixture
async def sandbox(
    aiohttp_client: Callable[..., Awaitable[Client]],
) -> tuple[Client, SandboxBackend]:
    backend = SandboxBackend(SandboxConfig(delivery_delay=0))
    return await app_client(aiohttp_client, backend=backend), backend


async def call(
    client: Client, method: str, path: str, key: str | None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": key} if key is not None else {}
    resp = await client.request(method, path, headers=headers, **kwargs)
    return resp.status, await resp.json()


async def owner_bulk(client: Client) -> int:
    """A scheduled bulk of the default user (so cancel would succeed for its owner)."""
    status, body = await call(
        client, "POST", "/api/send", API_KEY, json=webservice(send_time=SCHEDULED)
    )
    assert status == 200, body
    bulk_id: int = body["data"]["message_outbox_ids"][0]
    return bulk_id


def assert_401(status: int, body: dict[str, Any]) -> None:
    assert status == 401, body
    assert body["data"] is None
    assert body["meta"]["status"] is False
    assert (body["meta"]["message_code"], body["meta"]["message"]) == ("400-1", MSG_BAD_CREDENTIALS)


async def test_a_second_user_cannot_read_list_stat_or_cancel_anothers_bulk(sandbox: Any) -> None:
    client, backend = sandbox
    resp = await client.post(
        "/__sandbox/users",
        json={"username": "tenant-b", "mobile": "09127770000", "api_key": OTHER_KEY},
    )
    assert resp.status == 201
    bulk_id = await owner_bulk(client)

    for method, path, kwargs in protected_calls(bulk_id)[4:]:
        status, body = await call(client, method, path, OTHER_KEY, **kwargs)
        if path == "/api/report/new_list":
            assert (status, body["data"], body["meta"]["total"]) == (200, [], 0)
            status, body = await call(
                client, method, path, OTHER_KEY, json={"filters": {"username": "sandbox"}}
            )
            assert (status, body["data"]) == (200, [])
            continue
        # cancel's not-found is documented (later edition) as 404 with message_code 400-1
        code = "400-1" if path == "/api/send/cancel" else "404-1"
        assert (status, body["meta"]["message_code"]) == (404, code), (path, body)
        assert "secret campaign text" not in str(body)

    status, body = await call(
        client, "GET", "/api/report/by_bulk", API_KEY, params={"messages_outbox_id": str(bulk_id)}
    )
    assert status == 200
    assert body["data"]["state_id"] == 5, "the other user's cancel must not have landed"
    assert backend.outbox.count("tenant-b") == 0


@pytest.mark.parametrize(
    "token_kind", ["forged", "logged-out", "expired-final", "temporary", "empty", "bearer-prefixed"]
)
async def test_dead_forged_and_temporary_tokens_get_the_401_envelope_everywhere(
    sandbox: Any, token_kind: str
) -> None:
    client, backend = sandbox
    bulk_id = await owner_bulk(client)
    if token_kind == "temporary":
        status, body = await call(
            client,
            "POST",
            "/api/acl/auth/login",
            None,
            json={"username": "sandbox-ga", "password": DEFAULT_PASSWORD},
        )
        assert (status, body["data"]["method"]) == (200, "ga")
        token = body["data"]["token"]
    elif token_kind in ("logged-out", "expired-final"):
        status, body = await call(
            client,
            "POST",
            "/api/acl/auth/login",
            None,
            json={"username": "sandbox", "password": DEFAULT_PASSWORD},
        )
        token = body["data"]["token"]
        assert (await call(client, "POST", "/api/acl/auth/check_token", token))[0] == 200
        if token_kind == "logged-out":
            assert (await call(client, "POST", "/api/acl/auth/logout", token))[0] == 200
        else:
            backend.clock.advance(10 * 3600 + 1)
    elif token_kind == "forged":
        token = "eyJhbGciOiJub25lIn0.eyJ1c2VyIjoic2FuZGJveCJ9."
    elif token_kind == "bearer-prefixed":
        token = f"Bearer {API_KEY}x"
    else:
        token = ""
    bulks_before = backend.outbox.count()
    for method, path, kwargs in protected_calls(bulk_id):
        assert_401(*await call(client, method, path, token, **kwargs))
    assert_401(*await call(client, "POST", "/api/acl/auth/logout", token))
    assert backend.outbox.count() == bulks_before


async def test_temporary_token_past_six_minutes_cannot_be_confirmed(sandbox: Any) -> None:
    client, backend = sandbox
    _, body = await call(
        client,
        "POST",
        "/api/acl/auth/login",
        None,
        json={"username": "sandbox-ga", "password": DEFAULT_PASSWORD},
    )
    token = body["data"]["token"]
    backend.clock.advance(6 * 60 + 1)
    code = pyotp.TOTP(DEFAULT_TOTP_SECRET).at(backend.clock.now())
    assert_401(
        *await call(
            client, "POST", "/api/acl/auth/confirm_otp", None, json={"token": token, "otp": code}
        )
    )


PATH_PARAM = re.compile(r"\{([^}]+)\}")
"""A path parameter of a documented route; each gets a value any route reads as well-formed."""


def admin_operations() -> list[tuple[str, str]]:
    document = build_document(create_app(SandboxConfig()))
    return [
        (method.upper(), PATH_PARAM.sub(lambda m: "sandbox" if m[1] == "username" else "1", path))
        for path, ops in document["paths"].items()
        if path.startswith("/__sandbox")
        for method, op in ops.items()
        if {"AdminToken": []} in op["security"]  # not the web UI's static page and assets
    ]


@pytest.mark.parametrize(("method", "path"), admin_operations())
async def test_every_admin_operation_refuses_without_the_admin_token(
    aiohttp_client: Callable[..., Awaitable[Client]], method: str, path: str
) -> None:
    backend = SandboxBackend(SandboxConfig(admin_token=ADMIN_TOKEN, delivery_delay=0))
    client = await app_client(aiohttp_client, backend=backend)
    users_before = [u.username for u in backend.users.all()]
    for headers in ({}, {"X-Sandbox-Admin-Token": "wrong"}, {"Authorization": API_KEY}):
        resp = await client.request(method, path, headers=headers, json={"username": "x"})
        assert resp.status == 401, (method, path, headers)
        assert ADMIN_TOKEN not in await resp.text()
    assert [u.username for u in backend.users.all()] == users_before
    resp = await client.request(
        method, path, headers={"X-Sandbox-Admin-Token": ADMIN_TOKEN}, params={"timeout": "0"}
    )
    assert resp.status != 401


def test_cli_with_access_log_guards_admin_and_never_logs_a_secret() -> None:
    """A full flow against `python -m ippanel_mock --admin-token … --access-log`: every secret
    that crossed the wire (API key, password, tokens, OTP, admin token) is absent from stderr."""
    secrets = [API_KEY, DEFAULT_PASSWORD, ADMIN_TOKEN]
    flags = ("--delivery-delay", "0", "--admin-token", ADMIN_TOKEN, "--access-log")
    with sandbox_process(*flags) as running:
        url = running.url
        assert url.startswith("http://127.0.0.1:")
        admin = {"X-Sandbox-Admin-Token": ADMIN_TOKEN}
        assert requests.get(f"{url}/__sandbox/users", timeout=5).status_code == 401
        assert requests.post(f"{url}/__sandbox/reset", timeout=5).status_code == 401

        login = requests.post(
            f"{url}/api/acl/auth/login",
            timeout=5,
            json={"username": "sandbox-sms", "password": DEFAULT_PASSWORD},
        )
        temp = login.json()["data"]["token"]
        sent = requests.post(f"{url}/api/acl/auth/send_sms_otp", json={"token": temp}, timeout=5)
        assert sent.status_code == 200, sent.text
        otp = requests.get(f"{url}/__sandbox/otp/sandbox-sms", headers=admin, timeout=5)
        code = otp.json()["code"]
        bad = requests.post(
            f"{url}/api/acl/auth/confirm_otp",
            timeout=5,
            json={"token": temp, "otp": "000000" if code != "000000" else "1"},
        )
        assert bad.status_code == 401
        final = requests.post(
            f"{url}/api/acl/auth/confirm_otp", timeout=5, json={"token": temp, "otp": code}
        ).json()["data"]["token"]
        for key in (final, API_KEY):
            send = requests.post(
                f"{url}/api/send", json=webservice(), timeout=5, headers={"Authorization": key}
            )
            assert send.status_code == 200, send.text
            bulk_id = send.json()["data"]["message_outbox_ids"][0]
            report = requests.get(
                f"{url}/api/report/recipients",
                timeout=5,
                params={"bulk_id": bulk_id},
                headers={"Authorization": key},
            )
            assert report.status_code == 200
        assert (
            requests.post(
                f"{url}/api/acl/auth/logout", headers={"Authorization": final}, timeout=5
            ).status_code
            == 200
        )
        url_form = {"from": "+983000505", "message": "hi", "to": "09121234567"}
        for credentials in ({"apikey": API_KEY}, {"username": "sandbox", "pass": DEFAULT_PASSWORD}):
            by_url = requests.get(
                f"{url}/api/send/webservice", params={**url_form, **credentials}, timeout=5
            )
            assert by_url.status_code == 200, by_url.text
        secrets += [temp, final]
        _, stderr = running.stop()
    assert "/api/send" in stderr, "the access log is on"
    assert "/api/send/webservice?from=" in stderr, "the URL form's request line is logged"
    assert "/__sandbox/otp/sandbox-sms" in stderr
    for secret in secrets:
        assert secret not in stderr, "a secret reached the sandbox's log"
    assert not re.search(rf"(?<![0-9]){code}(?![0-9])", stderr), "the OTP reached the log"


async def test_every_secret_is_compared_in_constant_time(
    aiohttp_client: Callable[..., Awaitable[Client]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 9, item 9: passwords (login and the URL form), SMS OTPs, password-reset OTPs and the
    admin token all go through hmac.compare_digest (as bytes, so any text compares), wrong or
    right, for unknown users too."""
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(given: Any, expected: Any) -> bool:
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    backend = SandboxBackend(SandboxConfig(admin_token=ADMIN_TOKEN, delivery_delay=0))
    users = backend.users

    assert users.login("sandbox", "wrong password") is None
    assert (b"wrong password", DEFAULT_PASSWORD.encode()) in compared
    assert users.login("nobody", "guess") is None
    assert any(given == b"guess" for given, _ in compared), "an unknown user is compared too"

    pending = users.login("sandbox-sms", DEFAULT_PASSWORD)
    assert pending is not None
    code = backend.messages.latest().text.rsplit(" ", 1)[-1]  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    assert users.confirm_otp(pending.token, wrong) is None
    assert (wrong.encode(), code.encode()) in compared

    token = users.forgot_password("sandbox", "+989120000100")
    assert token is not None
    reset_code = backend.messages.latest().text.rsplit(" ", 1)[-1]  # type: ignore[union-attr]
    assert not users.change_password_by_token(token, wrong, "new-password")
    assert (wrong.encode(), reset_code.encode()) in compared

    # the URL form's username and password (password_caller): an unknown name, or one with a
    # second factor, is compared against a stand-in so the time does not tell which names exist
    for username in ("sandbox", "nobody", "sandbox-ga"):
        compared.clear()
        assert backend.password_caller(username, "url guess") is None
        assert [given for given, _ in compared] == [b"url guess"], username
    assert backend.password_caller("sandbox", "\ud800") is None  # any text compares
    assert backend.password_caller("sandbox", DEFAULT_PASSWORD) is users.get("sandbox")

    client = await app_client(aiohttp_client, backend=backend)
    resp = await client.get("/__sandbox/users", headers={"X-Sandbox-Admin-Token": "nope"})
    assert resp.status == 401
    assert (b"nope", ADMIN_TOKEN.encode()) in compared


def test_passwords_in_any_script_log_in(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = SandboxBackend(SandboxConfig())
    backend.users.create_user("persian", "گذرواژهٔ من", mobile="09121110000")
    assert backend.users.login("persian", "گذرواژهٔ من") is not None
    assert backend.users.login("persian", "گذرواژه") is None
