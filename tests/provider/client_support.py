"""Helpers of the client tests: the sandbox admin API over HTTP and a recording sleep."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import requests
import sandbox_support

SANDBOX_API_KEY = sandbox_support.API_KEY
SANDBOX_PASSWORD = sandbox_support.PASSWORD
SANDBOX_GA_SECRET = sandbox_support.GA_TOTP_SECRET
SENDER = sandbox_support.SENDER


@dataclass
class RecordedSleeps:
    """An injectable sleep that records the delays instead of waiting."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.delays.append(seconds)


class SandboxAdmin:
    """The sandbox's admin API (``/__sandbox``) over plain HTTP."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        self._call("POST", "/reset")

    def chaos(self, **rule: Any) -> None:
        self._call("POST", "/chaos", json=rule)

    def advance_clock(self, seconds: float) -> None:
        self._call("POST", "/clock/advance", json={"seconds": seconds})

    def messages(self, **filters: Any) -> list[dict[str, Any]]:
        body = self._call("GET", "/messages", params={"per_page": 1000, **filters})
        return list(body["items"])

    def wait_for_message(self, timeout: float = 5.0, **filters: Any) -> dict[str, Any]:
        """Long-poll until a matching message is captured (or already was)."""
        params = {"since": 0, "timeout": timeout, **filters}
        return dict(self._call("GET", "/messages/wait", params=params))

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        body = self._call("GET", "/requests", params={"per_page": 1000, **filters})
        return list(body["items"])

    def phonebooks(self, user: str = "sandbox") -> list[dict[str, Any]]:
        return list(self._call("GET", "/phonebooks", params={"user": user})["items"])

    def phonebook_rows(self, phonebook_id: int) -> list[dict[str, str]]:
        """A phonebook as the sandbox holds it (its export file, one row a number)."""
        response = self.http.get(
            f"{self.url}/__sandbox/phonebooks/{phonebook_id}/export", timeout=10
        )
        response.raise_for_status()
        return list(csv.DictReader(io.StringIO(response.text)))

    def writes(self) -> list[dict[str, Any]]:
        """Journaled requests that may change state (any method but GET), oldest first."""
        return [r for r in reversed(self.requests()) if r["method"] != "GET"]

    def otp(self, username: str) -> str:
        return str(self._call("GET", f"/otp/{username}")["code"])
