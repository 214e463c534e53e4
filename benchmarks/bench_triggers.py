"""Benchmark 5: 200 deferred IPPanelDeliveryTrigger runs polling the sandbox in one event loop.

The parent starts the sandbox; a fresh worker process (`--worker`) runs the triggers so its CPU
time and memory are the triggers' alone, not those of earlier benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from harness import (
    BENCH_DIR,
    ROOT,
    SANDBOX_API_KEY,
    SANDBOX_SENDER,
    Section,
    mib,
    national_numbers,
    rss_bytes,
    sandbox_process,
)

POKE_INTERVAL = 1.0
DELIVERY_DELAY = 3.0
RECIPIENTS_PER_BULK = 10


class PeakRss:
    """Samples this process's RSS every few milliseconds in a thread; keeps the peak."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.peak = rss_bytes(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        pid = os.getpid()
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes(pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(os.getpid()))


async def first_event(trigger: Any) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise RuntimeError("trigger ended without an event")


def worker(url: str, count: int) -> dict[str, Any]:
    """Send `count` bulks, then run one trigger per bulk until each fires; report the loop."""
    from ippanel_provider.client import IPPanelClient
    from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger

    numbers = national_numbers(RECIPIENTS_PER_BULK)
    with IPPanelClient(url, api_key=SANDBOX_API_KEY) as client:
        ids = [
            client.send_sms(
                numbers, f"Trigger benchmark {i}", sender=SANDBOX_SENDER
            ).message_outbox_ids[0]
            for i in range(count)
        ]
    triggers = [
        IPPanelDeliveryTrigger(
            outbox_ids=[outbox_id],
            wait_for="delivered",
            poke_interval=POKE_INTERVAL,
            deadline=time.time() + 120,
        )
        for outbox_id in ids
    ]

    async def run_all() -> list[dict[str, Any]]:
        return await asyncio.gather(*(first_event(t) for t in triggers))

    rss_before = rss_bytes(os.getpid())
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    with PeakRss() as peak:
        events = asyncio.run(run_all())
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - wall_started
    statuses: dict[str, int] = {}
    for event in events:
        statuses[event["status"]] = statuses.get(event["status"], 0) + 1
    return {
        "count": count,
        "cpu_s": cpu,
        "wall_s": wall,
        "rss_before": rss_before,
        "rss_peak": peak.peak,
        "statuses": statuses,
    }


def _worker_env(url: str) -> dict[str, str]:
    home = ROOT / ".bench" / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(home)
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    env["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
    env["AIRFLOW_CONN_IPPANEL_DEFAULT"] = json.dumps(
        {
            "conn_type": "ippanel",
            "host": url,
            "password": SANDBOX_API_KEY,
            "extra": {"read_timeout": 10},
        }
    )
    return env


def run(count: int) -> Section:
    section = Section(
        "5. Deferred sensors",
        f"{count} `IPPanelDeliveryTrigger(wait_for='delivered', poke_interval={POKE_INTERVAL:g})` "
        f"instances, one per bulk of {RECIPIENTS_PER_BULK} recipients, their `run()` generators "
        "gathered in one asyncio loop until each yields its event, in a fresh process (connection "
        f"from `AIRFLOW_CONN_IPPANEL_DEFAULT`); sandbox as its own process, delivery delay "
        f"{DELIVERY_DELAY:g} s. CPU = `time.process_time()` of that process over the loop; "
        "memory = RSS sampled every 10 ms.",
    )
    with sandbox_process("--delivery-delay", str(DELIVERY_DELAY)) as sandbox:
        argv = [sys.executable, str(Path(__file__)), "--worker", sandbox.url, str(count)]
        result = subprocess.run(
            argv, capture_output=True, text=True, env=_worker_env(sandbox.url), cwd=BENCH_DIR
        )
    if result.returncode != 0:
        raise RuntimeError(f"trigger worker failed:\n{result.stderr[-3000:]}")
    line = next(x for x in result.stdout.splitlines() if x.startswith("TRIGGERS_JSON="))
    data = json.loads(line.removeprefix("TRIGGERS_JSON="))
    successes = data["statuses"].get("success", 0)
    growth = data["rss_peak"] - data["rss_before"]
    section.add(
        "Events",
        ", ".join(f"{n} {s}" for s, n in sorted(data["statuses"].items())),
        f"{count} success",
        successes == count,
    )
    section.add("Wall time of the loop", f"{data['wall_s']:.2f} s")
    section.add(
        "CPU time of the loop (process time)",
        f"{data['cpu_s']:.2f} s ({data['cpu_s'] / count * 1000:.1f} ms per trigger)",
    )
    section.add("CPU share of wall time", f"{data['cpu_s'] / data['wall_s']:.0%} of one core")
    section.add(
        "Peak RSS over the loop (start → peak)",
        f"{mib(data['rss_before'])} → {mib(data['rss_peak'])} "
        f"(+{mib(growth)}, {growth / count / 1024:.0f} KiB per trigger)",
    )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", nargs=2, metavar=("URL", "COUNT"), required=True)
    args = parser.parse_args()
    url, count = args.worker[0], int(args.worker[1])
    print("TRIGGERS_JSON=" + json.dumps(worker(url, count)), flush=True)


if __name__ == "__main__":
    main()
