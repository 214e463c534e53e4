"""The in-process sandbox API for these tests: every answer is checked against the shipped
response schemas (a module of its own, so `from sandbox_api import ...` never depends on which
conftest pytest imported last)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from ippanel_mock import SandboxBackend, SandboxConfig, create_app
from ippanel_mock.http.operations import OPERATIONS
from ippanel_mock.http.validation import load_schema
from ippanel_mock.models.users import User
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from sandbox_support import API_KEY

_validators: dict[str, Draft202012Validator] = {}


def _sibling(uri: str) -> Resource[Any]:
    """A `$ref` to another response schema file (admin pages refer to their items,
    "pattern_record.json")."""
    return Resource.from_contents(load_schema("responses", uri.removesuffix(".json")))


RESPONSE_SCHEMAS: Registry[Any] = Registry(retrieve=_sibling)  # type: ignore[call-arg]


@cache
def declared_error_schemas() -> dict[str, str]:
    """Route (response schema) name -> the schema its refusals declare, where not the family's."""
    operations = create_app(SandboxConfig())[OPERATIONS]
    return {
        op.response: op.error_response for op in operations if op.response and op.error_response
    }


def assert_matches_schema(
    route_name: str, status: int, body: Any, *, error_schema: str = "error"
) -> None:
    """A 2xx body must match the route's response schema; any other the error envelope (or the
    admin API's `{"error"}`), or the error schema the route declares."""
    error_schema = declared_error_schemas().get(route_name, error_schema)
    name = route_name if 200 <= status < 300 else error_schema
    if name not in _validators:
        schema = load_schema("responses", name)
        _validators[name] = Draft202012Validator(schema, registry=RESPONSE_SCHEMAS)
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validators[name].iter_errors(body)
    ]
    assert not problems, f"{route_name} {status} breaks schema {name}: {problems}"


class Api:
    """Calls the in-process sandbox and checks every answer against the shipped schemas."""

    def __init__(self, client: TestClient[web.Request, web.Application], backend: SandboxBackend):
        self.client = client
        self.backend = backend

    async def call(
        self,
        route: str,
        method: str,
        path: str,
        *,
        key: str | None = API_KEY,
        expect: int | None = None,
        **kwargs: Any,
    ) -> tuple[int, dict[str, Any]]:
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["Authorization"] = key
        response = await self.client.request(method, path, headers=headers, **kwargs)
        body = await response.json()
        assert_matches_schema(route, response.status, body)
        if expect is not None:
            assert response.status == expect, body
        return response.status, body

    async def admin(
        self, route: str, method: str, path: str, *, expect: int | None = None, **kwargs: Any
    ) -> Any:
        """An admin call, its answer checked against the admin schemas."""
        response = await self.client.request(method, path, **kwargs)
        body = await response.json()
        assert_matches_schema(route, response.status, body, error_schema="admin_error")
        if expect is not None:
            assert response.status == expect, body
        return body

    async def send(self, payload: dict[str, Any], **kw: Any) -> tuple[int, dict[str, Any]]:
        return await self.call("send", "POST", "/api/send", json=payload, **kw)

    async def send_ids(self, payload: dict[str, Any], **kw: Any) -> list[int]:
        _, body = await self.send(payload, expect=200, **kw)
        ids: list[int] = body["data"]["message_outbox_ids"]
        return ids

    async def recipients(self, bulk_id: int, **params: Any) -> dict[str, Any]:
        query = {"bulk_id": str(bulk_id), **{k: str(v) for k, v in params.items()}}
        _, body = await self.call(
            "recipients", "GET", "/api/report/recipients", params=query, expect=200
        )
        return body

    async def bulk(self, bulk_id: int, **kw: Any) -> tuple[int, dict[str, Any]]:
        return await self.call(
            "report_by_bulk", "GET", "/api/report/by_bulk",
            params={"messages_outbox_id": str(bulk_id)}, **kw,
        )  # fmt: skip

    def account(self, username: str = "sandbox") -> User:
        user = self.backend.users.get(username)
        assert user is not None, username
        return user

    def last_otp(self, mobile: str) -> str:
        message = self.backend.messages.latest()
        assert message is not None
        assert message.recipient == mobile
        assert message.sending_type == "otp"
        return message.text.rsplit(" ", 1)[-1]


def webservice(recipients: list[str], message: str = "سلام", **extra: Any) -> dict[str, Any]:
    return {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": message,
        "params": {"recipients": recipients},
        **extra,
    }


AppFactory = Callable[..., Awaitable[Api]]
