"""A real token-bucket rate limit per caller (API key or token; anonymous callers: per address).

Off unless configured. Buckets refill from an injectable monotonic clock so tests need not sleep.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MonotonicClock = Callable[[], float]

MIN_RATE = 0.001
"""One request per 1000 s: slower limits are more likely mistakes than tests."""
MAX_RATE = 1e9
MAX_BURST = 1_000_000


@dataclass(slots=True)
class TokenBucket:
    tokens: float
    updated: float


class RateLimiter:
    """`rate` tokens per second up to `burst`; one token per request; `rate=None` is off.

    At most `max_keys` buckets are kept (least recently used dropped) so memory stays bounded.
    """

    def __init__(
        self,
        rate: float | None = None,
        burst: int = 20,
        *,
        clock: MonotonicClock = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()
        self.rate: float | None = None
        self.burst = burst
        self.configure(rate, burst)

    def configure(self, rate: float | None, burst: int | None = None) -> None:
        """Change the limits; every caller starts again with a full bucket."""
        if rate is not None and not (math.isfinite(rate) and MIN_RATE <= rate <= MAX_RATE):
            raise ValueError(
                f"rate must be from {MIN_RATE} to {MAX_RATE:g} requests per second, or null"
            )
        if burst is not None and not 1 <= burst <= MAX_BURST:
            raise ValueError(f"burst must be from 1 to {MAX_BURST}")
        self.rate = rate
        if burst is not None:
            self.burst = burst
        self._buckets.clear()

    @property
    def enabled(self) -> bool:
        return self.rate is not None

    def acquire(self, key: str) -> float | None:
        """Take a token for `key`: None if allowed, else the seconds until one is available."""
        if self.rate is None:
            return None
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(float(self.burst), now)
            self._buckets[key] = bucket
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return (1.0 - bucket.tokens) / self.rate

    def as_dict(self) -> dict[str, float | int | None]:
        return {"rate": self.rate, "burst": self.burst if self.rate is not None else None}
