"""A query parameter given twice (`?page=1&page=2`) is refused on every route that reads one,
public and admin alike, naming the parameter and changing nothing: which value counts would be
a guess (aiohttp's `query.get` reads the first, Laravel the last), and a silent pick hides a bug
in the caller's URL building."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxBackend, SandboxConfig
from ippanel_mock.http.app import create_app
from ippanel_mock.http.openapi import build_document
from ippanel_mock.models.wording import repeated_message
from sandbox_support import API_KEY, backend_of

Client = TestClient[web.Request, web.Application]
METHODS = {"get", "post", "put", "patch", "delete"}
ADMIN_REFUSAL = re.compile(r"(\S+) must be given once")


def operations_with_query_params() -> list[tuple[str, str, list[str]]]:
    """(method, path, query parameter names) of every documented operation that has any."""
    document = build_document(create_app(SandboxConfig()))
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue  # "servers" of a public path item
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if names:
                found.append((method.upper(), path, names))
    return found


OPERATIONS = operations_with_query_params()


def snapshot(backend: SandboxBackend) -> dict[str, Any]:
    return {
        "bulks": backend.outbox.count(),
        "messages": len(backend.messages),
        "credit": {u.username: u.credit for u in backend.users.all()},
        "inbox": len(backend.inbox),
        "clock": backend.clock.offset,
    }


@pytest.fixture
async def client(aiohttp_client: Callable[..., Awaitable[Client]]) -> Client:
    return await aiohttp_client(create_app(SandboxConfig(delivery_delay=10.0)))


def test_the_document_has_routes_with_query_parameters_public_and_admin() -> None:
    paths = {path for _, path, _ in OPERATIONS}
    assert any(p.startswith("/__sandbox/") for p in paths)
    assert any(p.startswith("/api/") for p in paths)
    assert len(OPERATIONS) >= 20


@pytest.mark.parametrize(
    ("method", "path", "names"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
async def test_a_query_parameter_given_twice_is_refused_naming_it(
    client: Client, method: str, path: str, names: list[str]
) -> None:
    backend = backend_of(client)
    before = snapshot(backend)
    url = re.sub(r"\{[^}]+\}", "1", path)
    query = [(name, "1") for name in names for _ in range(2)]
    resp = await client.request(
        method, url, params=query, headers={"Authorization": API_KEY}, json={}
    )
    body = await resp.json()
    if path.startswith("/__sandbox/"):
        assert resp.status == 400, body
        match = ADMIN_REFUSAL.fullmatch(body["error"])
        assert match is not None, body
        assert match.group(1) in names, body
    else:
        assert resp.status == 422, body
        errors = body["meta"]["errors"]
        [name] = errors
        assert name in names, body
        assert errors[name] == [repeated_message(name)], body
    assert snapshot(backend) == before
