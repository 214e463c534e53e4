"""GET /openapi.json: an OpenAPI 3.1 document of every route the app serves.

Public request/response bodies are the core's shipped JSON Schemas (http/schemas/), referenced
as components; the admin API's come from http/openapi_admin.py. The document is built from
the app's router, so a route without a description here still appears (and a test catches it).
Statuses injected by chaos rules are not documented: they are faults a test asked for.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from ippanel_mock.http.openapi_admin import ADMIN_OPERATIONS, ADMIN_SCHEMAS, ID_SCHEMA
from ippanel_mock.http.validation import load_schema

OPENAPI_VERSION = "3.1.0"
ERROR = "IPPanelError"
SEND_TYPES = (
    "send_webservice",
    "send_peer_to_peer",
    "send_postal_code",
    "send_pattern",
    "send_votp",
)
REQUEST_SCHEMAS = (
    "login", "send_sms_otp", "confirm_otp", "forgot_password", "change_password_by_token",
    "cancel", "calculate_price", "report_new_list", "report_by_bulk", "send_peer_to_peer_file",
    *SEND_TYPES,
)  # fmt: skip
RESPONSE_SCHEMAS = (
    "login", "send_sms_otp", "confirm_otp", "forgot_password", "change_password_by_token",
    "logout", "check_token", "send", "cancel", "calculate_price", "credit", "report_new_list",
    "report_by_bulk", "bulk_stats", "recipients",
)  # fmt: skip
BODY_ERRORS = (400, 413, 415, 422)
"""What any route reading a JSON body can answer besides its own errors (bad JSON, too large,
wrong content type, validation)."""

_int_query = {"type": "integer", "minimum": 1, "maximum": 10**17}


def _query(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    """An optional parameter sent empty (`?page=`) counts as absent, as the routes read it."""
    param = {"name": name, "in": "query", "required": required, "schema": schema}
    return param if required else {**param, "allowEmptyValue": True}


MOBILE_PATTERN = r"^(\+98|0098|98|0)?9[0-9]{9}$"
RECIPIENT_LISTS = ("recipients", "other_recipients")
_CSV_ROW = r"(\+98|0098|98|0)?9[0-9]{9},[A-Za-z0-9 ]*[A-Za-z0-9][A-Za-z0-9 ]*"
CSV_PATTERN = rf"^recipient,message\r?\n({_CSV_ROW}\r?\n)*{_CSV_ROW}(\r?\n)?$"


def _with_recipient_items(schema: Any) -> Any:
    """A copy whose recipient arrays state their items' form. The routes check each item when
    normalizing (cheap for big sends) instead of in JSON Schema; the document says the same."""
    if isinstance(schema, list):
        return [_with_recipient_items(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: _with_recipient_items(value) for key, value in schema.items()}
    for name in RECIPIENT_LISTS:
        prop = copy.get("properties", {}).get(name)
        if isinstance(prop, dict) and prop.get("type") == "array" and "items" not in prop:
            prop["items"] = {"type": "string", "pattern": MOBILE_PATTERN}
    return copy


STATE_ID_DOCUMENTED = {
    "description": "0..9 (see the spec's state_id table); any other value is answered with "
    "422 and message_code 400-31, as the spec shows",
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": 9},
        {"type": "string", "pattern": "^(0*[0-9])?$"},
    ],
}


def _with_documented_state_id(schema: dict[str, Any]) -> dict[str, Any]:
    """The new_list request as documented: the route accepts any state_id so that it can answer
    400-31 like IPPanel does, but only 0..9 are valid values."""
    filters = schema["properties"]["filters"]
    properties = {**filters["properties"], "state_id": STATE_ID_DOCUMENTED}
    return {**schema, "properties": {**schema["properties"], "filters": {**filters,
            "properties": properties}}}  # fmt: skip


def _public(
    summary: str,
    response: str,
    errors: tuple[int, ...],
    *,
    body: str | None = None,
    auth: bool = True,
    params: list[dict[str, Any]] | None = None,
    body_required: bool = True,
) -> dict[str, Any]:
    all_errors = {*errors, 429, *((401,) if auth else ()), *(BODY_ERRORS if body else ())}
    return {
        "summary": summary,
        "response": response,
        "errors": tuple(sorted(all_errors)),
        "body": body,
        "auth": auth,
        "params": params or [],
        "body_required": body_required,
    }


PUBLIC_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/acl/auth/login"): _public(
        "Log in with username and password", "login", (401,), body="login", auth=False
    ),
    ("POST", "/api/acl/auth/send_sms_otp"): _public(
        "Send the login OTP by SMS", "send_sms_otp", (401,), body="send_sms_otp", auth=False
    ),
    ("POST", "/api/acl/auth/confirm_otp"): _public(
        "Confirm the OTP (SMS or TOTP)", "confirm_otp", (401,), body="confirm_otp", auth=False
    ),
    ("POST", "/api/acl/auth/forgot_password"): _public(
        "Request an OTP to change the password",
        "forgot_password",
        (401,),
        body="forgot_password",
        auth=False,
    ),
    ("POST", "/api/acl/auth/change_password_by_token"): _public(
        "Change the password with the OTP",
        "change_password_by_token",
        (401,),
        body="change_password_by_token",
        auth=False,
    ),
    ("POST", "/api/acl/auth/logout"): _public("Log out (end the token)", "logout", ()),
    ("POST", "/api/acl/auth/check_token"): _public("Who the token belongs to", "check_token", ()),
    ("POST", "/api/send"): _public(
        "Send SMS (sending_type selects webservice, peer_to_peer, postal_code, pattern, votp, "
        "peer_to_peer_file as multipart)",
        "send",
        (),
        body="send",
    ),
    ("POST", "/api/send/cancel"): _public(
        "Cancel a scheduled send", "cancel", (404,), body="cancel"
    ),
    ("POST", "/api/send/calculate-price"): _public(
        "Parts and price of a message", "calculate_price", (), body="calculate_price"
    ),
    ("GET", "/api/payment/credit/mine"): _public("Credit balance", "credit", ()),
    ("POST", "/api/report/new_list"): _public(
        "Outbox report, paginated",
        "report_new_list",
        (),
        body="report_new_list",
        body_required=False,
    ),
    ("POST", "/api/report/by_bulk/{bulk_id}"): _public(
        "One bulk of the outbox",
        "report_by_bulk",
        (404,),
        body="report_by_bulk",
        params=[{"name": "bulk_id", "in": "path", "required": True, "schema": ID_SCHEMA}],
        body_required=False,
    ),
    ("GET", "/api/report/by_bulk"): _public(
        "One bulk of the outbox (later edition)",
        "report_by_bulk",
        (404, 422),
        params=[_query("messages_outbox_id", _int_query, required=True)],
    ),
    ("GET", "/api/report/bulk_stats"): _public(
        "Delivery statistics of a bulk",
        "bulk_stats",
        (404, 422),
        params=[_query("bulk_id", _int_query, required=True)],
    ),
    ("GET", "/api/report/recipients"): _public(
        "Recipients of a bulk with their message_status, paginated",
        "recipients",
        (404, 422),
        params=[
            _query("bulk_id", _int_query, required=True),
            _query("page", {"type": "integer", "minimum": 1, "maximum": 10**9}),
            _query("per_page", {"type": "integer", "minimum": 1, "maximum": 1000}),
        ],
    ),
}


def request_component(name: str) -> str:
    return f"{name}_request"


def response_component(name: str) -> str:
    return f"{name}_response"


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def _error_response(status: int, schema: str = ERROR) -> dict[str, Any]:
    response: dict[str, Any] = {"description": f"HTTP {status}", "content": _json(schema)}
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "seconds until the bucket has a token again",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return response


def _send_body() -> dict[str, Any]:
    json_variants = [
        {
            "allOf": [
                {"$ref": f"#/components/schemas/{request_component(name)}"},
                {"required": ["sending_type"]},
            ]
        }
        for name in SEND_TYPES
    ]
    form_fields = load_schema("requests", "send_peer_to_peer_file")
    file_form = {
        "allOf": [
            {"$ref": f"#/components/schemas/{request_component('send_peer_to_peer_file')}"},
            {
                "type": "object",
                "required": ["sending_type", "files"],
                "propertyNames": {"enum": [*form_fields["properties"], "files"]},
                "properties": {
                    "files": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "string",
                            "contentMediaType": "text/csv",
                            "pattern": CSV_PATTERN,
                            "description": "a `recipient,message` header, then one row a "
                            "recipient (messages may be any non-empty text; the pattern shows "
                            "a simple form)",
                        },
                    }
                },
            },
        ]
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": {"anyOf": json_variants}},
            "multipart/form-data": {"schema": file_form},
        },
    }


def _operation_id(method: str, path: str) -> str:
    words = path.replace("/__sandbox", "/sandbox").strip("/").replace("-", "_")
    return method.lower() + "_" + words.replace("/", "_").replace("{", "").replace("}", "")


def _public_operation(method: str, path: str, spec: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": _operation_id(method, path),
        "summary": spec["summary"],
        "tags": ["ippanel"],
        "parameters": spec["params"],
        "responses": {
            "200": {"description": "OK", "content": _json(response_component(spec["response"]))}
        },
        "security": [{"ApiKey": []}] if spec["auth"] else [],
    }
    for status in spec["errors"]:
        op["responses"][str(status)] = _error_response(status)
    if spec["body"] == "send":
        op["requestBody"] = _send_body()
    elif spec["body"]:
        content = _json(request_component(spec["body"]))
        op["requestBody"] = {"required": spec["body_required"], "content": content}
    return op


def _admin_operation(method: str, path: str, spec: dict[str, Any]) -> dict[str, Any]:
    ok_status, ok_schema = spec["ok"]
    responses: dict[str, Any] = {
        str(ok_status): {"description": "OK", "content": _json(ok_schema)},
        "401": _error_response(401, "AdminError"),
    }
    for status in spec["errors"]:
        responses[str(status)] = _error_response(status, ERROR if status == 413 else "AdminError")
    op: dict[str, Any] = {
        "operationId": _operation_id(method, path),
        "summary": spec["summary"],
        "tags": ["sandbox-admin"],
        "parameters": spec["params"],
        "responses": responses,
        "security": [{}, {"AdminToken": []}],
    }
    if spec["body"]:
        op["requestBody"] = {"required": True, "content": _json(spec["body"])}
    return op


def _tooling_operation(path: str) -> dict[str, Any]:
    schema = "Health" if path == "/healthz" else "OpenApiDocument"
    return {
        "operationId": "healthz" if path == "/healthz" else "openapi",
        "summary": "Liveness" if path == "/healthz" else "This document",
        "tags": ["sandbox-admin"],
        "responses": {"200": {"description": "OK", "content": _json(schema)}},
        "security": [],
    }


def _describe(method: str, path: str) -> dict[str, Any]:
    if (method, path) in PUBLIC_OPERATIONS:
        return _public_operation(method, path, PUBLIC_OPERATIONS[(method, path)])
    if (method, path) in ADMIN_OPERATIONS:
        return _admin_operation(method, path, ADMIN_OPERATIONS[(method, path)])
    if method == "GET" and path in ("/healthz", "/openapi.json"):
        return _tooling_operation(path)
    return {
        "summary": "Undocumented route",
        "responses": {"default": {"description": "any", "content": _json(ERROR)}},
    }


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {ERROR: load_schema("responses", "error")}
    for name in REQUEST_SCHEMAS:
        schema = _with_recipient_items(load_schema("requests", name))
        if name == "report_new_list":
            schema = _with_documented_state_id(schema)
        schemas[request_component(name)] = schema
    for name in RESPONSE_SCHEMAS:
        schemas[response_component(name)] = load_schema("responses", name)
    schemas.update(ADMIN_SCHEMAS)
    schemas["OpenApiDocument"] = {"type": "object", "required": ["openapi", "paths"]}
    return {
        "schemas": schemas,
        "securitySchemes": {
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
        },
    }


def build_document(app: web.Application) -> dict[str, Any]:
    """The OpenAPI document of `app`'s routes (HEAD twins of GET routes are left out)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes():
        method = route.method.upper()
        if method == "HEAD" or method == "*":
            continue
        path = route.resource.canonical if route.resource is not None else ""
        paths.setdefault(path, {})[method.lower()] = _describe(method, path)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "IPPanel Edge API sandbox",
            "version": "1.0.0",
            "description": "IPPanel Edge API emulation plus the /__sandbox admin API for QA.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": _components(),
    }


class _DocumentCache:
    """The document is built on first request: the router is complete by then."""

    def __init__(self) -> None:
        self.body: bytes | None = None


OPENAPI_CACHE: web.AppKey[_DocumentCache] = web.AppKey("openapi_cache", _DocumentCache)


async def openapi_json(request: web.Request) -> web.Response:
    cache = request.app[OPENAPI_CACHE]
    if cache.body is None:
        cache.body = json.dumps(build_document(request.app), ensure_ascii=False).encode()
    return web.Response(body=cache.body, content_type="application/json", charset="utf-8")


def setup_openapi(app: web.Application) -> None:
    """Register GET /openapi.json."""
    app[OPENAPI_CACHE] = _DocumentCache()
    app.router.add_get("/openapi.json", openapi_json, allow_head=False)
