"""Threads in a real browser: one row per phone, live, and a number's conversation as its phone
shows it (the sandbox's SMS on one side, the phone's answers on the other)."""

from __future__ import annotations

import requests
from ippanel_mock import ThreadedSandbox
from playwright.sync_api import Page, expect
from ui_support import API_KEY, DELAY, admin, open_ui, send, send_sms

FIRST, SECOND = "+989121234567", "+989350000003"
PERSIAN = "سلام از Airflow، سفارش شما آماده است"
LINE = "+983000505"


SIDES = """expected => {
  const list = document.querySelector("ol.conversation");
  if (!list) return false;
  const middle = list.getBoundingClientRect().left + list.clientWidth / 2;
  const sides = [...list.querySelectorAll("li.bubble")].map((bubble) => {
    const box = bubble.getBoundingClientRect();
    return box.left + box.width / 2 < middle ? "left" : "right";
  });
  return JSON.stringify(sides) === JSON.stringify(expected);
}"""
"""Read in one go: the page re-renders on every event, so two separate reads could see two
different renderings."""


def expect_sides(page: Page, sides: list[str]) -> None:
    """The bubbles of the conversation, oldest first, are on these sides of it."""
    page.wait_for_function(SIDES, arg=sides, timeout=5_000)


def test_threads_appear_live_and_a_new_sms_moves_its_thread_up(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    open_ui(page, sandbox.url, "#threads")
    expect(page.locator(".results .empty")).to_contain_text("No SMS yet")
    page.evaluate("window.notReloaded = true")

    send_sms(sandbox.url, PERSIAN, "09121234567")
    send_sms(sandbox.url, "Your report is ready", "09350000003")
    rows = page.locator("li.thread")
    expect(rows.locator(".phone")).to_have_text([SECOND, FIRST])  # newest activity first
    expect(rows.locator(".text")).to_have_text(["Your report is ready", PERSIAN])
    expect(rows.nth(1).locator(".text")).to_have_css("direction", "rtl")
    expect(rows.nth(0).locator(".text")).to_have_css("direction", "ltr")
    expect(rows.nth(1).locator(".phone bdi")).to_have_css("direction", "ltr")
    expect(rows.locator(".chip")).to_have_text(["0 · sent to operator"] * 2)

    send_sms(sandbox.url, "پیام دوم", "+989121234567")
    expect(rows.locator(".phone")).to_have_text([FIRST, SECOND])
    expect(rows.nth(0).locator(".text")).to_have_text("پیام دوم")
    expect(rows.locator(".count")).to_have_text(["2 SMS", "1 SMS"])
    expect(page.locator(".pager .count")).to_have_text("2 threads")
    assert page.evaluate("window.notReloaded") is True

    opener = page.get_by_role("search", name="Open a thread")
    opener.get_by_label("Phone number").fill("12345")
    opener.get_by_role("button", name="Open thread").click()
    expect(page.get_by_role("alert")).to_have_text("phone is not an Iranian mobile number")
    page.get_by_role("link", name="All threads").click()
    page.get_by_role("search", name="Open a thread").get_by_label("Phone number").fill(
        "0912 123 4567"
    )
    page.get_by_role("button", name="Open thread").click()
    expect(page.locator("#conversation-title")).to_have_text(f"Thread with {FIRST}")
    expect(page.locator("li.bubble .text")).to_have_text([PERSIAN, "پیام دوم"])


def test_a_conversation_as_the_phone_shows_it(page: Page, sandbox: ThreadedSandbox) -> None:
    rule = {"number": "09121234567", "reply": "got: {text}", "delay": 5}
    admin(sandbox.url, "POST", "/autoreplies", rule)
    send_sms(sandbox.url, PERSIAN, "09121234567", "09350000003")
    admin(
        sandbox.url, "POST", "/inbox", {"from": FIRST, "to": LINE, "text": "بله", "user": "sandbox"}
    )
    open_ui(page, sandbox.url, "#threads/۰۹۱۲۱۲۳۴۵۶۷")  # Persian digits: the same thread
    expect(page.locator("#conversation-title")).to_have_text(f"Thread with {FIRST}")
    page.evaluate("window.notReloaded = true")

    bubbles = page.locator("ol.conversation li.bubble")
    expect(bubbles.locator(".text")).to_have_text([PERSIAN, "بله"])  # oldest first
    ours, theirs = bubbles.nth(0), bubbles.nth(1)
    expect(ours).to_have_attribute("data-direction", "out")
    expect(theirs).to_have_attribute("data-direction", "in")
    expect_sides(page, ["left", "right"])  # the sandbox's on the left, the phone's on the right
    expect(ours.locator(".text")).to_have_css("direction", "rtl")
    expect(ours.locator(".line")).to_have_text(LINE)
    expect(ours.locator(".chip")).to_have_attribute("data-status", "0")
    expect(theirs.locator(".chip")).to_have_count(0)

    # The clock delivers the SMS (its chip turns live) and the auto-reply arrives 5 s later.
    admin(sandbox.url, "POST", "/clock/advance", {"seconds": DELAY + 5})
    expect(ours.locator(".chip")).to_have_text("2 · delivered")
    expect(bubbles.locator(".text")).to_have_text([PERSIAN, "بله", f"got: {PERSIAN}"])
    auto_reply = bubbles.nth(2)
    expect(auto_reply.locator(".msg-meta")).to_contain_text("auto-reply rule 1")
    expect_sides(page, ["left", "right", "right"])

    form = page.get_by_role("form", name="Reply from the phone")
    expect(form.get_by_label("To (the line)")).to_have_value(LINE)
    form.get_by_label("Message").fill("YES ۱۲")
    form.get_by_role("button", name="Send").click()
    expect(bubbles.locator(".text").last).to_have_text("YES ۱۲")
    expect(form.get_by_label("Message")).to_have_value("")
    resp = requests.post(
        f"{sandbox.url}/api/report/messages-inbox",
        json={}, headers={"Authorization": API_KEY}, timeout=10,
    )  # fmt: skip
    newest = resp.json()["data"][0]
    assert (newest["from"], newest["number"], newest["message"]) == (FIRST, LINE, "YES ۱۲")
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("link", name="All threads").click()
    expect(page.locator("li.thread .phone")).to_have_text([FIRST, SECOND])
    expect(page.locator("li.thread .text").first).to_have_text("YES ۱۲")


def test_a_one_time_code_in_a_conversation_is_marked_and_copied(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    otp = {"code": "sandbox-otp", "recipients": ["09121234567"], "params": {"code": "48213"}}
    send(sandbox.url, {"sending_type": "pattern", **otp})
    send_sms(sandbox.url, "Order 123456 shipped", "09121234567")
    admin(
        sandbox.url,
        "POST",
        "/inbox",
        {"from": FIRST, "to": LINE, "text": "code 9999?", "user": "sandbox"},
    )
    open_ui(page, sandbox.url, "#threads/09121234567")

    bubbles = page.locator("ol.conversation li.bubble")
    expect(bubbles).to_have_count(3)
    expect(page.locator("mark.otp")).to_have_text(["48213"])  # not the order, not the phone's
    page.get_by_role("button", name="Copy code 48213").click()
    expect(page.get_by_role("button", name="Copy code 48213")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "48213"


def test_ten_thousand_threads_are_paged(page: Page, sandbox: ThreadedSandbox) -> None:
    send_sms(sandbox.url, "پیام انبوه", *(f"0912{n:07d}" for n in range(10_000)))
    open_ui(page, sandbox.url, "#threads")
    expect(page.locator(".pager .count")).to_have_text("10,000 threads")
    expect(page.locator("li.thread")).to_have_count(50)
    expect(page.locator("li.thread .phone").first).to_have_text("+989120009999")
    page.get_by_role("button", name="Next ›").click()
    expect(page.locator("li.thread .phone").first).to_have_text("+989120009949")
