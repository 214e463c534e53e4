"""Benchmark 9: what the web UI costs `POST /api/send` with no page open, and with one open.

The UI's change feed hooks into the models only while an event stream is open, so a sandbox
nobody watches should send as fast as before the UI existed. Measured on one sandbox process in
quarters ordered closed, open, open, closed-again, so drifting load hits both states alike and
the last quarter shows the feed let go of the models when the page went away.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from bench_throughput import (
    CONNECTIONS,
    SEND_BODY,
    SERVER_CORE,
    WRK_CORE,
    WrkResult,
    combine,
    ensure_wrk,
    run_wrk,
    write_lua,
    wrk_threads,
)
from harness import ROOT, Section, pinned, sandbox_process

EVENTS_PATH = "/__sandbox/events"


@contextmanager
def open_page_stream(url: str) -> Iterator[None]:
    """The page's event stream, read to the end by curl on wrk's core until the block ends."""
    reader = subprocess.Popen(
        [*pinned(WRK_CORE), "curl", "-sN", "-o", "/dev/null", url + EVENTS_PATH],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        if reader.poll() is not None:
            raise RuntimeError(f"the event stream closed at once (curl rc={reader.returncode})")
        yield
    finally:
        reader.terminate()
        reader.wait(timeout=10)
        time.sleep(0.5)


def run(duration: float, warmup: float) -> Section:
    wrk = ensure_wrk()
    section = Section(
        "9. The web UI's cost on the send path",
        f"`POST /api/send` (webservice, 2 recipients) under wrk ({CONNECTIONS} connections, "
        f"{wrk_threads()} thread(s)), the sandbox (`--loop asyncio`, access log off) pinned to "
        f"core {SERVER_CORE} and wrk to core {WRK_CORE}, {duration:.0f} s per state after a "
        f"{warmup:.0f} s warm-up, in quarters ordered: no page, page open, page open, page closed "
        f'again. "Page open": one client reading `{EVENTS_PATH}` (curl on wrk\'s core), the '
        "stream the web UI holds; the page's own refetches through the admin API are not part of "
        "it.",
    )
    scratch = ROOT / ".bench"
    scratch.mkdir(exist_ok=True)
    script = write_lua(scratch / "post_send.lua", "POST", SEND_BODY)
    quarter = max(1.0, duration / 2)
    with sandbox_process("--loop", "asyncio", core=SERVER_CORE) as sandbox:
        url = sandbox.url + "/api/send"
        if warmup > 0:
            run_wrk(wrk, url, script, warmup)
        closed = [run_wrk(wrk, url, script, quarter)]
        with open_page_stream(sandbox.url):
            opened = [run_wrk(wrk, url, script, quarter) for _ in range(2)]
        closed.append(run_wrk(wrk, url, script, quarter))
        health = requests.get(sandbox.url + "/healthz", timeout=10)
        health.raise_for_status()
    _report(section, combine(closed), combine(opened), closed[0], closed[1])
    return section


def _report(
    section: Section, closed: WrkResult, opened: WrkResult, before: WrkResult, after: WrkResult
) -> None:
    section.add(
        "No page open (first and last quarter)",
        f"{closed.rps:,.0f} req/s, p99 {closed.p99_ms:.1f} ms",
    )
    section.add(
        "Page's event stream open (middle quarters)",
        f"{opened.rps:,.0f} req/s, p99 {opened.p99_ms:.1f} ms",
    )
    section.add("Page open / no page", f"{opened.rps / closed.rps:.0%}")
    section.add(
        "After the page closed / before it opened",
        f"{after.rps / before.rps:.0%} ({after.rps:,.0f} vs {before.rps:,.0f} req/s)",
    )
    errors = closed.errors + opened.errors
    section.add(
        "Errors",
        f"{errors} ({closed.requests + opened.requests:,} requests)",
        "0",
        errors == 0,
    )
