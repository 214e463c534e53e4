"""Admin API, write side: users, patterns, reset, clock, bulk states, chaos rules, rate limit.

Bodies are read and checked like public ones (http/body.py) against the schema files
http/schemas/requests/admin_*.json.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

import pyotp
from aiohttp import web

from ippanel_mock.http.admin_common import ADMIN_PREFIX, ID_SCHEMA
from ippanel_mock.http.body_specs import JsonBody
from ippanel_mock.http.operations import AdminError, Call, Operations, json_response
from ippanel_mock.http.params import path
from ippanel_mock.models.chaos import MAX_CHAOS_RULES, ChaosRuleError
from ippanel_mock.models.clock import EARLIEST, LATEST, ClockOutOfRange
from ippanel_mock.models.errors import AlreadyExists, LimitReached
from ippanel_mock.models.patterns import MAX_SHARED_PATTERNS, Pattern, PatternError
from ippanel_mock.models.users import MAX_USERS, User, UserError

_ID = re.compile(r"[0-9]{1,18}")

routes = Operations("admin")


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


@routes.get(ADMIN_PREFIX + "/users", "Users and their credentials", response="admin_user_list")
async def list_users(call: Call) -> web.Response:
    backend = call.backend
    now = backend.clock.now()
    return json_response({"items": [render_user(u, now) for u in backend.users.all()]})


@routes.post(
    ADMIN_PREFIX + "/users",
    f"Create a user (at most {MAX_USERS:,} users: 409 beyond)",
    body=JsonBody("admin_user_create"),
    response="admin_user",
    status=201,
    errors={AlreadyExists: 409, LimitReached: 409, UserError: 422},
)
async def create_user(call: Call) -> web.Response:
    user = call.backend.users.create_from_mapping(call.body)
    return json_response(render_user(user, call.backend.clock.now()), status=201)


@routes.get(ADMIN_PREFIX + "/patterns", "Message patterns", response="admin_pattern_list")
async def list_patterns(call: Call) -> web.Response:
    patterns = call.backend.patterns.all()
    return json_response({"items": [render_pattern(p) for p in patterns]})


@routes.post(
    ADMIN_PREFIX + "/patterns",
    f"Add a pattern (at most {MAX_SHARED_PATTERNS:,} shared patterns: 409 beyond)",
    body=JsonBody("admin_pattern_create"),
    response="admin_pattern",
    status=201,
    errors={AlreadyExists: 409, LimitReached: 409, PatternError: 422},
)
async def create_pattern(call: Call) -> web.Response:
    pattern = call.backend.patterns.create(call.body["code"], call.body["text"])
    return json_response(render_pattern(pattern), status=201)


@routes.post(
    ADMIN_PREFIX + "/patterns/{code}/review",
    "Decide the review of a user's pattern now (or null: follow the clock again)",
    params=(path("code", {"type": "string", "minLength": 1, "maxLength": 64}),),
    body=JsonBody("admin_pattern_review"),
    response="admin_pattern_review",
    statuses=(404,),
)
async def review_pattern(call: Call) -> web.Response:
    code = call.request.match_info["code"]
    pattern = call.backend.patterns.force_review(code, call.body["status"])
    if pattern is None:
        raise AdminError(404, f"no user pattern with code {code}")
    status = pattern.status(call.backend.clock.now())
    return json_response({"code": code, "user": pattern.username, "status": status})


@routes.post(
    ADMIN_PREFIX + "/reset",
    "Back to the seeded start state",
    response="admin_reset",
    errors={UserError: 422},  # the users file, read again, no longer reads
)
async def reset(call: Call) -> web.Response:
    call.backend.reset()
    return json_response({"status": "reset"})


@routes.get(ADMIN_PREFIX + "/clock", "The sandbox clock", response="admin_clock")
async def get_clock(call: Call) -> web.Response:
    clock = call.backend.clock
    return json_response(clock_body(clock.now(), clock.offset))


@routes.post(
    ADMIN_PREFIX + "/clock/advance",
    "Move the clock forward (not past 3000-01-01)",
    body=JsonBody("admin_clock_advance"),
    response="admin_clock",
    errors={ClockOutOfRange: 422},
)
async def advance_clock(call: Call) -> web.Response:
    clock = call.backend.clock
    now = clock.advance(float(call.body["seconds"]))
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
    if not (math.isfinite(value) and EARLIEST <= value <= LATEST):
        raise AdminError(422, "time must be between 1970 and 3000")
    return float(value)


@routes.post(
    ADMIN_PREFIX + "/clock/set",
    "Set the clock (unix seconds or ISO 8601)",
    body=JsonBody("admin_clock_set"),
    response="admin_clock",
    statuses=(422,),
    errors={ClockOutOfRange: 422},
)
async def set_clock(call: Call) -> web.Response:
    clock = call.backend.clock
    now = clock.set(parse_time(call.body["time"]))
    return json_response(clock_body(now, clock.offset))


@routes.post(
    ADMIN_PREFIX + "/bulks/{bulk_id}/state",
    "Force a final state (3, 4, 7, 8, 9) on a bulk, or null to follow the clock",
    params=(path("bulk_id", ID_SCHEMA),),
    body=JsonBody("admin_bulk_state"),
    response="admin_bulk_state",
    statuses=(400, 404),
)
async def force_bulk_state(call: Call) -> web.Response:
    backend = call.backend
    raw_id = call.request.match_info["bulk_id"]
    if not _ID.fullmatch(raw_id):
        raise AdminError(400, "bulk id must be a positive integer")
    bulk = backend.outbox.force_state(int(raw_id), call.body["state_id"])
    if bulk is None:
        raise AdminError(404, f"no bulk with id {raw_id}")
    return json_response({"id": bulk.id, "state_id": bulk.state_id(backend.clock.now())})


@routes.get(ADMIN_PREFIX + "/chaos", "Chaos rules with their counters", response="admin_chaos")
async def get_chaos(call: Call) -> web.Response:
    engine = call.backend.chaos
    return json_response(
        {
            "seed": engine.seed,
            "max_hang_s": engine.max_hang_s,
            "rules": [r.as_dict() for r in engine.rules],
        }
    )


@routes.post(
    ADMIN_PREFIX + "/chaos",
    f"Add a chaos rule (at most {MAX_CHAOS_RULES:,} rules: 409 beyond)",
    body=JsonBody("admin_chaos_rule"),
    response="admin_chaos_rule",
    status=201,
    errors={ChaosRuleError: 422, LimitReached: 409},
)
async def add_chaos_rule(call: Call) -> web.Response:
    rule = call.backend.chaos.add(call.body)
    return json_response(rule.as_dict(), status=201)


@routes.delete(ADMIN_PREFIX + "/chaos", "Remove every chaos rule", response="admin_deleted")
async def clear_chaos(call: Call) -> web.Response:
    return json_response({"deleted": call.backend.chaos.clear()})


@routes.delete(
    ADMIN_PREFIX + "/chaos/{rule_id}",
    "Remove one chaos rule",
    params=(path("rule_id", ID_SCHEMA),),
    response="admin_deleted",
    statuses=(400, 404),
)
async def delete_chaos_rule(call: Call) -> web.Response:
    raw_id = call.request.match_info["rule_id"]
    if not _ID.fullmatch(raw_id):
        raise AdminError(400, "rule id must be a positive integer")
    if not call.backend.chaos.remove(int(raw_id)):
        raise AdminError(404, f"no chaos rule with id {raw_id}")
    return json_response({"deleted": 1})


@routes.get(ADMIN_PREFIX + "/ratelimit", "The rate limit (null: off)", response="admin_ratelimit")
async def get_ratelimit(call: Call) -> web.Response:
    return json_response(call.backend.rate_limiter.as_dict())


@routes.put(
    ADMIN_PREFIX + "/ratelimit",
    "Set or switch off the rate limit",
    body=JsonBody("admin_ratelimit"),
    response="admin_ratelimit",
)
async def put_ratelimit(call: Call) -> web.Response:
    limiter, body = call.backend.rate_limiter, call.body
    limiter.configure(None if body["rate"] is None else float(body["rate"]), body.get("burst"))
    return json_response(limiter.as_dict())
