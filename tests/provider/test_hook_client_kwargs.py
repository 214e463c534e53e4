"""The hooks' public seam for client settings the connection does not hold (retry, sleep),
and the async hook's masking of login tokens."""

from __future__ import annotations

import asyncio

import pytest
from airflow.sdk._shared.secrets_masker import redact
from airflow_support import add_chaos, set_connection, use_sandbox
from client_support import RecordedSleeps
from ippanel_mock.server import ThreadedSandbox
from ippanel_provider.client import IPPanelServerError, RetryPolicy
from ippanel_provider.hooks.ippanel import IPPanelAsyncHook, IPPanelHook
from sandbox_support import PASSWORD

TWO_TRIES = RetryPolicy(max_attempts=2)


def test_sync_hook_passes_retry_settings_to_its_client(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox)
    add_chaos(ippanel_sandbox, route="GET /api/payment/credit/mine", status=503, probability=1)
    sleeps = RecordedSleeps()
    hook = IPPanelHook(client_kwargs={"read_retry": TWO_TRIES, "sleep": sleeps})
    with hook, pytest.raises(IPPanelServerError):
        hook.get_conn().get_credit()
    assert len(sleeps.delays) == 1


async def test_async_hook_passes_retry_settings_to_its_client(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    use_sandbox(monkeypatch, ippanel_sandbox)
    add_chaos(ippanel_sandbox, route="GET /api/payment/credit/mine", status=503, probability=1)
    sleeps = RecordedSleeps()
    hook = IPPanelAsyncHook(client_kwargs={"read_retry": TWO_TRIES, "sleep": sleeps.async_sleep})
    async with hook:
        with pytest.raises(IPPanelServerError):
            await (await hook.get_conn()).get_credit()
    assert len(sleeps.delays) == 1


@pytest.mark.parametrize("name", ["api_key", "credentials", "on_token", "base_url"])
def test_secrets_and_masking_stay_with_the_connection(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        IPPanelHook(client_kwargs={name: "x"})


async def test_async_hook_masks_login_tokens(
    monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox
) -> None:
    set_connection(monkeypatch, host=ippanel_sandbox.url, login="sandbox", password=PASSWORD)
    async with IPPanelAsyncHook() as hook:
        assert (await (await hook.get_conn()).check_token()).user_name == "sandbox"
    await asyncio.sleep(0)  # the masking task scheduled from the client's callback
    (token,) = ippanel_sandbox.backend.users.tokens_of("sandbox")
    assert redact(f"Authorization: {token}") == "Authorization: ***"
