"""Benchmark 1: sandbox throughput under wrk, side by side with a bare aiohttp JSON handler."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests
from harness import (
    ROOT,
    SANDBOX_API_KEY,
    SANDBOX_SENDER,
    Section,
    ServerProcess,
    bare_process,
    mib,
    national_numbers,
    pinned,
    sandbox_process,
)
from ippanel_mock.config import SandboxConfig

CONNECTIONS = 64
SERVER_CORE = 0
"""Each server under test runs alone on this core (taskset), so it never competes with wrk."""
WRK_CORE = 1
SEND_BODY = {
    "sending_type": "webservice",
    "from_number": SANDBOX_SENDER,
    "message": "Benchmark message",
    "params": {"recipients": ["+989121234567", "+989351234567"]},
}
REPORT_BULK_SIZE = 1000
REPORT_QUERY = "bulk_id={bulk_id}&page=5&per_page=100"

LUA_TEMPLATE = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "{api_key}"
{body_line}

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON={{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx


def ensure_wrk() -> str:
    """Path of wrk, installing Debian's package if it is missing (needs root and apt)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        raise SystemExit(
            "wrk is not installed and cannot be installed here (needs root and apt-get): "
            "install it with `apt-get install -y wrk` and run `make bench` again"
        )
    print("installing wrk (apt-get install -y wrk) ...", flush=True)
    install = [apt, "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True, check=False).returncode != 0:
        subprocess.run([apt, "update", "-q"], capture_output=True, check=False)
        result = subprocess.run(install, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"could not install wrk with apt-get: {result.stderr.strip()[-500:]}")
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("apt-get reported success but wrk is still not on PATH")
    return found


def write_lua(path: Path, method: str, body: object | None) -> Path:
    body_line = f"wrk.body = {json.dumps(json.dumps(body))}" if body is not None else ""
    path.write_text(
        LUA_TEMPLATE.format(method=method, api_key=SANDBOX_API_KEY, body_line=body_line)
    )
    return path


def wrk_threads() -> int:
    """One wrk thread when wrk has a core of its own, else one per core."""
    return 1 if pinned(WRK_CORE) else max(2, os.cpu_count() or 2)


def run_wrk(wrk: str, url: str, script: Path, duration: float) -> WrkResult:
    argv = [
        *pinned(WRK_CORE),
        wrk,
        f"-t{wrk_threads()}",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON="))
    raw = json.loads(line.removeprefix("WRK_JSON="))
    return WrkResult(
        requests=raw["requests"],
        duration_s=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        max_ms=raw["max_us"] / 1000,
        socket_errors=raw["connect"] + raw["read"] + raw["write"] + raw["timeout"],
        non_2xx=raw["status"],
    )


def _report_bulk(sandbox: ServerProcess) -> int:
    body = dict(SEND_BODY, params={"recipients": national_numbers(REPORT_BULK_SIZE)})
    response = requests.post(
        f"{sandbox.url}/api/send",
        json=body,
        headers={"Authorization": SANDBOX_API_KEY},
        timeout=30,
    )
    response.raise_for_status()
    return int(response.json()["data"]["message_outbox_ids"][0])


def combine(parts: list[WrkResult]) -> WrkResult:
    """One figure from several runs: summed counts; the worst p50/p99/max (conservative)."""
    return WrkResult(
        requests=sum(p.requests for p in parts),
        duration_s=sum(p.duration_s for p in parts),
        p50_ms=max(p.p50_ms for p in parts),
        p99_ms=max(p.p99_ms for p in parts),
        max_ms=max(p.max_ms for p in parts),
        socket_errors=sum(p.socket_errors for p in parts),
        non_2xx=sum(p.non_2xx for p in parts),
    )


def measure_pair(
    wrk: str,
    bare_url: str,
    sandbox_url: str,
    script: Path,
    duration: float,
    warmup: float,
) -> tuple[WrkResult, WrkResult]:
    """Bare and sandbox in halves ordered A B B A, so drifting machine load hits both alike."""
    if warmup > 0:
        run_wrk(wrk, bare_url, script, warmup)
        run_wrk(wrk, sandbox_url, script, warmup)
    half = max(1.0, duration / 2)
    bare: list[WrkResult] = []
    sandbox: list[WrkResult] = []
    order = ((bare_url, bare), (sandbox_url, sandbox), (sandbox_url, sandbox), (bare_url, bare))
    for url, bucket in order:
        bucket.append(run_wrk(wrk, url, script, half))
    return combine(bare), combine(sandbox)


def _compare(
    section: Section, label: str, bare: WrkResult, sandbox: WrkResult, *, targets: bool = True
) -> None:
    ratio = sandbox.rps / bare.rps
    section.add(
        f"{label}: bare aiohttp handler", f"{bare.rps:,.0f} req/s, p99 {bare.p99_ms:.1f} ms"
    )
    section.add(
        f"{label}: sandbox",
        f"{sandbox.rps:,.0f} req/s, p50 {sandbox.p50_ms:.1f} ms, max {sandbox.max_ms:.1f} ms",
    )
    if not targets:
        section.add(f"{label}: sandbox / bare", f"{ratio:.0%}")
        section.add(f"{label}: sandbox p99", f"{sandbox.p99_ms:.1f} ms")
        return
    section.add(f"{label}: sandbox / bare", f"{ratio:.0%}", "≥ 50 %", ratio >= 0.5)
    section.add(
        f"{label}: sandbox p99", f"{sandbox.p99_ms:.1f} ms", "≤ 20 ms", sandbox.p99_ms <= 20
    )
    section.add(
        f"{label}: sandbox errors",
        f"{sandbox.non_2xx} non-2xx, {sandbox.socket_errors} socket "
        f"({sandbox.requests:,} requests in {sandbox.duration_s:.0f} s)",
        "0",
        sandbox.errors == 0,
    )


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def run(duration: float, warmup: float) -> Section:
    wrk = ensure_wrk()
    pinning = (
        f"the server under test pinned to core {SERVER_CORE} and wrk to core {WRK_CORE} "
        "(`taskset -c`)"
        if pinned(WRK_CORE)
        else "no core pinning (taskset or a second core missing)"
    )
    section = Section(
        "1. Sandbox throughput",
        f"wrk, {CONNECTIONS} connections, {wrk_threads()} thread(s), {pinning}, "
        f"{duration:.0f} s per server and endpoint after a {warmup:.0f} s warm-up, run in halves "
        "ordered bare, sandbox, sandbox, bare (p50/p99/max: the worse half); each server its own "
        "process (sandbox via `python -m ippanel_mock --port 0 --loop asyncio`, access log off, "
        "delivery delay 2 s). `POST /api/send`: webservice, 2 recipients, API key. "
        f"`GET /api/report/recipients`: page 5 of 100 of a {REPORT_BULK_SIZE}-recipient bulk. "
        "Reference: a bare aiohttp app returning a small JSON, on the same event loop. The "
        "targets apply to asyncio's loop (the CLI's default); the uvloop rows (both servers on "
        "uvloop, `--loop uvloop`) are context.",
    )
    scratch = ROOT / ".bench"
    scratch.mkdir(exist_ok=True)
    post_lua = write_lua(scratch / "post_send.lua", "POST", SEND_BODY)
    get_lua = write_lua(scratch / "get_recipients.lua", "GET", None)
    loops = ("asyncio", "uvloop") if uvloop_installed() else ("asyncio",)
    for loop in loops:
        suffix = "" if loop == "asyncio" else " (uvloop)"
        with (
            bare_process("--loop", loop, core=SERVER_CORE) as bare,
            sandbox_process("--loop", loop, core=SERVER_CORE) as sandbox,
        ):
            rss_start = sandbox.rss()
            bare_send, send = measure_pair(
                wrk, bare.url + "/api/send", sandbox.url + "/api/send", post_lua, duration, warmup
            )
            rss_after_send = sandbox.rss()
            query = REPORT_QUERY.format(bulk_id=_report_bulk(sandbox))
            bare_report, report = measure_pair(
                wrk,
                bare.url + "/api/report/recipients",
                sandbox.url + "/api/report/recipients?" + query,
                get_lua,
                duration,
                warmup,
            )
            rss_end = sandbox.rss()
        targets = loop == "asyncio"
        _compare(section, "POST /api/send" + suffix, bare_send, send, targets=targets)
        _compare(
            section, "GET /api/report/recipients" + suffix, bare_report, report, targets=targets
        )
        if not targets:
            continue
        section.add(
            "Sandbox RSS: start → after send load → after report load",
            f"{mib(rss_start)} → {mib(rss_after_send)} → {mib(rss_end)}",
        )
        defaults = SandboxConfig()
        section.notes.append(
            f"RSS growth over the send load: {mib(rss_after_send - rss_start)} for the "
            f"{send.requests:,} bulks of the measured runs plus the warm-up, kept in the outbox "
            f"(capped by default at {defaults.outbox_max_bulks:,} bulks / "
            f"{defaults.outbox_max_recipients:,} recipient rows, oldest evicted; the captured-"
            f"message log at {defaults.message_capacity:,} entries)."
        )
    return section
