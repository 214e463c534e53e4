"""Proof: TLS certificates are verified unless the connection turns verification off.

The sandbox app is served over HTTPS with a freshly generated self-signed certificate. With the
connection's defaults the hooks' clients refuse it (a typed transport error: nothing was sent);
with ``verify: false`` they talk to it; with ``verify`` naming the certificate as CA bundle they
trust it and verify it.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import certifi
import pytest
from aiohttp import web
from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.app import BACKEND, create_app
from ippanel_provider.client.errors import IPPanelTransportError
from ippanel_provider.hooks.ippanel import IPPanelAsyncHook, IPPanelHook
from sandbox_support import API_KEY
from tls_support import self_signed_certificate

INSECURE_WARNING = "ignore::urllib3.exceptions.InsecureRequestWarning"


async def no_sleep(seconds: float) -> None:
    return None


@dataclass
class TlsSandbox:
    url: str
    cert_file: Path
    app: web.Application

    def captured_texts(self) -> list[str]:
        return [m.text for m in self.app[BACKEND].messages.query(per_page=1000).items]


@pytest.fixture
async def tls_sandbox(tmp_path: Path) -> AsyncIterator[TlsSandbox]:
    cert_file, key_file = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    app = create_app(SandboxConfig(delivery_delay=0))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield TlsSandbox(f"https://127.0.0.1:{port}", cert_file, app)
    finally:
        await runner.cleanup()


def use_connection(monkeypatch: pytest.MonkeyPatch, url: str, **extra: Any) -> None:
    """The connection, on a machine that names its CA bundle in the environment (Docker images,
    corporate proxies, Nix): ``requests`` reads REQUESTS_CA_BUNDLE for every request."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv(
        "AIRFLOW_CONN_IPPANEL_DEFAULT",
        json.dumps(
            {
                "conn_type": "ippanel",
                "host": url,
                "password": API_KEY,
                "extra": {"sender": "+983000505", "timeout": 5, **extra},
            }
        ),
    )


def test_clients_verify_certificates_by_default_and_only_verify_false_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_connection(monkeypatch, "https://sms.example.ir/v1")
    assert IPPanelHook().get_conn()._session.verify is True
    use_connection(monkeypatch, "https://sms.example.ir/v1", verify="false")
    assert IPPanelHook().get_conn()._session.verify is False


async def test_async_client_passes_verification_setting_to_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_connection(monkeypatch, "https://sms.example.ir/v1")
    async with IPPanelAsyncHook() as hook:
        assert (await hook.get_conn())._ssl is True
    use_connection(monkeypatch, "https://sms.example.ir/v1", verify=False)
    async with IPPanelAsyncHook() as hook:
        assert (await hook.get_conn())._ssl is False


async def test_sync_hook_refuses_a_self_signed_server_by_default(
    tls_sandbox: TlsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(monkeypatch, tls_sandbox.url)
    with IPPanelHook() as hook:
        client = hook.get_conn()
        client._sleep = lambda seconds: None  # retries of the failed handshake need not wait
        with pytest.raises(IPPanelTransportError, match="SSLError"):
            await asyncio.to_thread(client.send_sms, ["09120000001"], "tls default verify")
    assert tls_sandbox.captured_texts() == []


@pytest.mark.filterwarnings(INSECURE_WARNING)
async def test_sync_hook_talks_to_it_with_verify_false(
    tls_sandbox: TlsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(monkeypatch, tls_sandbox.url, verify=False)
    with IPPanelHook() as hook:
        client = hook.get_conn()
        result = await asyncio.to_thread(client.send_sms, ["09120000001"], "tls verify off")
    assert len(result.message_outbox_ids) == 1
    assert tls_sandbox.captured_texts() == ["tls verify off"]


async def test_sync_hook_trusts_a_ca_bundle_named_in_verify(
    tls_sandbox: TlsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(monkeypatch, tls_sandbox.url, verify=str(tls_sandbox.cert_file))
    with IPPanelHook() as hook:
        credit = await asyncio.to_thread(hook.get_conn().get_credit)
    assert credit > 0


async def test_async_hook_refuses_a_self_signed_server_by_default(
    tls_sandbox: TlsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(monkeypatch, tls_sandbox.url)
    async with IPPanelAsyncHook() as hook:
        client = await hook.get_conn()
        client._sleep = no_sleep
        with pytest.raises(IPPanelTransportError, match="Certificate"):
            await client.send_sms(["09120000001"], "tls default verify")
    assert tls_sandbox.captured_texts() == []


async def test_async_hook_talks_to_it_with_verify_false_or_its_ca_bundle(
    tls_sandbox: TlsSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_connection(monkeypatch, tls_sandbox.url, verify="false")
    async with IPPanelAsyncHook() as hook:
        result = await (await hook.get_conn()).send_sms(["09120000001"], "tls async verify off")
    assert len(result.message_outbox_ids) == 1
    use_connection(monkeypatch, tls_sandbox.url, verify=str(tls_sandbox.cert_file))
    async with IPPanelAsyncHook() as hook:
        assert await (await hook.get_conn()).get_credit() > 0
    assert tls_sandbox.captured_texts() == ["tls async verify off"]
