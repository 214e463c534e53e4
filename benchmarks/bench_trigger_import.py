"""Benchmark 6: how long the triggerer's event loop stalls the first time it runs the trigger.

The triggerer imports a trigger's module and runs its ``run()`` on the thread of its event loop:
while that thread imports modules, no other trigger on that triggerer runs (Airflow logs
"Triggerer's async thread was blocked" past 0.2 s). Two measures, each in fresh processes:
the longest stall of a 5 ms ticker task on the loop while the trigger class is imported there
and its first ``run()`` reaches its event, and `-X importtime` of what that first run imports.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_import import ImportRun, run_once
from harness import (
    BENCH_DIR,
    ROOT,
    SANDBOX_API_KEY,
    SANDBOX_SENDER,
    Section,
    median,
    sandbox_process,
)

TRIGGERER_HAS = "import airflow.sdk, airflow.triggers.base, airflow.jobs.triggerer_job_runner"
"""What a triggerer process has loaded before it meets its first IPPanel trigger."""
LAST_LOADED = "airflow.jobs.triggerer_job_runner"
FIRST_RUN_IMPORTS = (
    "import ippanel_provider.triggers.delivery; "  # the classpath the triggerer imports
    "import ippanel_provider.hooks.ippanel; "  # run() imports the async hook ...
    "from ippanel_provider.client import AsyncIPPanelClient"  # ... and the async client
)
UNUSED_BY_THE_TRIGGER = ("requests", "ippanel_provider.client.sync")
CLASSPATH = "ippanel_provider.triggers.delivery.IPPanelDeliveryTrigger"
TICK = 0.005


def worker(bulk_id: int) -> dict[str, Any]:
    """Import the trigger class on a running loop, run it to its event; report the loop's lag."""
    import airflow.sdk
    import airflow.triggers.base  # noqa: F401

    lags: list[float] = []

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            lags.append(now - last - TICK)
            last = now

    async def main() -> dict[str, Any]:
        tick = asyncio.create_task(ticker())
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        module, _, name = CLASSPATH.rpartition(".")
        trigger_class = getattr(importlib.import_module(module), name)  # on the loop
        trigger = trigger_class(outbox_ids=[bulk_id], poke_interval=0.05, deadline=time.time() + 60)
        async for event in trigger.run():
            status = event.payload["status"]
            break
        elapsed = time.perf_counter() - started
        tick.cancel()
        return {"status": status, "first_event_s": elapsed, "max_lag_s": max(lags)}

    return asyncio.run(main())


def _lag_runs(runs: int) -> list[dict[str, Any]]:
    home = ROOT / ".bench" / "airflow_home"
    home.mkdir(parents=True, exist_ok=True)
    results = []
    with sandbox_process("--delivery-delay", "0") as sandbox:
        from ippanel_provider.client import IPPanelClient

        with IPPanelClient(sandbox.url, api_key=SANDBOX_API_KEY) as client:
            [bulk_id] = client.send_sms(
                ["09121234567"], "lag", sender=SANDBOX_SENDER
            ).message_outbox_ids
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env |= {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "AIRFLOW_CONN_IPPANEL_DEFAULT": json.dumps(
                {"conn_type": "ippanel", "host": sandbox.url, "password": SANDBOX_API_KEY}
            ),
        }
        argv = [sys.executable, str(Path(__file__)), "--worker", str(bulk_id)]
        for _ in range(runs + 1):  # the first warms the byte-code cache
            out = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=BENCH_DIR)
            if out.returncode != 0:
                raise RuntimeError(f"trigger worker failed:\n{out.stderr[-3000:]}")
            line = next(x for x in out.stdout.splitlines() if x.startswith("LAG_JSON="))
            results.append(json.loads(line.removeprefix("LAG_JSON=")))
    return results[1:]


def run(runs: int) -> Section:
    section = Section(
        "6. Trigger first load on the triggerer's loop",
        f"{runs} fresh processes with `{TRIGGERER_HAS}` done (as in a triggerer) each "
        "import the trigger class on a running asyncio loop and run it to its "
        "first event against the sandbox (its own process), while a ticker task sleeps "
        f"{TICK * 1000:g} ms at a time; the stall is the ticker's longest overshoot. Then "
        f"`python -X importtime` of `{FIRST_RUN_IMPORTS}` on top of `{TRIGGERER_HAS}`, {runs} "
        "runs: summed cumulative time of those imports (wherever they run), median.",
    )
    lags = _lag_runs(runs)
    stall_ms = median([r["max_lag_s"] for r in lags]) * 1000
    section.add(
        "Longest stall of the loop, first trigger run (median)",
        f"{stall_ms:.0f} ms (first event after {median([r['first_event_s'] for r in lags]):.2f} s)",
        "< 200 ms",
        stall_ms < 200,
    )
    statement = f"{TRIGGERER_HAS}; {FIRST_RUN_IMPORTS}"
    run_once(statement, after=LAST_LOADED)  # warm the bytecode and page cache
    measured: list[ImportRun] = [run_once(statement, after=LAST_LOADED) for _ in range(runs)]
    total_ms = median([r.after_sdk_us for r in measured]) / 1000
    section.add("Imports of the first trigger run (importtime, median)", f"{total_ms:.0f} ms")
    for name in UNUSED_BY_THE_TRIGGER:
        loaded = [r.subtrees[name] for r in measured if name in r.subtrees]
        value = f"{median(loaded) / 1000:.0f} ms" if loaded else "not imported"
        section.add(
            f"… of which `{name}` (unused by the trigger)", value, "not imported", not loaded
        )
    aiohttp = [r.subtrees["aiohttp"] for r in measured if "aiohttp" in r.subtrees]
    if aiohttp:
        section.add(
            "… of which `aiohttp` (the async transport it uses)",
            f"{median(aiohttp) / 1000:.0f} ms",
        )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", type=int, metavar="BULK_ID", required=True)
    args = parser.parse_args()
    print("LAG_JSON=" + json.dumps(worker(args.worker)), flush=True)


if __name__ == "__main__":
    main()
