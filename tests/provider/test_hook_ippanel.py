"""IPPanelHook / IPPanelAsyncHook: connection -> client settings, masking, test_connection."""

from __future__ import annotations

import pytest
from airflow.sdk._shared.secrets_masker import redact
from airflow_support import GA_SECRET, SANDBOX_KEY, SANDBOX_SENDER, set_connection, use_sandbox
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import DEFAULT_BASE_URL, AsyncIPPanelClient, IPPanelClient
from ippanel_provider.hooks.ippanel import (
    IPPanelAsyncHook,
    IPPanelConnectionError,
    IPPanelHook,
)
from sandbox_support import PASSWORD


def test_hook_identity_matches_airflow_conventions() -> None:
    assert IPPanelHook.conn_type == "ippanel"
    assert IPPanelHook.default_conn_name == "ippanel_default"
    assert IPPanelHook.conn_name_attr == "ippanel_conn_id"
    assert IPPanelHook().ippanel_conn_id == "ippanel_default"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, DEFAULT_BASE_URL),
        ({"host": "https://sms.example.ir/v1/"}, "https://sms.example.ir/v1"),
        ({"host": "sms.example.ir/v1"}, "https://sms.example.ir/v1"),
        ({"host": "127.0.0.1", "schema": "http", "port": 8080}, "http://127.0.0.1:8080"),
        ({"host": "http://127.0.0.1:9000/api-root"}, "http://127.0.0.1:9000/api-root"),
    ],
)
def test_base_url_comes_from_host_schema_and_port(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, object], expected: str
) -> None:
    set_connection(monkeypatch, password="a-long-api-key", **fields)
    assert IPPanelHook().config.base_url == expected


def test_extras_are_parsed_into_client_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(
        monkeypatch,
        password="a-long-api-key",
        extra={
            "sender": "+9810001",
            "read_timeout": "12.5",
            "recipients_per_request": "250",
            "verify": "false",
            "proxy": "http://proxy.local:3128",
        },
    )
    config = IPPanelHook().config
    assert (config.sender, config.recipients_per_request) == ("+9810001", 250)
    assert config.timeout == (5.0, 12.5)
    assert config.verify is False
    assert config.proxy == "http://proxy.local:3128"
    assert config.api_key == "a-long-api-key"
    assert config.credentials is None


def test_tls_verification_is_on_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    set_connection(monkeypatch, password="a-long-api-key")
    assert IPPanelHook().config.verify is True


def test_unknown_extras_are_named_in_a_warning_without_their_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    set_connection(
        monkeypatch,
        password="a-long-api-key",
        extra={"X-Custom-Header": "value-that-must-not-leak", "sender": "+9810001"},
    )
    IPPanelHook().config  # noqa: B018
    warnings = capsys.readouterr().out  # Airflow's structlog writes task logs to stdout
    assert "X-Custom-Header" in warnings
    assert "value-that-must-not-leak" not in warnings


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"password": "k" * 12, "extra": {"timeout": "soon"}}, "timeout"),
        ({"password": "k" * 12, "extra": {"timeout": -1}}, "timeout"),
        ({"password": "k" * 12, "extra": {"recipients_per_request": 0}}, "recipients_per_request"),
        ({"host": "https://", "password": "k" * 12}, "host"),
        ({}, "API key"),
        ({"login": "sandbox"}, "password"),
    ],
)
def test_bad_connections_fail_with_a_message_naming_the_field(
    monkeypatch: pytest.MonkeyPatch, fields: dict[str, object], named: str
) -> None:
    set_connection(monkeypatch, **fields)
    with pytest.raises(IPPanelConnectionError, match=named) as info:
        IPPanelHook().get_conn()
    assert "k" * 12 not in str(info.value)


def test_secrets_are_registered_with_the_masker_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    api_key, totp = "api-key-to-hide-0123", "TOTPSECRETTOHIDE234567"
    set_connection(monkeypatch, password=api_key, extra={"totp_secret": totp})
    IPPanelHook().config  # noqa: B018
    assert redact(f"key={api_key} totp={totp}") == "key=*** totp=***"


def test_get_conn_builds_and_caches_a_configured_client(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox, recipients_per_request=7)
    with IPPanelHook() as hook:
        client = hook.get_conn()
        assert isinstance(client, IPPanelClient)
        assert hook.get_conn() is client
        assert client.recipients_per_request == 7
        assert client.default_sender == SANDBOX_SENDER
        assert hook.default_sender == SANDBOX_SENDER


def test_test_connection_names_the_account(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox)
    ok, message = IPPanelHook().test_connection()
    assert ok
    assert message.startswith("Connected as ")
    assert message.endswith("(sandbox)")


def test_test_connection_reports_a_bad_key_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, password="wrong-key-1234567")
    ok, message = IPPanelHook().test_connection()
    assert not ok
    assert "401" in message
    assert "wrong-key-1234567" not in message


def test_username_and_password_log_in(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, login="sandbox", password=PASSWORD)
    hook = IPPanelHook()
    assert hook.config.api_key is None
    assert hook.test_connection()[0]


def test_login_tokens_are_masked_as_soon_as_the_client_stores_them(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, login="sandbox", password=PASSWORD)
    assert IPPanelHook().test_connection()[0]
    (token,) = ippanel_sandbox.backend.users.tokens_of("sandbox")
    assert redact(f"Authorization: {token}") == "Authorization: ***"


def test_google_authenticator_login_uses_the_totp_secret_extra(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(
        monkeypatch,
        host=ippanel_sandbox.url,
        login="sandbox-ga",
        password=PASSWORD,
        extra={"totp_secret": GA_SECRET},
    )
    ok, message = IPPanelHook().test_connection()
    assert ok, message
    assert message.endswith("(sandbox-ga)")


def test_sms_otp_accounts_get_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, login="sandbox-sms", password=PASSWORD)
    ok, message = IPPanelHook().test_connection()
    assert not ok
    assert "SMS one-time password" in message
    assert PASSWORD not in message


async def test_async_hook_builds_an_async_client(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox)
    async with IPPanelAsyncHook() as hook:
        client = await hook.get_conn()
        assert isinstance(client, AsyncIPPanelClient)
        assert await hook.get_conn() is client
        account = await client.check_token()
    assert account.user_name == "sandbox"
    assert redact(SANDBOX_KEY) == "***"
