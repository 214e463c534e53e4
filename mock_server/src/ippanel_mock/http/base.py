"""The bottom of the http layer: app keys, the handler type and the refusal every module shares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.chaos import ChaosEngine
from ippanel_mock.models.ratelimit import RateLimiter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

BACKEND = web.AppKey("backend", SandboxBackend)
"""The app's state; routes only act through it."""
CHAOS = web.AppKey("chaos", ChaosEngine)
"""The backend's chaos engine (a shortcut: `app[BACKEND].chaos`)."""
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
"""The backend's rate limiter (a shortcut: `app[BACKEND].rate_limiter`)."""

MAX_ID = 10**17
"""The largest id a route accepts: past it a number is refused, not looked up."""
MOBILE_PATTERN = r"^(\+98|0098|98|0)?9[0-9]{9}$"
"""An Iranian mobile number in any accepted form, as request schemas match it."""

V1_PREFIX = "/v1"
"""The real API lives under https://edge.ippanel.com/v1: the public routes answer there too."""


def api_path(path: str) -> str:
    """A public route's path without the /v1 prefix (chaos rules and the docs name that one)."""
    return path[len(V1_PREFIX) :] if path.startswith("/v1/") else path


def backend_of(request: web.Request) -> SandboxBackend:
    return request.app[BACKEND]


class Refusal(Exception):
    """A 4xx answer raised from anywhere below a route; the app's middleware renders it."""

    def response(self) -> web.Response:
        raise NotImplementedError
