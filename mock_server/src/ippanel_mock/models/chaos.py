"""Seeded fault injection: rules per route and one generator for every random choice.

The engine only answers "which rule fires for METHOD PATH", from one `random.Random(seed)`, so a
run with the same seed and the same request sequence replays the same faults; the HTTP
middleware (http/chaos.py) turns the fired rule into what the client sees.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ippanel_mock.models.errors import InvalidFields, LimitReached

WIRE_FAULTS = ("reset_before", "reset_after", "empty_reply", "garbage", "hang")
"""reset_before: drop the connection unprocessed; reset_after: process, then drop it unanswered;
empty_reply: close with no bytes, unprocessed; garbage: a truncated HTTP reply, unprocessed;
hang: never answer (capped) and never process."""

_RULE_FIELDS = {"route", "probability", "first_n", "status", "latency_ms", "jitter_ms", "fault"}
_MAX_LATENCY_MS = 300_000
MAX_CHAOS_RULES = 1_000
"""Rules at most; each request walks them in order, so fewer is also faster."""


class ChaosRuleError(InvalidFields):
    """A rule body that cannot be used; `fields` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "invalid chaos rule")

    @property
    def errors(self) -> dict[str, list[str]]:
        return self.fields


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
        self.max_rules = MAX_CHAOS_RULES

    def add(self, body: object) -> ChaosRule:
        """Append a rule; ChaosRuleError for a bad body, LimitReached past max_rules."""
        rule = parse_rule(body, 0)
        if len(self.rules) >= self.max_rules:
            raise LimitReached(f"at most {self.max_rules} chaos rules; delete some first")
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
