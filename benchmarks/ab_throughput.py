"""A/B of two sandbox versions under wrk, both loaded at the same time on the same core.

Not part of `make bench`: a tool for a change's before/after on a shared machine. Each version
runs from a source tree (`git archive REV mock_server | tar -x -C DIR`) as its own process on
core 0, and one wrk per version (64 connections each) runs on core 1 for the same seconds, so
whatever else the machine does slows both alike; the ratio of their throughputs compares their
cost per request. The per-server CPU time per request is shown too. Absolute req/s and p99 are
not the report's (the two servers share one core): `make bench` gives those.

    python benchmarks/ab_throughput.py --rounds 6 --seconds 4 send OLD_DIR NEW_DIR
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import requests
from bench_throughput import (
    CONNECTIONS,
    REPORT_BULK_SIZE,
    REPORT_QUERY,
    SEND_BODY,
    SERVER_CORE,
    WRK_CORE,
    ensure_wrk,
    write_lua,
)
from harness import ROOT, SANDBOX_API_KEY, ServerProcess, national_numbers, pinned, server_process

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def target(server: ServerProcess, endpoint: str) -> str:
    """The URL to load; for the report, a fresh 1,000-recipient bulk (never evicted yet)."""
    if endpoint == "send":
        return server.url + "/api/send"
    body = dict(SEND_BODY, params={"recipients": national_numbers(REPORT_BULK_SIZE)})
    headers = {"Authorization": SANDBOX_API_KEY}
    answer = requests.post(server.url + "/api/send", json=body, headers=headers, timeout=30)
    answer.raise_for_status()
    bulk_id = int(answer.json()["data"]["message_outbox_ids"][0])
    return server.url + "/api/report/recipients?" + REPORT_QUERY.format(bulk_id=bulk_id)


def start_wrk(wrk: str, script: Path, url: str, seconds: int) -> subprocess.Popen[str]:
    argv = [*pinned(WRK_CORE), wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s"]
    return subprocess.Popen([*argv, "-s", str(script), url], stdout=subprocess.PIPE, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("endpoint", choices=("send", "report"))
    parser.add_argument("old", type=Path, help="source tree holding mock_server/src (A)")
    parser.add_argument("new", type=Path, help="source tree holding mock_server/src (B)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=4)
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    scratch = ROOT / ".bench"
    scratch.mkdir(exist_ok=True)
    method, body = ("POST", SEND_BODY) if args.endpoint == "send" else ("GET", None)
    script = write_lua(scratch / f"ab_{args.endpoint}.lua", method, body)
    ratios: list[float] = []
    cost: dict[str, list[float]] = {"A": [], "B": []}
    with ExitStack() as stack:
        servers = {}
        saved = os.environ.get("PYTHONPATH")
        for label, tree in (("A", args.old), ("B", args.new)):
            os.environ["PYTHONPATH"] = str(tree.resolve() / "mock_server" / "src")  # the child's
            command = [*pinned(SERVER_CORE), sys.executable, "-m", "ippanel_mock", "--port", "0"]
            servers[label] = stack.enter_context(server_process(command, "IPPANEL_BASE_URL="))
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
        for round_ in range(args.rounds):
            urls = {label: target(server, args.endpoint) for label, server in servers.items()}
            time.sleep(2.5)  # a report bulk reaches its final phase (delivery delay 2 s)
            before = {label: cpu_seconds(s.pid) for label, s in servers.items()}
            runs = {label: start_wrk(wrk, script, url, args.seconds) for label, url in urls.items()}
            rps = {}
            for label, run in runs.items():
                out = run.communicate()[0]
                raw = json.loads(next(x for x in out.splitlines() if x.startswith("WRK_JSON="))[9:])
                if raw["status"] or raw["connect"] or raw["read"] or raw["timeout"]:
                    raise SystemExit(f"{label}: errors under load: {raw}")
                rps[label] = raw["requests"] / (raw["duration_us"] / 1e6)
                used = cpu_seconds(servers[label].pid) - before[label]
                cost[label].append(1e6 * used / raw["requests"])
            ratios.append(rps["B"] / rps["A"])
            print(
                f"round {round_ + 1}: A {rps['A']:,.0f} req/s {cost['A'][-1]:.0f} us CPU/req, "
                f"B {rps['B']:,.0f} req/s {cost['B'][-1]:.0f} us CPU/req, B/A {ratios[-1]:.3f}",
                flush=True,
            )
    med = statistics.median
    print(
        f"{args.endpoint}: B/A throughput median {med(ratios):.3f} "
        f"[{min(ratios):.3f}-{max(ratios):.3f}] over {args.rounds} rounds; CPU per request "
        f"median A {med(cost['A']):.0f} us, B {med(cost['B']):.0f} us"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
