"""ChaosEngine decisions: rule validation, first_n, seeded replay, counters."""

from __future__ import annotations

import pytest
from ippanel_mock.http.chaos import ChaosEngine, ChaosRuleError, is_exempt


def _pattern(engine: ChaosEngine, requests: int) -> list[bool]:
    return [engine.decide("POST", "/api/send") is not None for _ in range(requests)]


def test_first_n_fires_exactly_n_times() -> None:
    engine = ChaosEngine(seed=1)
    rule = engine.add({"route": "POST /api/send", "first_n": 2, "status": 503})
    assert _pattern(engine, 4) == [True, True, False, False]
    assert (rule.matched, rule.fired) == (4, 2)
    assert engine.decide("GET", "/api/send") is None


def test_same_seed_replays_same_fault_pattern() -> None:
    runs = []
    for _ in range(2):
        engine = ChaosEngine(seed=42)
        engine.add({"route": "*", "probability": 0.5, "status": 500})
        runs.append(_pattern(engine, 40))
    assert runs[0] == runs[1]
    assert 0 < sum(runs[0]) < 40
    other = ChaosEngine(seed=43)
    other.add({"route": "*", "probability": 0.5, "status": 500})
    assert _pattern(other, 40) != runs[0]


def test_reset_reseeds_and_forgets_rules() -> None:
    engine = ChaosEngine(seed=7)
    engine.add({"route": "*", "probability": 0.3, "fault": "reset_before"})
    first = _pattern(engine, 20)
    engine.reset()
    assert engine.rules == []
    engine.add({"route": "*", "probability": 0.3, "fault": "reset_before"})
    assert engine.rules[0].id == 1
    assert _pattern(engine, 20) == first


def test_route_glob_and_any_method() -> None:
    engine = ChaosEngine()
    engine.add({"route": "/api/report/*", "first_n": 10, "latency_ms": 5})
    assert engine.decide("GET", "/api/report/by_bulk") is not None
    assert engine.decide("POST", "/api/report/by_bulk/1") is not None
    assert engine.decide("POST", "/api/send") is None


def test_latency_jitter_stays_in_range_and_replays() -> None:
    a, b = ChaosEngine(seed=3), ChaosEngine(seed=3)
    for engine in (a, b):
        engine.add({"route": "*", "first_n": 50, "latency_ms": 100, "jitter_ms": 40})
    delays_a = [a.delay_seconds(a.rules[0]) for _ in range(50)]
    delays_b = [b.delay_seconds(b.rules[0]) for _ in range(50)]
    assert delays_a == delays_b
    assert all(0.06 <= d <= 0.14 for d in delays_a)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"route": "*", "status": 503}, "trigger"),
        ({"route": "*", "first_n": 1, "probability": 0.5, "status": 503}, "trigger"),
        ({"route": "*", "probability": 1.5, "status": 503}, "probability"),
        ({"route": "*", "first_n": 0, "status": 503}, "first_n"),
        ({"route": "*", "first_n": True, "status": 503}, "first_n"),
        ({"route": "*", "first_n": 1, "status": 200}, "status"),
        ({"route": "*", "first_n": 1}, "action"),
        ({"route": "*", "first_n": 1, "fault": "explode"}, "fault"),
        ({"route": "*", "first_n": 1, "status": 503, "fault": "hang"}, "action"),
        ({"route": "*", "first_n": 1, "jitter_ms": 5}, "jitter_ms"),
        ({"route": "POST api/send", "first_n": 1, "status": 503}, "route"),
        ({"route": 5, "first_n": 1, "status": 503}, "route"),
        ({"route": "*", "first_n": 1, "status": 503, "colour": "red"}, "body"),
        (["not", "an", "object"], "body"),
    ],
)
def test_bad_rules_name_the_field_and_add_nothing(body: object, field: str) -> None:
    engine = ChaosEngine()
    with pytest.raises(ChaosRuleError) as info:
        engine.add(body)
    assert field in info.value.errors
    assert engine.rules == []


def test_tooling_routes_are_exempt() -> None:
    assert is_exempt("/healthz")
    assert is_exempt("/openapi.json")
    assert is_exempt("/__sandbox/messages")
    assert not is_exempt("/api/send")
    assert not is_exempt("/__sandboxed")
