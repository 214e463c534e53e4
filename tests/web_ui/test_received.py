"""The received-messages tab in a real browser: injected SMS appear live, a reply typed in the
page reaches the user's inbox API, auto-reply rules are added and removed through the page."""

from __future__ import annotations

import requests
from ippanel_mock import ThreadedSandbox
from playwright.sync_api import Page, expect
from ui_support import API_KEY, DELAY, admin, open_ui, send_sms

LINE = "+983000505"
NO_RULE = "No auto-reply rule: nobody answers by themselves."


def user_inbox(url: str) -> list[dict[str, object]]:
    """What the sandbox user reads through the public API."""
    resp = requests.post(
        f"{url}/api/report/messages-inbox", json={}, headers={"Authorization": API_KEY}, timeout=10
    )
    assert resp.status_code == 200, resp.text
    rows: list[dict[str, object]] = resp.json()["data"]
    return rows


def test_an_injected_sms_appears_live(page: Page, sandbox: ThreadedSandbox) -> None:
    open_ui(page, sandbox.url, "#received")
    expect(page.locator(".results .empty")).to_have_text("No received message matches.")
    expect(page.locator(".pending")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    text = "لغو ۱۲۳ please"
    sms = {"from": "09121234567", "to": LINE, "text": text, "user": "sandbox"}
    admin(sandbox.url, "POST", "/inbox", sms)
    cards = page.locator("li.received")
    expect(cards).to_have_count(1)
    expect(cards.locator(".from")).to_have_text("+989121234567")
    expect(cards.locator(".text")).to_have_text(text)
    assert cards.locator(".text").evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(cards.locator(".chip")).to_have_text(f"to {LINE}")

    # Due later: announced by the server when the clock reaches it, not before.
    later = {**sms, "text": "later", "time": admin(sandbox.url, "GET", "/clock")["now"] + 30}
    admin(sandbox.url, "POST", "/inbox", later)
    expect(page.locator(".pending")).to_contain_text("1 more on their way")
    admin(sandbox.url, "POST", "/clock/advance", {"seconds": 30})
    expect(cards.locator(".text")).to_have_text(["later", text])
    expect(page.locator(".pending")).to_be_hidden()
    expect(page.locator(".results")).not_to_contain_text("null")
    assert page.evaluate("window.notReloaded") is True


def test_a_reply_typed_in_the_page_reaches_the_users_inbox_api(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    send_sms(sandbox.url, "Reply YES to confirm", "09121234567")
    open_ui(page, sandbox.url)
    page.get_by_role("link", name="Reply as +989121234567").click()
    form = page.get_by_role("form", name="Reply as a recipient")
    expect(form.get_by_label("From (the recipient's phone)")).to_have_value("+989121234567")
    expect(form.get_by_label("To (the line)")).to_have_value(LINE)
    form.get_by_label("Inbox of user (optional)").fill("sandbox")
    form.get_by_label("Text").fill("بله YES")
    form.get_by_role("button", name="Send to the sandbox").click()

    expect(page.locator("li.received .text")).to_have_text(["بله YES"])
    expect(form.get_by_label("Text")).to_have_value("")
    rows = user_inbox(sandbox.url)
    assert [(r["from"], r["number"], r["message"]) for r in rows] == [
        ("+989121234567", LINE, "بله YES")
    ]

    form.get_by_label("From (the recipient's phone)").fill("12345")
    form.get_by_label("Text").fill("bad number")
    form.get_by_role("button", name="Send to the sandbox").click()
    expect(form.get_by_role("alert")).to_contain_text("from")
    assert len(user_inbox(sandbox.url)) == 1


def test_auto_reply_rules_are_added_answer_and_are_removed(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    open_ui(page, sandbox.url, "#received")
    expect(page.locator(".panel .empty")).to_have_text(NO_RULE)
    form = page.get_by_role("form", name="Add an auto-reply rule")
    form.get_by_label("Phone that answers").fill("09121234567")
    form.get_by_label("When the text matches (regex)").fill(r"code (\d+)")
    form.get_by_label("Reply").fill("got {1}")
    form.get_by_label("Delay (seconds)").fill("10")
    form.get_by_role("button", name="Add rule").click()
    rule = page.locator("tr[data-autoreply]")
    expect(rule).to_have_count(1)
    assert [r["reply"] for r in admin(sandbox.url, "GET", "/autoreplies")["items"]] == ["got {1}"]

    send_sms(sandbox.url, "your code 4821", "09121234567")  # delivered after DELAY
    expect(page.locator(".pending")).to_contain_text("1 more on their way")
    expect(rule.locator("td").nth(5)).to_have_text("1")  # answered once, shown live
    admin(sandbox.url, "POST", "/clock/advance", {"seconds": DELAY + 9})
    expect(page.locator(".pending")).to_contain_text("1 more on their way")
    expect(page.locator("li.received")).to_have_count(0)
    admin(sandbox.url, "POST", "/clock/advance", {"seconds": 1})
    expect(page.locator("li.received .text")).to_have_text(["got 4821"])
    expect(page.locator("li.received .msg-meta")).to_contain_text("auto-reply rule 1")

    form.get_by_label("Reply").fill("{oops")
    form.get_by_role("button", name="Add rule").click()
    expect(form.get_by_role("alert")).to_contain_text("reply")
    assert len(admin(sandbox.url, "GET", "/autoreplies")["items"]) == 1

    rule.get_by_role("button", name="Remove auto-reply rule 1").click()
    expect(page.locator(".panel .empty")).to_have_text(NO_RULE)
    assert admin(sandbox.url, "GET", "/autoreplies")["items"] == []
