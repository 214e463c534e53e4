"""The rate limit on the wire: which bucket a request draws from, and the 429 envelope."""

from __future__ import annotations

import math

from aiohttp import web

from ippanel_mock.http.base import BACKEND, RATE_LIMITER, Handler, api_path
from ippanel_mock.http.chaos import is_exempt
from ippanel_mock.http.envelope import error
from ippanel_mock.models.ratelimit import MAX_BURST, MAX_RATE, MIN_RATE, RateLimiter

RATE_LIMIT_MESSAGE = "تعداد درخواست‌ها بیش از حد مجاز است، لطفا بعدا تلاش کنید"


def setup_ratelimit(app: web.Application) -> None:
    """Expose the backend's limiter as app[RATE_LIMITER] (tests swap its clock)."""
    app[RATE_LIMITER] = app[BACKEND].rate_limiter


def caller_key(request: web.Request) -> str:
    """The bucket a request draws from: its Authorization value, else its remote address."""
    authorization = request.headers.get("Authorization", "").strip()
    if authorization:
        return "auth:" + authorization
    return "ip:" + (request.remote or "unknown")


def too_many_requests(retry_after: float) -> web.Response:
    seconds = max(1, math.ceil(min(retry_after, 1 / MIN_RATE)))
    response = error(429, "429-1", RATE_LIMIT_MESSAGE)
    response.headers["Retry-After"] = str(seconds)
    return response


@web.middleware
async def ratelimit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    limiter = request.app[BACKEND].rate_limiter
    if not limiter.enabled or is_exempt(api_path(request.path)):
        return await handler(request)
    retry_after = limiter.acquire(caller_key(request))
    if retry_after is not None:
        return too_many_requests(retry_after)
    return await handler(request)


__all__ = [
    "MAX_BURST",
    "MAX_RATE",
    "MIN_RATE",
    "RATE_LIMITER",
    "RateLimiter",
    "caller_key",
    "ratelimit_middleware",
    "setup_ratelimit",
    "too_many_requests",
]
