"""Controls, bulks and the request journal in a real browser, checked against the sandbox."""

from __future__ import annotations

from ippanel_mock import ThreadedSandbox
from playwright.sync_api import Page, expect
from ui_support import DELAY, admin, open_ui, send_sms

NO_RULE = "No chaos rule: every request is answered normally."


def test_chaos_added_in_the_page_fails_the_next_api_send(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    open_ui(page, sandbox.url, "#controls")
    expect(page.locator(".panel .empty")).to_have_text(NO_RULE)
    form = page.get_by_role("form", name="Add a chaos rule")
    form.get_by_label("Route").fill("POST /api/send")
    form.get_by_label("Fires on").select_option("first_n")
    form.get_by_label("N or probability").fill("1")
    form.get_by_label("HTTP status").fill("503")
    form.get_by_role("button", name="Add rule").click()
    rule = page.locator("tr[data-rule]")
    expect(rule).to_have_count(1)
    expect(rule).to_contain_text("HTTP 503")
    assert [r["status"] for r in admin(sandbox.url, "GET", "/chaos")["rules"]] == [503]

    send_sms(sandbox.url, "dropped", "09121234567", status=503)
    send_sms(sandbox.url, "delivered", "09121234567")
    expect(rule.locator("td").nth(5)).to_have_text("1")  # fired once, shown live
    texts = [m["text"] for m in admin(sandbox.url, "GET", "/messages")["items"]]
    assert texts == ["delivered"]

    rule.get_by_role("button", name="Remove rule 1").click()
    expect(page.locator(".panel .empty")).to_have_text(NO_RULE)
    assert admin(sandbox.url, "GET", "/chaos")["rules"] == []


def test_bad_control_input_shows_the_apis_error_and_changes_nothing(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    open_ui(page, sandbox.url, "#controls")
    form = page.get_by_role("form", name="Add a chaos rule")
    form.get_by_label("HTTP status").fill("")
    form.get_by_role("button", name="Add rule").click()
    expect(form.get_by_role("alert")).to_contain_text("invalid chaos rule")
    assert admin(sandbox.url, "GET", "/chaos")["rules"] == []

    advance = page.get_by_role("form", name="Advance by seconds")
    advance.get_by_label("Advance by (seconds)").fill("-5")
    advance.get_by_role("button", name="Advance").click()
    expect(advance.get_by_role("alert")).to_contain_text("seconds")
    assert admin(sandbox.url, "GET", "/clock")["offset"] == 0


def test_clock_rate_limit_and_reset_go_through_the_admin_api(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    send_sms(sandbox.url, "kept until the reset", "09121234567")
    open_ui(page, sandbox.url, "#controls")
    page.get_by_role("button", name="Advance the clock 1 h").click()
    expect(page.locator(".panel .big")).to_contain_text("offset 3,600 s")
    assert admin(sandbox.url, "GET", "/clock")["offset"] == 3600

    limit = page.get_by_role("form", name="Set the rate limit")
    limit.get_by_label("Requests per second (empty: off)").fill("2")
    limit.get_by_label("Burst").fill("3")
    limit.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("2 requests per second per caller, bursts of 3.")).to_be_visible()
    assert admin(sandbox.url, "GET", "/ratelimit") == {"rate": 2, "burst": 3}

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset the sandbox").click()
    expect(page.get_by_text("Off: no caller is limited.")).to_be_visible()
    assert admin(sandbox.url, "GET", "/clock")["offset"] == 0
    page.get_by_role("link", name="Inbox").click()
    expect(page.locator(".pager .count")).to_have_text("0 messages")
    expect(page.locator("li.msg")).to_have_count(0)


def test_a_bulk_page_shows_its_lifecycle_stats_and_recipients(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    bulk_id = send_sms(sandbox.url, "سلام، سفارش شما ارسال شد", "09121234567", "09350000003")
    send_sms(sandbox.url, "another bulk", "09121234567")
    open_ui(page, sandbox.url, "#bulks")
    rows = page.locator("tr[data-bulk]")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator(".chip")).to_have_text("2 · sending")

    page.get_by_role("link", name=str(bulk_id)).click()
    expect(page.locator("h3")).to_have_text(f"Bulk {bulk_id}")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("2 · sending")
    expect(facts).to_contain_text("2,660 Rial (1,330 Rial a message)")
    expect(page.locator(".bulk-detail p.text")).to_have_text("سلام، سفارش شما ارسال شد")
    recipients = page.get_by_role("table", name="Recipients and their status now")
    expect(recipients.locator("tbody tr")).to_have_count(2)

    admin(sandbox.url, "POST", "/clock/advance", {"seconds": DELAY})
    expect(facts).to_contain_text("6 · finish")
    expect(recipients.locator(".chip")).to_have_text(["2 · delivered", "3 · not delivered"])
    by_status = page.get_by_role("table", name="Recipients by message_status")
    expect(by_status.locator("tbody tr")).to_have_count(2)

    page.get_by_label("Force state").select_option("9")
    page.get_by_role("button", name="Apply").click()
    expect(facts).to_contain_text("9 · system error")
    assert admin(sandbox.url, "GET", f"/bulks/{bulk_id}")["state_id"] == 9


def test_the_journal_lists_public_requests_and_filters_them(
    page: Page, sandbox: ThreadedSandbox
) -> None:
    admin(sandbox.url, "POST", "/chaos", {"route": "POST /api/send", "first_n": 1, "status": 503})
    open_ui(page, sandbox.url, "#journal")
    rows = page.locator("tbody tr")
    expect(rows.locator(".path")).to_have_text(["/"])  # the page itself, like /healthz
    send_sms(sandbox.url, "refused", "09121234567", status=503)
    send_sms(sandbox.url, "sent", "09121234567")
    expect(rows).to_have_count(3)  # live; admin calls (the page's own reads) are not journaled
    expect(rows.locator(".http")).to_have_text(["200", "503", "200"])
    expect(rows.nth(0)).to_contain_text("sand…ey")

    page.get_by_label("HTTP status").fill("503")
    page.get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    expect(rows.locator(".path")).to_have_text("/api/send")
