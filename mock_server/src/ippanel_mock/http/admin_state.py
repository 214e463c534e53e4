"""Admin routes that change sandbox state: users, patterns, reset, clock, bulks, chaos, rate limit.

Request bodies are checked against the JSON Schemas below (also served in /openapi.json).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import pyotp
from aiohttp import web
from jsonschema import Draft202012Validator

from ippanel_mock.http.admin import (
    AdminError,
    AdminHandler,
    admin_route,
    backend_of,
    json_response,
    read_object,
    reset_sandbox,
)
from ippanel_mock.http.chaos import CHAOS, WIRE_FAULTS, ChaosRuleError
from ippanel_mock.http.ratelimit import MAX_BURST, MAX_RATE, MIN_RATE, RATE_LIMITER
from ippanel_mock.models.outbox import FORCEABLE_STATES
from ippanel_mock.models.patterns import Pattern, PatternError
from ippanel_mock.models.users import User, UserError

_ID = re.compile(r"[0-9]{1,18}")
_STR = {"type": "string", "minLength": 1}
MOBILE_PATTERN = r"^(\+98|0098|98|0)?9[0-9]{9}$"
ISO_MOMENT_PATTERN = (
    r"^(197[1-9]|19[89][0-9]|2[0-9]{3})-"
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-8]))"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)
"""Real dates only (29 February is accepted in leap years too, not stated here); years 1971..2999
keep every match inside the clock's range (1970..3000 in any zone)."""
USER_CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["username", "mobile"],
    "additionalProperties": False,
    "properties": {
        "username": {**_STR, "maxLength": 100, "pattern": r"^[A-Za-z0-9_.@+-]+$"},
        "password": {**_STR, "maxLength": 200},
        "method": {"enum": ["login", "ga", "sms"]},
        "mobile": {"type": "string", "pattern": MOBILE_PATTERN},
        "name": {"type": "string", "maxLength": 200},
        "credit": {"type": "number", "minimum": 0, "maximum": 1e15},
        "api_key": {**_STR, "maxLength": 200},
        "api_keys": {
            "type": "array",
            "items": {**_STR, "maxLength": 200},
            "maxItems": 20,
            "uniqueItems": True,
        },
        "totp_secret": {"type": "string", "pattern": "^([A-Z2-7]{8}){3,8}$"},
        "senders": {"type": "array", "items": {**_STR, "maxLength": 30}, "maxItems": 20},
        "is_reseller": {"type": "boolean"},
    },
}
PATTERN_CREATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "text"],
    "additionalProperties": False,
    "properties": {
        "code": {**_STR, "maxLength": 100, "pattern": r"^[A-Za-z0-9_.-]+$"},
        "text": {**_STR, "maxLength": 2000},
    },
}
CLOCK_ADVANCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["seconds"],
    "additionalProperties": False,
    "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": 3.2e9}},
}
CLOCK_SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["time"],
    "additionalProperties": False,
    "properties": {
        "time": {
            "oneOf": [
                {"type": "number", "minimum": 0, "maximum": 32503680000},
                {
                    "type": "string",
                    "pattern": ISO_MOMENT_PATTERN,
                    "description": "ISO 8601; naive means UTC",
                },
            ]
        }
    },
}
BULK_STATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["state_id"],
    "additionalProperties": False,
    "properties": {"state_id": {"enum": [*sorted(FORCEABLE_STATES), None]}},
}
CHAOS_RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["route"],
    "additionalProperties": False,
    "description": "exactly one of probability / first_n; at least one of status, latency_ms, "
    "fault (status and fault exclude each other)",
    "properties": {
        "route": {"type": "string", "examples": ["POST /api/send", "/api/report/*", "*"]},
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "first_n": {"type": "integer", "minimum": 1},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "latency_ms": {"type": "integer", "minimum": 0, "maximum": 300000},
        "jitter_ms": {"type": "integer", "minimum": 0, "maximum": 300000},
        "fault": {"enum": list(WIRE_FAULTS)},
    },
}
RATELIMIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["rate"],
    "additionalProperties": False,
    "properties": {
        "rate": {"type": ["number", "null"], "minimum": MIN_RATE, "maximum": MAX_RATE},
        "burst": {"type": "integer", "minimum": 1, "maximum": MAX_BURST},
    },
}


