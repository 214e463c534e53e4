"""SandboxServer / ThreadedSandbox on real sockets, and the pytest fixtures of the plugin."""

from __future__ import annotations

import aiohttp
import pytest
import requests
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import SandboxServer, ThreadedSandbox
from sandbox_support import AUTH

SEND_BODY = {
    "sending_type": "webservice",
    "from_number": "+983000505",
    "message": "runner test",
    "params": {"recipients": ["+989121234567"]},
}


async def test_async_server_binds_a_free_port_and_stops() -> None:
    async with SandboxServer(SandboxConfig(delivery_delay=0)) as sandbox:
        assert sandbox.port > 0
        assert sandbox.url == f"http://127.0.0.1:{sandbox.port}"
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{sandbox.url}/api/send", json=SEND_BODY, headers=AUTH) as r:
                assert r.status == 200
            async with session.get(f"{sandbox.url}/healthz") as r:
                assert await r.json() == {"status": "ok"}
        assert sandbox.backend.messages.latest() is not None
        url = sandbox.url
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(f"{url}/healthz")


def test_threaded_sandbox_serves_sync_clients_and_resets() -> None:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0)) as sandbox:
        resp = requests.post(f"{sandbox.url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)
        assert resp.status_code == 200
        assert sandbox.call(lambda: len(sandbox.backend.messages)) == 1
        sandbox.reset()
        listing = requests.get(f"{sandbox.url}/__sandbox/messages", timeout=5).json()
        assert listing["total"] == 0
        url = sandbox.url
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/healthz", timeout=2)


def test_two_sandboxes_run_side_by_side() -> None:
    with ThreadedSandbox() as one, ThreadedSandbox() as two:
        assert one.port != two.port
        requests.post(f"{one.url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)
        assert requests.get(f"{two.url}/__sandbox/messages", timeout=5).json()["total"] == 0


def test_port_in_use_raises_in_the_caller() -> None:
    with ThreadedSandbox() as first:
        taken = ThreadedSandbox(port=first.port)
        with pytest.raises(OSError, match=r"(?i)in use"):
            taken.start()


def test_fixture_gives_a_fresh_sandbox(
    ippanel_sandbox: ThreadedSandbox, ippanel_sandbox_url: str
) -> None:
    assert ippanel_sandbox_url == ippanel_sandbox.url
    assert requests.get(f"{ippanel_sandbox_url}/__sandbox/messages", timeout=5).json()["total"] == 0
    requests.post(f"{ippanel_sandbox_url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)


def test_fixture_is_reset_between_tests(ippanel_sandbox_url: str) -> None:
    assert requests.get(f"{ippanel_sandbox_url}/__sandbox/messages", timeout=5).json()["total"] == 0


@pytest.mark.ippanel_sandbox(seed=3, delivery_delay=0)
def test_marker_configures_the_fixture(ippanel_sandbox: ThreadedSandbox) -> None:
    assert ippanel_sandbox.config.seed == 3
    assert ippanel_sandbox.config.delivery_delay == 0
    resp = requests.post(f"{ippanel_sandbox.url}/api/send", json=SEND_BODY, headers=AUTH, timeout=5)
    bulk_id = resp.json()["data"]["message_outbox_ids"][0]
    latest = requests.get(f"{ippanel_sandbox.url}/__sandbox/messages/latest", timeout=5).json()
    assert latest["bulk_id"] == bulk_id
    assert latest["message_status"] == 2
