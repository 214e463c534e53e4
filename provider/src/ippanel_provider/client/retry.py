"""Retry policies (tenacity). The only retry logic in the client: urllib3's is switched off.

Reads are retried on anything transient. A send is retried only when IPPanel certainly did not
act on it: the connection was never made (refused, DNS, connect timeout), or it answered 429 or
503. A read timeout, a reset after the request was written, an empty reply, or a 500/502/504 on a
send may mean the SMS went out, so it raises :class:`IPPanelSendOutcomeUnknown` and is not retried
(there is no idempotency key: a blind retry could send the SMS twice).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
    wait_random,
)

from .errors import (
    IPPanelApiError,
    IPPanelRateLimitError,
    IPPanelResponseLostError,
    IPPanelServerError,
    IPPanelTLSError,
    IPPanelTransportError,
)

logger = logging.getLogger("ippanel_provider.client")

Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]

READ_RETRY_STATUSES = frozenset({502, 503, 504})
SEND_RETRY_STATUSES = frozenset({503})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of one retry loop: attempts, total time, backoff and the Retry-After cap."""

    max_attempts: int = 5
    """Attempts in all, the first included (1: no retry)."""
    max_total_seconds: float = 60.0
    """No retry whose wait would end more than this many seconds after the first attempt."""
    initial_backoff: float = 0.5
    """Seconds before the first retry; doubles with each retry."""
    max_backoff: float = 10.0
    """Upper bound of one backoff, in seconds."""
    jitter: float = 0.5
    """Up to this many random seconds added to each backoff."""
    max_retry_after: float = 30.0
    """A ``Retry-After`` (429, 503) is honoured up to this many seconds."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_total_seconds <= 0 or self.initial_backoff < 0 or self.max_backoff < 0:
            raise ValueError("retry times must be positive")


READ_RETRY = RetryPolicy()
SEND_RETRY = RetryPolicy(max_attempts=4, max_total_seconds=30.0)
NO_RETRY = RetryPolicy(max_attempts=1)


def is_retryable_read(exc: BaseException) -> bool:
    if isinstance(exc, IPPanelTLSError):
        return False
    if isinstance(exc, IPPanelTransportError | IPPanelResponseLostError | IPPanelRateLimitError):
        return True
    return isinstance(exc, IPPanelServerError) and exc.http_status in READ_RETRY_STATUSES


def is_retryable_send(exc: BaseException) -> bool:
    """True only when IPPanel certainly did not act on the request."""
    if isinstance(exc, IPPanelTLSError):
        return False
    if isinstance(exc, IPPanelTransportError | IPPanelRateLimitError):
        return True
    return isinstance(exc, IPPanelServerError) and exc.http_status in SEND_RETRY_STATUSES


class _BackoffOrRetryAfter:
    """Exponential backoff with jitter, or the server's Retry-After (capped) when it gave one
    (429 and 503 answers)."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.backoff = wait_exponential(
            multiplier=policy.initial_backoff, max=policy.max_backoff
        ) + wait_random(0, policy.jitter)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, IPPanelApiError) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.max_retry_after)
        return self.backoff(state)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    delay = state.next_action.sleep if state.next_action else 0.0
    logger.warning(
        "IPPanel attempt %d failed (%s); retrying in %.1fs", state.attempt_number, exc, delay
    )


def _options(policy: RetryPolicy, retry_send: bool) -> dict[str, object]:
    return {
        "stop": stop_after_attempt(policy.max_attempts)
        | stop_before_delay(policy.max_total_seconds),
        "wait": _BackoffOrRetryAfter(policy),
        "retry": retry_if_exception(is_retryable_send if retry_send else is_retryable_read),
        "before_sleep": _log_retry,
        "reraise": True,
    }


@functools.lru_cache(maxsize=64)
def controller(policy: RetryPolicy, *, send: bool) -> Retrying:
    """The decisions of a retry loop (attempt again? wait how long? stop?) without its I/O:
    the engine asks it through ``Retrying.iter`` and performs the attempts and waits itself.
    Shared by every call with the same policy: each call keeps its own ``RetryCallState``."""
    return Retrying(**_options(policy, send))  # type: ignore[arg-type]


def retrying(policy: RetryPolicy, *, send: bool, sleep: Sleep) -> Retrying:
    """A tenacity loop for one request; ``send`` selects the send-safe rules."""
    return Retrying(sleep=sleep, **_options(policy, send))  # type: ignore[arg-type]


def async_retrying(policy: RetryPolicy, *, send: bool, sleep: AsyncSleep) -> AsyncRetrying:
    return AsyncRetrying(sleep=sleep, **_options(policy, send))  # type: ignore[arg-type]
