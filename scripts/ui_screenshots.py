"""Screenshots of the sandbox web UI for the docs: docs/web-ui/inbox.png, received.png, bulk.png,
threads.png and conversation.png.

Starts a sandbox, sends Persian and English messages through the public API at different clock
times (so the inbox shows several statuses), lets recipients answer (an auto-reply rule and an
injected SMS), and photographs the page in Debian's Chromium.
Run: .tools/bin/uv run python scripts/ui_screenshots.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from ippanel_mock import SandboxConfig, ThreadedSandbox
from playwright.sync_api import expect, sync_playwright

OUT = Path(__file__).resolve().parents[1] / "docs" / "web-ui"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Playwright adds --headless and a fresh --user-data-dir; these keep Chromium off a network
these machines do not have (tests/web_ui launch it the same way)."""
DELAY = 60.0


def send(url: str, body: dict[str, Any]) -> int:
    resp = requests.post(
        f"{url}/api/send", json=body, headers={"Authorization": "sandbox-api-key"}, timeout=10
    )
    resp.raise_for_status()
    return int(resp.json()["data"]["message_outbox_ids"][0])


def sms(url: str, text: str, *recipients: str) -> int:
    body = {"sending_type": "webservice", "from_number": "+983000505", "message": text}
    return send(url, {**body, "params": {"recipients": list(recipients)}})


def admin(url: str, path: str, body: dict[str, Any]) -> None:
    resp = requests.post(f"{url}/__sandbox{path}", json=body, timeout=10)
    resp.raise_for_status()


def advance(url: str, seconds: float) -> None:
    admin(url, "/clock/advance", {"seconds": seconds})


def fill(url: str) -> int:
    """Messages at three ages: final statuses, operator received, just sent; two answers."""
    rule = {"number": "09121234567", "match": "(?i)confirm", "reply": "بله، تایید می‌کنم"}
    admin(url, "/autoreplies", {**rule, "delay": 20})
    campaign = sms(
        url,
        "Orders on 2026-11-26: 1,210 (up 4% on last week)",
        "09121234567",
        "09350000003",
        "09120000004",
        "09191112233",
    )
    otp = {"code": "sandbox-otp", "recipients": ["09121234567"], "params": {"code": "48213"}}
    send(url, {"sending_type": "pattern", **otp})
    advance(url, DELAY)
    order = {"order_id": "10234", "amount": "450,000"}
    send(url, {"sending_type": "pattern", "code": "sandbox-order",
               "recipients": ["09351234567"], "params": order})  # fmt: skip
    sms(url, "سلام از Airflow — گزارش روزانه آماده است: 1210 سفارش", "09121234567", "09350000001")
    sms(url, "Order 10234 is ready. Reply CONFIRM to ship it", "09121234567")
    advance(url, DELAY / 2)
    sms(url, "Your nightly export finished: 3 files, 12 MB", "09121234567")
    answer = {"from": "09350000001", "to": "+983000505", "user": "sandbox"}
    admin(url, "/inbox", {**answer, "text": "لغو 11"})
    return campaign


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with ThreadedSandbox(SandboxConfig(delivery_delay=DELAY)) as sandbox:
        campaign = fill(sandbox.url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1100, "height": 1000})
            page.goto(f"{sandbox.url}/#inbox")
            expect(page.locator("li.msg")).to_have_count(10)
            page.screenshot(path=OUT / "inbox.png", full_page=True)
            advance(sandbox.url, DELAY)  # the CONFIRM answer arrives
            page.goto(f"{sandbox.url}/#received")
            expect(page.locator("li.received")).to_have_count(2)
            page.screenshot(path=OUT / "received.png", full_page=True)
            page.goto(f"{sandbox.url}/#threads")
            expect(page.locator("li.thread")).to_have_count(6)
            page.screenshot(path=OUT / "threads.png", full_page=True)
            page.goto(f"{sandbox.url}/#threads/09121234567")
            expect(page.locator("li.bubble.in")).to_have_count(1)
            page.screenshot(path=OUT / "conversation.png", full_page=True)
            page.goto(f"{sandbox.url}/#bulks/{campaign}")
            expect(page.locator("dl.facts")).to_contain_text("6 · finish")
            page.screenshot(path=OUT / "bulk.png", full_page=True)
            browser.close()
    print(f"wrote inbox.png, received.png, threads.png, conversation.png and bulk.png in {OUT}")


if __name__ == "__main__":
    main()
