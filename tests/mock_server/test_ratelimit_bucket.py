"""RateLimiter token bucket with an injected monotonic clock (no sleeping)."""

from __future__ import annotations

import pytest
from ippanel_mock.http.ratelimit import RateLimiter


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_retry_after_then_refill() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(rate=2.0, burst=3, clock=clock)
    assert [limiter.acquire("k") for _ in range(3)] == [None, None, None]
    wait = limiter.acquire("k")
    assert wait == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("k") is None
    assert limiter.acquire("k") is not None


def test_buckets_are_per_key() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=FakeMonotonic())
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") is not None
    assert limiter.acquire("b") is None


def test_refill_never_exceeds_burst() -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(rate=10.0, burst=2, clock=clock)
    limiter.acquire("k")
    clock.now += 3600
    assert [limiter.acquire("k") is None for _ in range(3)] == [True, True, False]


def test_off_by_default_and_reconfigurable() -> None:
    limiter = RateLimiter(clock=FakeMonotonic())
    assert not limiter.enabled
    assert all(limiter.acquire("k") is None for _ in range(100))
    limiter.configure(1.0, 1)
    assert limiter.acquire("k") is None
    assert limiter.acquire("k") is not None
    limiter.configure(None)
    assert limiter.acquire("k") is None


def test_key_table_is_bounded() -> None:
    limiter = RateLimiter(rate=1.0, burst=1, clock=FakeMonotonic(), max_keys=10)
    for i in range(100):
        limiter.acquire(f"key-{i}")
    assert len(limiter._buckets) == 10


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1.0, 1), (float("nan"), 1), (1.0, 0)])
def test_bad_limits_rejected_and_unchanged(rate: float, burst: int) -> None:
    limiter = RateLimiter(rate=5.0, burst=5, clock=FakeMonotonic())
    with pytest.raises(ValueError, match=r"rate|burst"):
        limiter.configure(rate, burst)
    assert limiter.as_dict() == {"rate": 5.0, "burst": 5}
