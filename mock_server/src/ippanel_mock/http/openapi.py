"""GET /openapi.json: an OpenAPI 3.1 document built from the operations the app declares.

Every route states its summary, body, parameters, answer and errors next to itself
(http/operations.py); this module only assembles them, with the shipped JSON Schema files as
components. A route served without a declaration still appears, marked undocumented (a test
catches it). Statuses injected by chaos rules are not documented: they are faults a test asked
for.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ippanel_mock.http.base import V1_PREFIX, api_path
from ippanel_mock.http.body_specs import Components, json_content
from ippanel_mock.http.operations import OPERATIONS, Call, Operation, Operations
from ippanel_mock.http.validation import load_schema

OPENAPI_VERSION = "3.1.0"
BODY_STATUSES = (400, 408, 413, 415, 422)
"""What any route reading a body can answer besides its own errors (bad JSON, too slow, too
large, wrong content type, validation)."""
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until the bucket has a token again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
SECURITY_SCHEMES = {
    "ApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "API key or login token, raw (no Bearer prefix)",
    },
    "AdminToken": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Sandbox-Admin-Token",
        "description": "only when the sandbox runs with --admin-token",
    },
}


def operation_id(op: Operation) -> str:
    if op.operation_id is not None:
        return op.operation_id
    words = op.path.replace("/__sandbox", "/sandbox").strip("/").replace("-", "_")
    return op.method.lower() + "_" + words.replace("/", "_").replace("{", "").replace("}", "")


def error_statuses(op: Operation) -> set[int]:
    """Every error status the operation can answer, from its declaration."""
    statuses = set(op.statuses)
    for answer in op.errors.values():
        statuses.add(answer[0] if isinstance(answer, tuple) else answer)
    if op.body is not None:
        statuses.update(BODY_STATUSES)
    if op.query_params:
        statuses.add(422 if op.family == "public" else 400)
    if op.auth:
        statuses.add(401)
    if op.family == "public":
        statuses.add(429)  # the rate limit, when switched on
    return statuses


def media_types(response: str) -> list[str]:
    """The media types of a response schema file: its `contentMediaType`, those of its `anyOf`
    alternatives (a file served by extension), or JSON."""
    schema = load_schema("responses", response)
    alternatives = [
        s["contentMediaType"] for s in schema.get("anyOf", ()) if "contentMediaType" in s
    ]
    return alternatives or [schema.get("contentMediaType", "application/json")]


def describe(op: Operation, components: Components) -> dict[str, Any]:
    public = op.family == "public"
    error_schema = components.response(op.error_response or ("error" if public else "admin_error"))
    responses: dict[str, Any] = {}
    if op.response is not None:
        ref = components.response(op.response)
        ok = {
            "description": "OK",
            "content": {m: {"schema": ref} for m in media_types(op.response)},
        }
        responses[str(op.status)] = ok
    for status in sorted(error_statuses(op)):
        response = {"description": f"HTTP {status}", "content": json_content(error_schema)}
        if status == 429:
            response["headers"] = RETRY_AFTER
        responses[str(status)] = response
    if public:
        security: list[dict[str, list[str]]] = [{"ApiKey": []}] if op.auth else []
    else:
        security = [{}, {"AdminToken": []}] if op.auth else []
    described: dict[str, Any] = {
        "operationId": operation_id(op),
        "summary": op.summary,
        "tags": ["ippanel" if public else "sandbox-admin"],
        "responses": responses,
        "security": security,
    }
    if op.params:
        described["parameters"] = [p.document() for p in op.params]
    if op.body is not None:
        described["requestBody"] = op.body.document(components)
    return described


PUBLIC_SERVERS = [
    {"url": "/", "description": "the sandbox's root"},
    {"url": V1_PREFIX, "description": "as the real API (https://edge.ippanel.com/v1)"},
]
UNDOCUMENTED = {"summary": "Undocumented route", "responses": {"default": {"description": "any"}}}


def build_document(app: web.Application) -> dict[str, Any]:
    """The OpenAPI document of `app`'s routes (HEAD twins of GET routes are left out)."""
    declared = {(op.method, op.path): op for op in app.get(OPERATIONS, [])}
    components = Components()
    components.response("error")
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        method = route.method.upper()
        if method in ("HEAD", "*"):
            continue
        path = route.resource.canonical if route.resource is not None else ""
        if path != api_path(path) and (method, api_path(path)) in declared:
            continue  # a public route's /v1 twin: its path item lists /v1 as a server
        op = declared.get((method, path))
        described = describe(op, components) if op is not None else UNDOCUMENTED
        item = paths.setdefault(path, {})
        item[method.lower()] = described
        if op is not None and op.family == "public":
            item["servers"] = PUBLIC_SERVERS
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "IPPanel Edge API sandbox",
            "version": "1.0.0",
            "description": "IPPanel Edge API emulation plus the /__sandbox admin API for QA. "
            "The public API answers at the root and under /v1 (the real base URL is "
            "https://edge.ippanel.com/v1); the admin API at the root only.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": components.schemas, "securitySchemes": SECURITY_SCHEMES},
    }


class _DocumentCache:
    """The document is built on first request: the router is complete by then."""

    def __init__(self) -> None:
        self.body: bytes | None = None


OPENAPI_CACHE: web.AppKey[_DocumentCache] = web.AppKey("openapi_cache", _DocumentCache)

meta = Operations("admin")


@meta.get(
    "/openapi.json",
    "This document",
    response="openapi_document",
    auth=False,
    operation_id="openapi",
)
async def openapi_json(call: Call) -> web.Response:
    cache = call.request.app[OPENAPI_CACHE]
    if cache.body is None:
        cache.body = json.dumps(build_document(call.request.app), ensure_ascii=False).encode()
    return web.Response(body=cache.body, content_type="application/json", charset="utf-8")


def setup_openapi(app: web.Application) -> None:
    """Register GET /openapi.json."""
    app[OPENAPI_CACHE] = _DocumentCache()
    meta.register(app)