def validated(body: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """422 naming each bad field, or the body unchanged."""
    errors: dict[str, list[str]] = {}
    for err in Draft202012Validator(schema).iter_errors(body):
        field = ".".join(str(p) for p in err.absolute_path) or "body"
        errors.setdefault(field, []).append(err.message)
    if errors:
        raise AdminError(422, "invalid request body", fields=errors)
    return body


def render_user(user: User, now: float) -> dict[str, Any]:
    """Everything a QA engineer needs to log in as this user, including the current TOTP."""
    return {
        "id": user.id,
        "username": user.username,
        "password": user.password,
        "api_key": user.api_keys[0] if user.api_keys else None,
        "api_keys": list(user.api_keys),
        "method": user.method,
        "totp_secret": user.totp_secret,
        "totp_code": pyotp.TOTP(user.totp_secret).at(now) if user.totp_secret else None,
        "mobile": user.mobile,
        "name": user.name,
        "credit": user.credit,
        "senders": list(user.senders),
    }


def render_pattern(pattern: Pattern) -> dict[str, Any]:
    return {"code": pattern.code, "text": pattern.text, "variables": list(pattern.variables)}


def clock_body(now: float, offset: float) -> dict[str, Any]:
    iso = datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z")
    return {"now": now, "iso": iso, "offset": offset}


@admin_route
async def list_users(request: web.Request) -> web.Response:
    backend = backend_of(request)
    now = backend.clock.now()
    return json_response({"items": [render_user(u, now) for u in backend.users.all()]})


@admin_route
async def create_user(request: web.Request) -> web.Response:
    backend = backend_of(request)
    body = validated(await read_object(request), USER_CREATE_SCHEMA)
    if backend.users.get(body["username"]) is not None:
        raise AdminError(409, f"username {body['username']!r} already exists")
    try:
        user = backend.users.create_from_mapping(body)
    except UserError as exc:
        status = 409 if "already" in str(exc) or "distinct" in str(exc) else 422
        raise AdminError(status, str(exc)) from None
    return json_response(render_user(user, backend.clock.now()), status=201)


@admin_route
async def list_patterns(request: web.Request) -> web.Response:
    patterns = backend_of(request).patterns.all()
    return json_response({"items": [render_pattern(p) for p in patterns]})


@admin_route
async def create_pattern(request: web.Request) -> web.Response:
    store = backend_of(request).patterns
    body = validated(await read_object(request), PATTERN_CREATE_SCHEMA)
    if store.get(body["code"]) is not None:
        raise AdminError(409, f"pattern {body['code']!r} already exists")
    try:
        pattern = store.add(body["code"], body["text"])
    except PatternError as exc:
        raise AdminError(422, str(exc)) from None
    return json_response(render_pattern(pattern), status=201)


@admin_route
async def reset(request: web.Request) -> web.Response:
    reset_sandbox(request.app)
    return json_response({"status": "reset"})


@admin_route
async def get_clock(request: web.Request) -> web.Response:
    clock = backend_of(request).clock
    return json_response(clock_body(clock.now(), clock.offset))


@admin_route
async def advance_clock(request: web.Request) -> web.Response:
    clock = backend_of(request).clock
    body = validated(await read_object(request), CLOCK_ADVANCE_SCHEMA)
    now = clock.advance(float(body["seconds"]))
    return json_response(clock_body(now, clock.offset))


def parse_time(value: float | str) -> float:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise AdminError(422, "time must be unix seconds or an ISO 8601 string") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        value = parsed.timestamp()
    if not (math.isfinite(value) and 0 <= value <= 32503680000):
        raise AdminError(422, "time must be between 1970 and 3000")
    return float(value)


@admin_route
async def set_clock(request: web.Request) -> web.Response:
    clock = backend_of(request).clock
    body = validated(await read_object(request), CLOCK_SET_SCHEMA)
    now = clock.set(parse_time(body["time"]))
    return json_response(clock_body(now, clock.offset))


@admin_route
async def force_bulk_state(request: web.Request) -> web.Response:
    backend = backend_of(request)
    raw_id = request.match_info["bulk_id"]
    if not _ID.fullmatch(raw_id):
        raise AdminError(400, "bulk id must be a positive integer")
    body = validated(await read_object(request), BULK_STATE_SCHEMA)
    bulk = backend.outbox.force_state(int(raw_id), body["state_id"])
    if bulk is None:
        raise AdminError(404, f"no bulk with id {raw_id}")
    return json_response({"id": bulk.id, "state_id": bulk.state_id(backend.clock.now())})


@admin_route
async def get_chaos(request: web.Request) -> web.Response:
    engine = request.app[CHAOS]
    return json_response(
        {
            "seed": engine.seed,
            "max_hang_s": engine.max_hang_s,
            "rules": [r.as_dict() for r in engine.rules],
        }
    )


@admin_route
async def add_chaos_rule(request: web.Request) -> web.Response:
    body = await read_object(request)
    try:
        rule = request.app[CHAOS].add(body)
    except ChaosRuleError as exc:
        raise AdminError(422, "invalid chaos rule", fields=exc.errors) from None
    return json_response(rule.as_dict(), status=201)


@admin_route
async def clear_chaos(request: web.Request) -> web.Response:
    return json_response({"deleted": request.app[CHAOS].clear()})


@admin_route
async def delete_chaos_rule(request: web.Request) -> web.Response:
    raw_id = request.match_info["rule_id"]
    if not _ID.fullmatch(raw_id):
        raise AdminError(400, "rule id must be a positive integer")
    if not request.app[CHAOS].remove(int(raw_id)):
        raise AdminError(404, f"no chaos rule with id {raw_id}")
    return json_response({"deleted": 1})


@admin_route
async def get_ratelimit(request: web.Request) -> web.Response:
    return json_response(request.app[RATE_LIMITER].as_dict())


@admin_route
async def put_ratelimit(request: web.Request) -> web.Response:
    limiter = request.app[RATE_LIMITER]
    body = validated(await read_object(request), RATELIMIT_SCHEMA)
    burst = body.get("burst")
    limiter.configure(None if body["rate"] is None else float(body["rate"]), burst)
    return json_response(limiter.as_dict())


ROUTES: list[tuple[str, str, AdminHandler]] = [
    ("GET", "/users", list_users),
    ("POST", "/users", create_user),
    ("GET", "/patterns", list_patterns),
    ("POST", "/patterns", create_pattern),
    ("POST", "/reset", reset),
    ("GET", "/clock", get_clock),
    ("POST", "/clock/advance", advance_clock),
    ("POST", "/clock/set", set_clock),
    ("POST", "/bulks/{bulk_id}/state", force_bulk_state),
    ("GET", "/chaos", get_chaos),
    ("POST", "/chaos", add_chaos_rule),
    ("DELETE", "/chaos", clear_chaos),
    ("DELETE", "/chaos/{rule_id}", delete_chaos_rule),
    ("GET", "/ratelimit", get_ratelimit),
    ("PUT", "/ratelimit", put_ratelimit),
]
