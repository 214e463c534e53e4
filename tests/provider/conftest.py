"""Client-test fixtures: one in-process sandbox per session, reset before each test.

Fixture names start with ``client_`` so they do not collide with the Airflow-side fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from airflow_support import use_sandbox
from client_support import RecordedSleeps, SandboxAdmin
from ippanel_mock.config import SandboxConfig
from ippanel_mock.server import ThreadedSandbox


@pytest.fixture(scope="session")
def client_sandbox_server() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(delivery_delay=0)) as sandbox:
        yield sandbox


@pytest.fixture
def client_sandbox(client_sandbox_server: ThreadedSandbox) -> Iterator[SandboxAdmin]:
    """A freshly reset sandbox (default users, no chaos, clock at real time)."""
    admin = SandboxAdmin(client_sandbox_server.url)
    admin.reset()
    yield admin
    admin.http.close()


@pytest.fixture
def client_sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, ippanel_sandbox: ThreadedSandbox) -> ThreadedSandbox:
    """The plugin's sandbox, with the `ippanel_default` connection pointing at it."""
    use_sandbox(monkeypatch, ippanel_sandbox)
    return ippanel_sandbox
