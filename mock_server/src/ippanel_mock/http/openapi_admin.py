"""OpenAPI operations and response schemas of the admin API (/__sandbox) and /healthz.

Request bodies reuse the schemas the admin routes validate with (http/admin_state.py).
"""

from __future__ import annotations

from typing import Any

from ippanel_mock.http import admin_state
from ippanel_mock.http.admin import MAX_PER_PAGE, MAX_WAIT_SECONDS
from ippanel_mock.http.chaos import WIRE_FAULTS

_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props)}


def _page_of(item_ref: str) -> dict[str, Any]:
    return _obj(
        {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "last_page": {"type": "integer", "minimum": 1},
        }
    )


ADMIN_SCHEMAS: dict[str, Any] = {
    "AdminError": {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["error"],
    },
    "Health": _obj({"status": {"const": "ok"}}),
    "Deleted": _obj({"deleted": {"type": "integer", "minimum": 0}}),
    "ResetDone": _obj({"status": {"const": "reset"}}),
    "CapturedMessage": _obj(
        {
            "id": {"type": "integer"},
            "user": {"type": "string"},
            "sender": {"type": "string"},
            "recipient": {"type": "string"},
            "text": {"type": "string"},
            "bulk_id": _NULLABLE_INT,
            "sending_type": {"type": "string"},
            "created_at": {"type": "number"},
            "message_status": {"type": ["integer", "null"], "minimum": 0, "maximum": 4},
        }
    ),
    "MessagePage": _page_of("#/components/schemas/CapturedMessage"),
    "Otp": _obj(
        {
            "username": {"type": "string"},
            "code": {"type": "string"},
            "message": {"$ref": "#/components/schemas/CapturedMessage"},
        }
    ),
    "JournalEntry": _obj(
        {
            "id": {"type": "integer"},
            "method": {"type": "string"},
            "path": {"type": "string"},
            "query": {"type": "string"},
            "status": {"type": "integer"},
            "api_key_hint": _NULLABLE_STR,
            "at": {"type": "number"},
            "duration_ms": {"type": "number"},
        }
    ),
    "JournalPage": _page_of("#/components/schemas/JournalEntry"),
    "SandboxUser": _obj(
        {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "password": {"type": "string"},
            "api_key": _NULLABLE_STR,
            "api_keys": {"type": "array", "items": {"type": "string"}},
            "method": {"enum": ["login", "ga", "sms"]},
            "totp_secret": _NULLABLE_STR,
            "totp_code": _NULLABLE_STR,
            "mobile": {"type": "string"},
            "name": {"type": "string"},
            "credit": {"type": "number"},
            "senders": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "SandboxUserList": _obj(
        {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SandboxUser"}}}
    ),
    "SandboxPattern": _obj(
        {
            "code": {"type": "string"},
            "text": {"type": "string"},
            "variables": {"type": "array", "items": {"type": "string"}},
        }
    ),
    "SandboxPatternList": _obj(
        {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SandboxPattern"}}}
    ),
    "Clock": _obj(
        {"now": {"type": "number"}, "iso": {"type": "string"}, "offset": {"type": "number"}}
    ),
    "BulkState": _obj({"id": {"type": "integer"}, "state_id": {"type": "integer"}}),
    "ChaosRule": _obj(
        {
            "id": {"type": "integer"},
            "route": {"type": "string"},
            "probability": {"type": ["number", "null"]},
            "first_n": _NULLABLE_INT,
            "status": _NULLABLE_INT,
            "latency_ms": {"type": "integer"},
            "jitter_ms": {"type": "integer"},
            "fault": {"enum": [*WIRE_FAULTS, None]},
            "matched": {"type": "integer"},
            "fired": {"type": "integer"},
        }
    ),
    "ChaosState": _obj(
        {
            "seed": {"type": "integer"},
            "max_hang_s": {"type": "number"},
            "rules": {"type": "array", "items": {"$ref": "#/components/schemas/ChaosRule"}},
        }
    ),
    "RateLimit": _obj(
        {"rate": {"type": ["number", "null"]}, "burst": {"type": ["integer", "null"]}}
    ),
    "UserCreate": admin_state.USER_CREATE_SCHEMA,
    "PatternCreate": admin_state.PATTERN_CREATE_SCHEMA,
    "ClockAdvance": admin_state.CLOCK_ADVANCE_SCHEMA,
    "ClockSet": admin_state.CLOCK_SET_SCHEMA,
    "BulkStateChange": admin_state.BULK_STATE_SCHEMA,
    "ChaosRuleCreate": admin_state.CHAOS_RULE_SCHEMA,
    "RateLimitSettings": admin_state.RATELIMIT_SCHEMA,
}


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    param: dict[str, Any] = {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "allowEmptyValue": True,  # the routes read `?name=` as absent
    }
    if description:
        param["description"] = description
    return param


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


PAGE_PARAMS = [
    _q("page", {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 1}),
    _q("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50}),
]
MESSAGE_FILTERS = [
    _q(
        "recipient",
        {"type": "string", "pattern": admin_state.MOBILE_PATTERN},
        "Iranian mobile number: +989…, 00989…, 989…, 09… or 9…",
    ),
    _q("sender", {"type": "string"}),
    _q("text", {"type": "string"}, "substring of the message text"),
    _q("bulk_id", {"type": "integer", "minimum": 0, "maximum": 10**17}),
    _q("status", {"type": "integer", "minimum": 0, "maximum": 4}, "message_status right now"),
    _q("since", {"type": "number", "minimum": 0}, "sandbox-clock unix seconds"),
    _q("until", {"type": "number", "minimum": 0}, "sandbox-clock unix seconds"),
    _q("user", {"type": "string"}),
    _q("sending_type", {"type": "string"}),
]
JOURNAL_FILTERS = [
    _q("method", {"type": "string"}),
    _q("path", {"type": "string"}, "exact path or glob, e.g. /api/report/*"),
    _q("status", {"type": "integer", "minimum": 100, "maximum": 599}),
]
ID_SCHEMA = {"type": "integer", "minimum": 0, "maximum": 10**17}


def _op(
    summary: str,
    ok: tuple[int, str],
    errors: tuple[int, ...] = (),
    *,
    params: list[dict[str, Any]] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    return {
        "summary": summary,
        "params": params or [],
        "body": body,
        "ok": ok,
        "errors": errors,
    }


ADMIN_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/__sandbox/messages"): _op(
        "Captured messages, newest first",
        (200, "MessagePage"),
        (400,),
        params=MESSAGE_FILTERS + PAGE_PARAMS,
    ),
    ("DELETE", "/__sandbox/messages"): _op(
        "Delete captured messages (all, or those matching the filters)",
        (200, "Deleted"),
        (400,),
        params=MESSAGE_FILTERS,
    ),
    ("GET", "/__sandbox/messages/latest"): _op(
        "The newest captured message matching the filters",
        (200, "CapturedMessage"),
        (400, 404),
        params=MESSAGE_FILTERS,
    ),
    ("GET", "/__sandbox/messages/wait"): _op(
        "Long-poll for the first matching message captured after the call (or since `since`)",
        (200, "CapturedMessage"),
        (400, 408),
        params=[
            *MESSAGE_FILTERS,
            _q("timeout", {"type": "number", "minimum": 0, "maximum": MAX_WAIT_SECONDS}),
        ],
    ),
    ("GET", "/__sandbox/otp/{username}"): _op(
        "The latest OTP code sent to a user",
        (200, "Otp"),
        (404,),
        params=[_path("username", {"type": "string"})],
    ),
    ("GET", "/__sandbox/requests"): _op(
        "Request journal, newest first",
        (200, "JournalPage"),
        (400,),
        params=JOURNAL_FILTERS + PAGE_PARAMS,
    ),
    ("DELETE", "/__sandbox/requests"): _op("Clear the request journal", (200, "Deleted")),
    ("GET", "/__sandbox/users"): _op("Users and their credentials", (200, "SandboxUserList")),
    ("POST", "/__sandbox/users"): _op(
        "Create a user", (201, "SandboxUser"), (400, 409, 413, 422), body="UserCreate"
    ),
    ("GET", "/__sandbox/patterns"): _op("Message patterns", (200, "SandboxPatternList")),
    ("POST", "/__sandbox/patterns"): _op(
        "Add a pattern", (201, "SandboxPattern"), (400, 409, 413, 422), body="PatternCreate"
    ),
    ("POST", "/__sandbox/reset"): _op("Back to the seeded start state", (200, "ResetDone")),
    ("GET", "/__sandbox/clock"): _op("The sandbox clock", (200, "Clock")),
    ("POST", "/__sandbox/clock/advance"): _op(
        "Move the clock forward", (200, "Clock"), (400, 413, 422), body="ClockAdvance"
    ),
    ("POST", "/__sandbox/clock/set"): _op(
        "Set the clock (unix seconds or ISO 8601)", (200, "Clock"), (400, 413, 422), body="ClockSet"
    ),
    ("POST", "/__sandbox/bulks/{bulk_id}/state"): _op(
        "Force a final state (3, 4, 7, 8, 9) on a bulk, or null to follow the clock",
        (200, "BulkState"),
        (400, 404, 413, 422),
        params=[_path("bulk_id", ID_SCHEMA)],
        body="BulkStateChange",
    ),
    ("GET", "/__sandbox/chaos"): _op("Chaos rules with their counters", (200, "ChaosState")),
    ("POST", "/__sandbox/chaos"): _op(
        "Add a chaos rule", (201, "ChaosRule"), (400, 413, 422), body="ChaosRuleCreate"
    ),
    ("DELETE", "/__sandbox/chaos"): _op("Remove every chaos rule", (200, "Deleted")),
    ("DELETE", "/__sandbox/chaos/{rule_id}"): _op(
        "Remove one chaos rule",
        (200, "Deleted"),
        (400, 404),
        params=[_path("rule_id", ID_SCHEMA)],
    ),
    ("GET", "/__sandbox/ratelimit"): _op("The rate limit (null: off)", (200, "RateLimit")),
    ("PUT", "/__sandbox/ratelimit"): _op(
        "Set or switch off the rate limit",
        (200, "RateLimit"),
        (400, 413, 422),
        body="RateLimitSettings",
    ),
}
