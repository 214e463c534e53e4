"""Debian's headless Chromium driven by Playwright, for every browser test (the sandbox's web UI,
Airflow's own UI). Playwright's browser download cannot run on these machines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from ui_screenshots import LAUNCH_ARGS

CHROMIUM = Path(os.environ.get("IPPANEL_CHROMIUM", "/usr/bin/chromium"))


@contextmanager
def chromium() -> Iterator[Browser]:
    """One launched browser; fails the test (not skips) when `make browser` has not run."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield launched
        finally:
            launched.close()
