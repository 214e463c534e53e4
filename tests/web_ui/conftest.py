"""One real headless Chromium (Debian's, driven by Playwright) and one sandbox for the UI tests.

The browser is launched once per session; each test gets a fresh context (no shared storage)
and a sandbox reset to its seeded start. A test fails on any error the page logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium
from ippanel_mock import SandboxConfig, ThreadedSandbox
from playwright.sync_api import Browser, Page
from ui_support import DELAY

EXPECTED_ANSWER = re.compile(r"^Failed to load resource: .* status of (400|401|422) ")
"""Chromium logs every 4xx fetch; 400 and 422 (bad input the page shows) and 401 (the token
prompt's probe) are answers a test asks for."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last, whatever the command line order: while Playwright's sync API is
    open its event loop stays current on the main thread, and an asyncio test after it could
    not start its own. So the one browser of the session never meets an async test."""
    here = Path(__file__).parent
    items.sort(key=lambda item: item.path.is_relative_to(here))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def shared_sandbox() -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(delivery_delay=DELAY)) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(shared_sandbox: ThreadedSandbox) -> ThreadedSandbox:
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield opened
    context.close()
    assert [e for e in errors if not EXPECTED_ANSWER.search(e)] == []
