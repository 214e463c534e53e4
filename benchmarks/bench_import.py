"""Benchmark 3: DAG parse cost, the import time the provider's DAG modules add to airflow.sdk."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

from harness import ROOT, Section, median

BASELINE = "import airflow.sdk"
PROVIDER_MODULES = (
    "ippanel_provider.operators.send",
    "ippanel_provider.sensors.delivery",
    "ippanel_provider.notifications.ippanel",
)
WITH_PROVIDER = f"{BASELINE}; import {', '.join(PROVIDER_MODULES)}"
IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass(frozen=True, slots=True)
class ImportRun:
    wall_s: float
    sdk_us: int
    after_sdk_us: int
    """Cumulative µs of the top-level imports made after airflow.sdk (the provider's share)."""
    heaviest: list[tuple[int, str]]
    subtrees: dict[str, int] = field(default_factory=dict)
    """Cumulative µs of every module imported after the split point, by name."""


def run_once(statement: str, after: str = "airflow.sdk") -> ImportRun:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    wall = time.perf_counter() - started
    return parse(result.stderr, wall, after)


def parse(stderr: str, wall: float, after: str = "airflow.sdk") -> ImportRun:
    """Split `-X importtime` output at the top-level entry of module ``after``."""
    sdk_us = after_us = 0
    seen_sdk = False
    nested: list[tuple[int, str]] = []
    subtrees: dict[str, int] = {}
    for line in stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if not match:
            continue
        cumulative, indent, name = int(match.group(2)), len(match.group(3)), match.group(4)
        top_level = indent == 1
        if top_level and name == after:
            sdk_us, seen_sdk = cumulative, True
        elif seen_sdk:
            subtrees[name] = cumulative
            if top_level:
                after_us += cumulative
            elif indent <= 3:
                nested.append((cumulative, name))
    if not seen_sdk:
        raise RuntimeError(f"{after} did not show up in -X importtime output")
    nested.sort(reverse=True)
    return ImportRun(wall, sdk_us, after_us, nested[:5], subtrees)


def run(runs: int) -> Section:
    section = Section(
        "3. DAG parse cost",
        f"`python -X importtime` in fresh subprocesses, {runs} runs of each statement, "
        f"alternating: `{BASELINE}` vs `{WITH_PROVIDER}`. The provider's cost is the summed "
        "cumulative time of the top-level imports made after `airflow.sdk` (the three modules "
        "and whatever they pull in that airflow.sdk had not already loaded); median over runs. "
        "Wall-clock medians of both interpreters are shown for context.",
    )
    run_once(WITH_PROVIDER)  # warm the bytecode cache and the page cache
    baseline: list[ImportRun] = []
    provider: list[ImportRun] = []
    for i in range(runs):
        order = (BASELINE, WITH_PROVIDER) if i % 2 == 0 else (WITH_PROVIDER, BASELINE)
        for statement in order:
            (baseline if statement == BASELINE else provider).append(run_once(statement))
    extra_ms = median([r.after_sdk_us for r in provider]) / 1000
    section.add(
        "`import airflow.sdk` alone (importtime cumulative, median)",
        f"{median([r.sdk_us for r in baseline]) / 1000:.0f} ms",
    )
    section.add(
        "Provider modules on top of airflow.sdk (importtime cumulative, median)",
        f"{extra_ms:.1f} ms",
        "≤ 50 ms",
        extra_ms <= 50,
    )
    wall_base = median([r.wall_s for r in baseline])
    wall_provider = median([r.wall_s for r in provider])
    section.add(
        "Interpreter wall time, median: baseline → with provider",
        f"{wall_base * 1000:.0f} ms → {wall_provider * 1000:.0f} ms "
        f"({(wall_provider - wall_base) * 1000:+.0f} ms)",
    )
    slowest = max(provider, key=lambda r: r.after_sdk_us)
    heavy = ", ".join(f"{name} {us / 1000:.1f} ms" for us, name in slowest.heaviest[:3])
    if heavy:
        section.notes.append(f"Heaviest imports under the provider modules (one run): {heavy}.")
    return section
