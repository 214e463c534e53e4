"""Helpers of the web UI tests: open the page, send through the public API, call the admin API."""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import Page, expect
from sandbox_support import API_KEY

DELAY = 60.0
"""Delivery delay of the shared sandbox: statuses move only when a test moves the clock."""


def open_ui(page: Page, url: str, hash_: str = "") -> Page:
    """Load the UI and wait until its event stream is connected."""
    page.goto(f"{url}/{hash_}")
    expect(page.locator("#live")).to_have_text("● live")
    return page


def send(url: str, body: dict[str, Any], status: int = 200) -> int | None:
    """POST /api/send with the default key; the first outbox id of a success."""
    resp = requests.post(
        f"{url}/api/send", json=body, headers={"Authorization": API_KEY}, timeout=30
    )
    assert resp.status_code == status, resp.text
    return int(resp.json()["data"]["message_outbox_ids"][0]) if status == 200 else None


def send_sms(url: str, message: str, *recipients: str, status: int = 200) -> int | None:
    body = {
        "sending_type": "webservice",
        "from_number": "+983000505",
        "message": message,
        "params": {"recipients": list(recipients)},
    }
    return send(url, body, status)


def admin(url: str, method: str, path: str, body: Any = None, **headers: str) -> Any:
    resp = requests.request(
        method, f"{url}/__sandbox{path}", json=body, headers=headers, timeout=10
    )
    assert resp.ok, resp.text
    return resp.json()
