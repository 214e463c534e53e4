"""The page behind --admin-token shows nothing without it; axe-core finds no serious problem."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from ippanel_mock import SandboxConfig, ThreadedSandbox
from playwright.sync_api import Page, expect
from ui_support import DELAY, admin, open_ui, send, send_sms

TOKEN = "ui-test-admin-token"
SECRET_TEXT = "پیام محرمانه: کد 734512"
SERIOUS = {"serious", "critical"}


@pytest.fixture(scope="module")
def guarded() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(admin_token=TOKEN, delivery_delay=DELAY)) as sandbox:
        yield sandbox


def test_without_the_token_the_page_shows_nothing(page: Page, guarded: ThreadedSandbox) -> None:
    send_sms(guarded.url, SECRET_TEXT, "09121234567")
    assert SECRET_TEXT not in requests.get(f"{guarded.url}/", timeout=5).text
    page.goto(f"{guarded.url}/#inbox")

    prompt = page.get_by_role("form", name="Admin token")
    expect(prompt).to_be_visible()
    expect(page.locator("#live")).to_have_text("locked")
    expect(page.get_by_role("navigation").get_by_role("link")).to_have_count(0)
    assert "734512" not in page.content()

    prompt.get_by_label("Token").fill("not-the-token")
    prompt.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("alert")).to_have_text("That token was refused.")
    assert "734512" not in page.content()

    prompt.get_by_label("Token").fill(TOKEN)
    prompt.get_by_role("button", name="Unlock").click()
    expect(page.locator("li.msg .text")).to_have_text([SECRET_TEXT])
    expect(page.locator("#live")).to_have_text("● live")
    expect(prompt).to_be_hidden()

    page.reload()  # the token lives in this tab's session storage, nowhere else
    expect(page.locator("li.msg .text")).to_have_text([SECRET_TEXT])
    other_tab = page.context.browser.new_page()  # type: ignore[union-attr]
    other_tab.goto(f"{guarded.url}/")
    expect(other_tab.get_by_role("form", name="Admin token")).to_be_visible()
    other_tab.close()


def test_the_threads_need_the_token_too(page: Page, guarded: ThreadedSandbox) -> None:
    send_sms(guarded.url, SECRET_TEXT, "09121234567")
    page.goto(f"{guarded.url}/#threads/09121234567")
    prompt = page.get_by_role("form", name="Admin token")
    expect(prompt).to_be_visible()
    assert "734512" not in page.content()
    prompt.get_by_label("Token").fill(TOKEN)
    prompt.get_by_role("button", name="Unlock").click()
    expect(page.locator("li.bubble .text").last).to_have_text(SECRET_TEXT)
    page.get_by_role("link", name="All threads").click()
    expect(page.locator("li.thread .text").first).to_have_text(SECRET_TEXT)


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_no_serious_accessibility_violations(
    page: Page, sandbox: ThreadedSandbox, guarded: ThreadedSandbox
) -> None:
    bulk_id = send_sms(sandbox.url, "سلام از Airflow، گزارش آماده است", "09121234567")
    send_sms(sandbox.url, "Orders on 2026-11-26: 1210", "09350000003", "09120000004")
    otp = {"code": "sandbox-otp", "recipients": ["09121234567"], "params": {"code": "48213"}}
    send(sandbox.url, {"sending_type": "pattern", **otp})
    admin(sandbox.url, "POST", "/chaos", {"route": "POST /api/send", "first_n": 1, "status": 503})
    admin(sandbox.url, "POST", "/clock/advance", {"seconds": DELAY / 2})
    admin(sandbox.url, "POST", "/autoreplies", {"number": "09121234567", "reply": "بله {text}"})
    sms = {"from": "09121234567", "to": "+983000505", "text": "لغو 11", "user": "sandbox"}
    admin(sandbox.url, "POST", "/inbox", sms)

    checked = {}
    for hash_, ready in [
        ("#inbox", "li.msg mark.otp"),
        ("#threads", "li.thread"),
        ("#threads/+989121234567", "li.bubble.in"),
        ("#received", "tr[data-autoreply]"),
        (f"#bulks/{bulk_id}", "dl.facts"),
        ("#bulks", "tr[data-bulk]"),
        ("#journal", "tbody tr"),
        ("#controls", "tr[data-rule]"),
    ]:
        open_ui(page, sandbox.url, hash_)
        expect(page.locator(ready).first).to_be_visible()
        checked[hash_] = serious_violations(page)
    page.goto(f"{guarded.url}/")
    expect(page.get_by_role("form", name="Admin token")).to_be_visible()
    checked["token prompt"] = serious_violations(page)
    assert checked == {key: [] for key in checked}
