"""The inbox in a real browser: messages sent through the public API appear and move live."""

from __future__ import annotations

import time

from ippanel_mock import ThreadedSandbox
from playwright.sync_api import Page, expect
from ui_support import DELAY, admin, open_ui, send, send_sms

PERSIAN = "سلام از Airflow، گزارش روزانه آماده است"
ENGLISH = "Report for 2026-11-26 is ready: گزارش"

LEFT_OF = """([el, needle]) => {
  const node = [...el.childNodes].find((n) => n.nodeType === 3 && n.data.includes(needle));
  const range = document.createRange();
  const at = node.data.indexOf(needle);
  range.setStart(node, at);
  range.setEnd(node, at + needle.length);
  return range.getBoundingClientRect().left;
}"""


def left_of(page: Page, selector: str, needle: str) -> float:
    handle = page.locator(selector).element_handle()
    return float(page.evaluate(LEFT_OF, [handle, needle]))


def test_a_sent_message_appears_live_right_to_left_with_its_status(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    open_ui(page, sandbox.url)
    expect(page.locator(".empty")).to_have_text("No captured message matches.")
    page.evaluate("window.notReloaded = true")

    send_sms(sandbox.url, PERSIAN, "09121234567")
    send_sms(sandbox.url, ENGLISH, "09350000003")

    messages = page.locator("li.msg")
    expect(messages).to_have_count(2)
    english, persian = messages.nth(0), messages.nth(1)  # newest first
    expect(persian.locator(".text")).to_have_text(PERSIAN)
    expect(persian.locator(".recipient")).to_have_text("+989121234567")
    expect(persian.locator(".sender")).to_have_text("+983000505")
    expect(persian.locator(".chip")).to_have_attribute("data-status", "0")
    expect(persian.locator(".chip")).to_have_text("0 · sent to operator")
    expect(persian.locator(".parts")).to_have_text("1 part")
    expect(persian.locator(".cost")).to_have_text("1,330 Rial")
    assert persian.locator(".text").evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert english.locator(".text").evaluate("el => getComputedStyle(el).direction") == "ltr"
    expect(english.locator(".cost")).to_have_text("1,330 Rial")  # UCS-2: it has Persian
    # Bidi: in the right-to-left line the first Persian word is drawn right of "Airflow";
    # in the left-to-right one the trailing Persian word stays at the end, on the right.
    persian_text = "li.msg:nth-child(2) .text"
    assert left_of(page, persian_text, "سلام") > left_of(page, persian_text, "Airflow")
    english_text = "li.msg:nth-child(1) .text"
    assert left_of(page, english_text, "گزارش") > left_of(page, english_text, "Report")
    assert page.evaluate("window.notReloaded") is True


def test_the_status_chip_follows_the_clock(page: Page, sandbox: ThreadedSandbox) -> None:
    open_ui(page, sandbox.url)
    bulk_id = send_sms(sandbox.url, "سلام", "09121234567", "09350000003")
    created_at = admin(sandbox.url, "GET", f"/bulks/{bulk_id}")["created_at"]
    chips = page.locator("li.msg .chip")
    expect(chips).to_have_count(2)
    for chip in chips.all():
        expect(chip).to_have_attribute("data-status", "0")

    admin(sandbox.url, "POST", "/clock/advance", {"seconds": DELAY / 2})
    for chip in chips.all():
        expect(chip).to_have_attribute("data-status", "1")

    # One second before the end, and nobody touches the clock again: the server pushes the
    # final statuses at their time.
    admin(sandbox.url, "POST", "/clock/set", {"time": created_at + DELAY - 1.0})
    time.sleep(0.3)
    expect(chips.nth(0)).to_have_attribute("data-status", "1")
    expect(page.locator('li.msg .chip[data-status="3"]')).to_have_text("3 · not delivered")
    expect(page.locator('li.msg .chip[data-status="2"]')).to_have_text("2 · delivered")


def test_search_finds_a_number_typed_as_0912(page: Page, sandbox: ThreadedSandbox) -> None:
    send_sms(sandbox.url, "first", "+989121234567", "+989350000003")
    send_sms(sandbox.url, "second", "+989121234567")
    open_ui(page, sandbox.url)
    expect(page.locator("li.msg")).to_have_count(3)

    page.get_by_label("Recipient").fill("0912 123 4567")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("li.msg")).to_have_count(2)
    expect(page.locator("li.msg .recipient")).to_have_text(["+989121234567"] * 2)
    expect(page.locator("li.msg .text")).to_have_text(["second", "first"])
    expect(page.locator("#inbox-title")).to_have_text("Messages to 0912 123 4567")

    page.get_by_label("Text contains").fill("first")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("li.msg .text")).to_have_text(["first"])
    page.get_by_role("button", name="Clear").click()
    expect(page.locator("li.msg")).to_have_count(3)

    page.get_by_label("Recipient").fill("12345")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("alert")).to_have_text("recipient is not an Iranian mobile number")


def test_a_one_time_code_is_marked_and_copied(page: Page, sandbox: ThreadedSandbox) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    otp = {"code": "sandbox-otp", "recipients": ["09120000004"], "params": {"code": "48213"}}
    send(sandbox.url, {"sending_type": "pattern", **otp})
    send_sms(sandbox.url, "Order 123456 shipped", "09121234567")
    open_ui(page, sandbox.url)

    expect(page.locator("li.msg")).to_have_count(2)
    expect(page.locator("mark.otp")).to_have_text(["48213"])  # the order number is no code
    page.get_by_role("button", name="Copy code 48213").click()
    expect(page.get_by_role("button", name="Copy code 48213")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "48213"


def test_a_reset_empties_the_open_page(page: Page, sandbox: ThreadedSandbox) -> None:
    send_sms(sandbox.url, "before the reset", "09121234567")
    open_ui(page, sandbox.url)
    expect(page.locator("li.msg")).to_have_count(1)
    admin(sandbox.url, "POST", "/reset", {})
    expect(page.locator("li.msg")).to_have_count(0)
    expect(page.locator(".pager .count")).to_have_text("0 messages")


def test_ten_thousand_messages_are_paged(page: Page, sandbox: ThreadedSandbox) -> None:
    numbers = [f"0912{n:07d}" for n in range(10_000)]
    send_sms(sandbox.url, "پیام انبوه", *numbers)
    started = time.perf_counter()
    open_ui(page, sandbox.url)
    expect(page.locator(".pager .count")).to_have_text("10,000 messages")
    expect(page.locator("li.msg")).to_have_count(50)
    print(f"inbox with 10,000 messages shown in {time.perf_counter() - started:.2f} s")
    expect(page.locator("li.msg .recipient").first).to_have_text("+989120009999")
    page.get_by_role("button", name="Next ›").first.click()
    expect(page.locator(".pager span").nth(1)).to_have_text("page 2 of 200")
    expect(page.locator("li.msg .recipient").first).to_have_text("+989120009949")

    send_sms(sandbox.url, "one more", "09350000003")  # live on page 2: it shifts by one
    expect(page.locator("li.msg .recipient").first).to_have_text("+989120009950")
