"""Seeded fault injection per route: status errors, latency and wire faults.

The engine only answers "which rule fires for METHOD PATH", from one `random.Random(seed)`,
so a run with the same seed and the same request sequence replays the same faults; the
middleware turns the fired rule into what the client sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import fnmatch
import itertools
import math
import random
import socket
import struct
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ippanel_mock.http.auth import BACKEND

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

WIRE_FAULTS = ("reset_before", "reset_after", "empty_reply", "garbage", "hang")
"""reset_before: drop the connection unprocessed; reset_after: process, then drop it unanswered;
empty_reply: close with no bytes, unprocessed; garbage: a truncated HTTP reply, unprocessed;
hang: never answer (capped) and never process."""

_RULE_FIELDS = {"route", "probability", "first_n", "status", "latency_ms", "jitter_ms", "fault"}
_MAX_LATENCY_MS = 300_000


class ChaosRuleError(ValueError):
    """A rule body that cannot be used; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(slots=True)
class ChaosRule:
    id: int
    route: str
    method: str
    path: str
    probability: float | None = None
    first_n: int | None = None
    status: int | None = None
    latency_ms: int = 0
    jitter_ms: int = 0
    fault: str | None = None
    matched: int = field(default=0)
    fired: int = field(default=0)

    def applies_to(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "route": self.route,
            "probability": self.probability,
            "first_n": self.first_n,
            "status": self.status,
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "fault": self.fault,
            "matched": self.matched,
            "fired": self.fired,
        }


def _parse_route(route: object, errors: dict[str, list[str]]) -> tuple[str, str]:
    if not isinstance(route, str) or not route.strip():
        errors["route"] = ['route must be a string like "POST /api/send", "/api/report/*" or "*"']
        return "*", "*"
    parts = route.split()
    if parts == ["*"]:
        return "*", "*"
    if len(parts) == 1 and parts[0].startswith("/"):
        return "*", parts[0]
    if len(parts) == 2 and parts[1].startswith(("/", "*")):
        method = parts[0].upper()
        if method == "*" or method.isalpha():
            return method, parts[1]
    errors["route"] = ['route must look like "POST /api/send", "/api/report/*" or "*"']
    return "*", "*"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return _is_int(value) or (isinstance(value, float) and math.isfinite(value))


