"""Sandbox settings: one frozen value passed to the backend and the app."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

MAX_BODY_BYTES = 1_048_576
"""Documented cap on a request body (1 MiB); larger bodies get the 413 envelope."""


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Everything that shapes a sandbox run; equal configs give equal runs."""

    seed: int = 0
    delivery_delay: float = 2.0
    history: int = 0
    users_file: str | Path | None = None
    admin_token: str | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    message_capacity: int = 10_000
    journal_capacity: int = 1_000
    inbox_capacity: int = 10_000
    """Retention cap on received messages (and again on those still due); oldest dropped."""
    outbox_max_recipients: int = 2_000_000
    """Retention cap on stored recipient rows; the oldest bulks are evicted beyond it."""
    outbox_max_bulks: int = 100_000
    """Retention cap on stored bulks; the oldest are evicted beyond it."""
    sample_phonebook: int = 0
    """Numbers of a seeded phonebook user `sandbox` starts with (0: none)."""
    phonebook_max_size: int = 100_000
    """Numbers a phonebook may hold; more are refused."""
    phonebook_max_numbers: int = 500_000
    """Numbers all phonebooks of all users may hold together; more are refused."""
    pattern_review_delay: float = 2.0
    """Seconds a user's new or changed pattern stays pending before its review ends."""
    rate_limit: float | None = None
    """Requests per second per API key or token; None turns the limiter off."""
    rate_burst: int = 20
    access_log: bool = False
    header_timeout: float = 10.0
    """Seconds a connection has, from the first byte of a request, to send the whole head (and
    from the head, the whole body); a slower client is dropped (slowloris)."""
    idle_timeout: float = 75.0
    """Seconds a connection may stay open without sending a request (also between requests)."""
    max_connections: int = 512
    """Open connections at most; past it the oldest one still waiting for a request is closed to
    make room (or, if every one is busy, the new one)."""

    def __post_init__(self) -> None:
        if self.admin_token is not None and not self.admin_token.strip():
            raise ValueError(
                "admin_token must not be empty: leave it out (no --admin-token) to run without "
                "an admin token"
            )
        if not (math.isfinite(self.delivery_delay) and self.delivery_delay >= 0):
            raise ValueError("delivery_delay must be a finite number >= 0")
        if not (math.isfinite(self.pattern_review_delay) and self.pattern_review_delay >= 0):
            raise ValueError("pattern_review_delay must be a finite number >= 0")
        if self.history < 0:
            raise ValueError("history must be >= 0")
        if self.max_body_bytes <= 0:
            raise ValueError("max_body_bytes must be > 0")
        if self.message_capacity <= 0 or self.journal_capacity <= 0 or self.inbox_capacity <= 0:
            raise ValueError("capacities must be > 0")
        if self.outbox_max_recipients <= 0 or self.outbox_max_bulks <= 0:
            raise ValueError("outbox capacities must be > 0")
        if self.phonebook_max_size <= 0 or self.phonebook_max_numbers <= 0:
            raise ValueError("phonebook capacities must be > 0")
        if (
            not 0
            <= self.sample_phonebook
            <= min(self.phonebook_max_size, self.phonebook_max_numbers)
        ):
            raise ValueError("sample_phonebook must be from 0 to the phonebook capacities")
        if self.rate_limit is not None and not (
            math.isfinite(self.rate_limit) and self.rate_limit > 0
        ):
            raise ValueError("rate_limit must be a finite number > 0, or None")
        if self.rate_burst <= 0:
            raise ValueError("rate_burst must be > 0")
        for name in ("header_timeout", "idle_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number > 0")
        if self.max_connections < 1:
            raise ValueError("max_connections must be >= 1")
