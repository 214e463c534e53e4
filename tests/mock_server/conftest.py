"""In-process sandbox fixtures: every API response is checked against the shipped schemas."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxBackend, SandboxConfig
from sandbox_api import Api, AppFactory
from sandbox_support import app_client


@pytest.fixture
def make_api(
    aiohttp_client: Callable[..., Awaitable[TestClient[web.Request, web.Application]]],
) -> AppFactory:
    async def factory(config: SandboxConfig | None = None) -> Api:
        backend = SandboxBackend(config or SandboxConfig(delivery_delay=10.0))
        client = await app_client(aiohttp_client, backend=backend)
        return Api(client, backend)

    return factory


@pytest.fixture
async def api(make_api: AppFactory) -> Api:
    """A fresh sandbox with a 10 s delivery delay (tests move the clock themselves)."""
    return await make_api()