def parse_rule(body: object, rule_id: int) -> ChaosRule:
    """Build a rule from an admin request body or raise ChaosRuleError naming every bad field."""
    if not isinstance(body, Mapping):
        raise ChaosRuleError({"body": ["a chaos rule must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(body) - _RULE_FIELDS)
    if unknown:
        errors["body"] = [f"unknown fields: {', '.join(map(str, unknown))}"]
    method, path = _parse_route(body.get("route"), errors)

    probability, first_n = body.get("probability"), body.get("first_n")
    if (probability is None) == (first_n is None):
        errors["trigger"] = ["give exactly one of probability (0..1) or first_n (>= 1)"]
    if probability is not None and not (_is_number(probability) and 0 <= probability <= 1):
        errors["probability"] = ["probability must be a number from 0 to 1"]
    if first_n is not None and not (_is_int(first_n) and first_n >= 1):
        errors["first_n"] = ["first_n must be an integer >= 1"]

    status, fault = body.get("status"), body.get("fault")
    latency, jitter = body.get("latency_ms"), body.get("jitter_ms")
    if status is not None and not (_is_int(status) and 400 <= status <= 599):
        errors["status"] = ["status must be an integer HTTP error status from 400 to 599"]
    if fault is not None and fault not in WIRE_FAULTS:
        errors["fault"] = [f"fault must be one of {', '.join(WIRE_FAULTS)}"]
    if status is not None and fault is not None:
        errors["action"] = ["give status or fault, not both (latency_ms may join either)"]
    for name, value in (("latency_ms", latency), ("jitter_ms", jitter)):
        if value is not None and not (_is_int(value) and 0 <= value <= _MAX_LATENCY_MS):
            errors[name] = [f"{name} must be an integer from 0 to {_MAX_LATENCY_MS}"]
    if jitter is not None and latency is None:
        errors["jitter_ms"] = ["jitter_ms needs latency_ms"]
    if status is None and fault is None and latency is None:
        errors["action"] = ["give an action: status, latency_ms (with optional jitter_ms) or fault"]
    if errors:
        raise ChaosRuleError(errors)
    return ChaosRule(
        id=rule_id,
        route=str(body["route"]).strip(),
        method=method,
        path=path,
        probability=float(probability) if probability is not None else None,
        first_n=first_n,
        status=status,
        latency_ms=latency or 0,
        jitter_ms=jitter or 0,
        fault=fault,
    )


class ChaosEngine:
    """Ordered rules plus one `random.Random(seed)`: every random choice comes from it."""

    def __init__(self, seed: int = 0, *, max_hang_s: float = 300.0) -> None:
        self.seed = seed
        self.max_hang_s = max_hang_s
        self._rng = random.Random(seed)
        self._ids = itertools.count(1)
        self.rules: list[ChaosRule] = []

    def add(self, body: object) -> ChaosRule:
        rule = parse_rule(body, 0)
        rule.id = next(self._ids)
        self.rules.append(rule)
        return rule

    def remove(self, rule_id: int) -> bool:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.id != rule_id]
        return len(self.rules) != before

    def clear(self) -> int:
        count = len(self.rules)
        self.rules = []
        return count

    def reset(self, seed: int | None = None) -> None:
        """No rules, ids from 1 and a fresh generator, as at start."""
        if seed is not None:
            self.seed = seed
        self.rules = []
        self._ids = itertools.count(1)
        self._rng = random.Random(self.seed)

    def decide(self, method: str, path: str) -> ChaosRule | None:
        """The first rule, in order, that fires for this request; counts matches and fires."""
        for rule in self.rules:
            if not rule.applies_to(method, path):
                continue
            rule.matched += 1
            if rule.first_n is not None:
                fires = rule.matched <= rule.first_n
            else:
                fires = self._rng.random() < (rule.probability or 0.0)
            if fires:
                rule.fired += 1
                return rule
        return None

    def delay_seconds(self, rule: ChaosRule) -> float:
        """latency_ms ± a uniform jitter, never negative."""
        if rule.latency_ms == 0 and rule.jitter_ms == 0:
            return 0.0
        jitter = self._rng.uniform(-rule.jitter_ms, rule.jitter_ms) if rule.jitter_ms else 0.0
        return max(0.0, rule.latency_ms + jitter) / 1000.0


CHAOS: web.AppKey[ChaosEngine] = web.AppKey("chaos", ChaosEngine)
NO_RESPONSE_STATUS = 444
"""What the journal records when a wire fault left the client without a response (nginx's 444)."""

EXEMPT_PATHS = ("/healthz", "/openapi.json")
_GARBAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n"
    b'{"data": {"message_outbox_ids": [\x00\xff'
)


def is_exempt(path: str) -> bool:
    """Tooling routes are never chaos'd or rate limited."""
    return path in EXEMPT_PATHS or path == "/__sandbox" or path.startswith("/__sandbox/")


class _ShutdownSignal:
    """Set when the app shuts down so hung requests let go at once."""

    def __init__(self) -> None:
        self.event = asyncio.Event()


SHUTDOWN: web.AppKey[_ShutdownSignal] = web.AppKey("chaos_shutdown", _ShutdownSignal)


def setup_chaos(app: web.Application) -> None:
    """Attach a ChaosEngine seeded from the backend's config (seed 0 without a backend)."""
    seed = app[BACKEND].config.seed if BACKEND in app else 0
    app[CHAOS] = ChaosEngine(seed)
    app[SHUTDOWN] = _ShutdownSignal()

    async def _release_hung(app: web.Application) -> None:
        app[SHUTDOWN].event.set()

    app.on_shutdown.append(_release_hung)


def _drop_connection(request: web.Request, *, hard: bool) -> None:
    """Close the client's connection: with a TCP RST when `hard`, else a plain FIN."""
    transport = request.transport
    if transport is None or transport.is_closing():
        return
    if hard:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()


async def _hang(request: web.Request, engine: ChaosEngine, shutdown: asyncio.Event) -> None:
    """Answer nothing until the client leaves, the app shuts down or max_hang_s passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + engine.max_hang_s
    while not shutdown.is_set():
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shutdown.wait(), min(remaining, 0.5))


STATUS_MESSAGES: dict[int, str] = {
    400: "درخواست نامعتبر است",
    401: "اطلاعات وارد شده صحیح نمی باشد",
    403: "دسترسی به این بخش مجاز نیست",
    404: "آدرس مورد نظر یافت نشد",
    408: "زمان درخواست به پایان رسید",
    409: "درخواست با وضعیت فعلی سازگار نیست",
    429: "تعداد درخواست‌ها بیش از حد مجاز است، لطفا بعدا تلاش کنید",
    500: "خطای داخلی سرور",
    502: "خطا در ارتباط با سرویس دهنده",
    503: "سرویس موقتا در دسترس نیست، لطفا بعدا تلاش کنید",
    504: "زمان پاسخ سرویس دهنده به پایان رسید",
}
DEFAULT_STATUS_MESSAGE = "خطایی رخ داده است، لطفا بعدا تلاش کنید"


def status_response(status: int) -> web.Response:
    """The IPPanel error envelope for an HTTP status: message_code "<status>-1", Persian text."""
    from ippanel_mock.http.envelope import error

    headers = {"Retry-After": "1"} if status in (429, 503) else None
    message = STATUS_MESSAGES.get(status, DEFAULT_STATUS_MESSAGE)
    return error(status, f"{status}-1", message, headers=headers)


async def _read_body_first(request: web.Request) -> None:
    """A slow server has the request already: buffer the body before the delay, so a client that
    times out meanwhile still gets its send processed (aiohttp drops an unread body on
    disconnect). Bodies of unknown or oversized length are left to the handler's checks."""
    length = request.content_length
    limit = request.app[BACKEND].config.max_body_bytes if BACKEND in request.app else 0
    if length is not None and 0 < length <= limit:
        with contextlib.suppress(ConnectionResetError, web.HTTPException):
            await request.read()


@web.middleware
async def chaos_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    engine = request.app.get(CHAOS)
    if engine is None or not engine.rules or is_exempt(request.path):
        return await handler(request)
    rule = engine.decide(request.method, request.path)
    if rule is None:
        return await handler(request)
    delay = engine.delay_seconds(rule)
    if delay:
        await _read_body_first(request)
        await asyncio.sleep(delay)
    if rule.status is not None:
        return status_response(rule.status)
    if rule.fault is None:
        return await handler(request)
    if rule.fault == "reset_after":
        response = await handler(request)
        _drop_connection(request, hard=True)
        return response
    if rule.fault == "reset_before":
        _drop_connection(request, hard=True)
    elif rule.fault == "empty_reply":
        _drop_connection(request, hard=False)
    elif rule.fault == "garbage":
        if request.transport is not None:
            request.transport.write(_GARBAGE)
        _drop_connection(request, hard=False)
    elif rule.fault == "hang":
        await _hang(request, engine, request.app[SHUTDOWN].event)
        _drop_connection(request, hard=True)
    return web.Response(status=NO_RESPONSE_STATUS)
