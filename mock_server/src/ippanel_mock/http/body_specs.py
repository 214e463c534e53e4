"""Declared request bodies: how a route's body is read (and refused) and how it is documented,
with the document's shared components that bodies and answers add their schemas to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from ippanel_mock.config import SandboxConfig
from ippanel_mock.http.body import check_schema, read_json_object
from ippanel_mock.http.validation import load_schema


class Components:
    """The OpenAPI components a document collects while its operations describe themselves."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def add(self, name: str, schema: Any) -> dict[str, str]:
        self.schemas.setdefault(name, schema)
        return {"$ref": f"#/components/schemas/{name}"}

    def request(
        self, name: str, documented: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    ) -> dict[str, str]:
        schema = load_schema("requests", name)
        return self.add(f"{name}_request", documented(schema) if documented else schema)

    def response(self, name: str) -> dict[str, str]:
        """A response schema file; `$ref`s to sibling files become component references."""
        component = RESPONSE_COMPONENTS.get(name, f"{name}_response")
        if component not in self.schemas:
            self.schemas[component] = {}
            self.schemas[component] = self._linked(load_schema("responses", name))
        return {"$ref": f"#/components/schemas/{component}"}

    def _linked(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self._linked(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.endswith(".json"):
            return self.response(ref.removesuffix(".json"))
        return {key: self._linked(value) for key, value in node.items()}


RESPONSE_COMPONENTS = {"error": "IPPanelError", "admin_error": "AdminError"}


class BodySpec(Protocol):
    """How a route's body is read (and refused), and how it is documented."""

    async def read(self, request: web.Request, config: SandboxConfig) -> Any: ...

    def document(self, components: Components) -> dict[str, Any]: ...


def json_content(ref: Mapping[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": dict(ref)}}


@dataclass(frozen=True, slots=True)
class JsonBody:
    """A JSON object checked against `schema` (schemas/requests/<schema>.json)."""

    schema: str
    optional: bool = False
    documented: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """A copy of the schema as the document shows it (when it says more than the check)."""

    async def read(self, request: web.Request, config: SandboxConfig) -> dict[str, Any]:
        body = await read_json_object(request, config, optional=self.optional)
        check_schema(self.schema, body)
        return body

    def document(self, components: Components) -> dict[str, Any]:
        ref = components.request(self.schema, self.documented)
        return {"required": not self.optional, "content": json_content(ref)}
