"""pytest fixtures for users of the sandbox (auto-loaded through the `pytest11` entry point).

    def test_sends(ippanel_sandbox_url): ...          # base URL, fresh seeded state per test

    @pytest.mark.ippanel_sandbox(seed=7, delivery_delay=0)
    def test_fast(ippanel_sandbox): ...               # ThreadedSandbox with that config

Defaults come from the ini options `ippanel_sandbox_seed` and `ippanel_sandbox_delivery_delay`.
One server per distinct config is started lazily, shared by the session and reset before each
test, so the fixture costs a reset, not a server start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ippanel_mock.config import SandboxConfig
    from ippanel_mock.server import ThreadedSandbox

MARKER = "ippanel_sandbox"
_CONFIG_FIELDS = (
    "seed", "delivery_delay", "history", "users_file", "admin_token", "max_body_bytes",
    "message_capacity", "journal_capacity", "outbox_max_recipients", "outbox_max_bulks",
    "rate_limit", "rate_burst", "header_timeout", "idle_timeout", "max_connections",
)  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("ippanel_sandbox_seed", "seed of the ippanel_sandbox fixture", default="0")
    parser.addini(
        "ippanel_sandbox_delivery_delay",
        "seconds from send to final status in the ippanel_sandbox fixture",
        default="2.0",
    )
    parser.addini(
        "ippanel_sandbox_cross_check_validation",
        "also run the slower jsonschema validator on every request body jsonschema-rs passes, "
        "failing the request (500) if they disagree (this project's own suite turns it on)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    from ippanel_mock.http import validation

    validation.CROSS_CHECK = bool(config.getini("ippanel_sandbox_cross_check_validation"))
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**config): SandboxConfig fields (seed, delivery_delay, ...) for the "
        "ippanel_sandbox fixture",
    )


class SandboxPool:
    """One running ThreadedSandbox per distinct SandboxConfig, stopped at session end."""

    def __init__(self) -> None:
        self._running: dict[SandboxConfig, ThreadedSandbox] = {}

    def get(self, config: SandboxConfig) -> ThreadedSandbox:
        from ippanel_mock.server import ThreadedSandbox

        sandbox = self._running.get(config)
        if sandbox is None:
            sandbox = ThreadedSandbox(config)
            sandbox.start()
            self._running[config] = sandbox
        return sandbox

    def close(self) -> None:
        while self._running:
            _, sandbox = self._running.popitem()
            sandbox.stop()


def _config_for(request: pytest.FixtureRequest) -> SandboxConfig:
    from ippanel_mock.config import SandboxConfig

    options: dict[str, Any] = {
        "seed": int(str(request.config.getini("ippanel_sandbox_seed"))),
        "delivery_delay": float(str(request.config.getini("ippanel_sandbox_delivery_delay"))),
    }
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        unknown = sorted(set(marker.kwargs) - set(_CONFIG_FIELDS))
        if unknown or marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER} takes keyword SandboxConfig fields only "
                f"({', '.join(_CONFIG_FIELDS)}); got {unknown or list(marker.args)}"
            )
        options.update(marker.kwargs)
    return SandboxConfig(**options)


@pytest.fixture(scope="session")
def ippanel_sandbox_pool() -> Iterator[SandboxPool]:
    pool = SandboxPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def ippanel_sandbox(
    request: pytest.FixtureRequest, ippanel_sandbox_pool: SandboxPool
) -> ThreadedSandbox:
    """A running sandbox in its seeded start state (users, patterns, empty outbox, no chaos)."""
    sandbox = ippanel_sandbox_pool.get(_config_for(request))
    sandbox.reset()
    return sandbox


@pytest.fixture
def ippanel_sandbox_url(ippanel_sandbox: ThreadedSandbox) -> str:
    """Base URL of the `ippanel_sandbox` fixture, without a trailing slash."""
    return ippanel_sandbox.url
