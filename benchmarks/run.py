"""`make bench`: run every benchmark side by side on this machine and write BENCHMARKS.md.

Each benchmark compares against a reference measured in the same run (or a growth curve), so a
noisy machine shifts both sides. `--quick` shortens every run for a smoke check and writes to
.bench/ instead of the committed report.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import bench_bulk_send
import bench_import
import bench_reconcile
import bench_report_scaling
import bench_send_kills
import bench_throughput
import bench_trigger_import
import bench_triggers
import bench_web_ui
from harness import ROOT, Section
from report import render

NAMES = (
    "throughput",
    "reports",
    "imports",
    "bulk",
    "triggers",
    "trigger-import",
    "reconcile",
    "kills",
    "web-ui",
)


def plan(args: argparse.Namespace) -> dict[str, Callable[[], Section]]:
    quick = args.quick
    duration = args.duration if args.duration is not None else (3.0 if quick else 10.0)
    return {
        "throughput": lambda: bench_throughput.run(duration, warmup=1.0 if quick else 2.0),
        "reports": lambda: bench_report_scaling.run(repetitions=100 if quick else 400),
        "imports": lambda: bench_import.run(runs=3 if quick else 7),
        "bulk": lambda: bench_bulk_send.run(
            recipients=20_000 if quick else 100_000, repetitions=3 if quick else 9
        ),
        "triggers": lambda: bench_triggers.run(count=200),
        "trigger-import": lambda: bench_trigger_import.run(runs=3 if quick else 7),
        "reconcile": lambda: bench_reconcile.run(recipients=20_000 if quick else 100_000),
        "kills": lambda: bench_send_kills.run(kills=8 if quick else 50),
        "web-ui": lambda: bench_web_ui.run(duration, warmup=1.0 if quick else 2.0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, report to .bench/")
    parser.add_argument("--duration", type=float, help="seconds per wrk run (default 10, quick 3)")
    parser.add_argument("--only", nargs="+", choices=NAMES, help="run only these benchmarks")
    parser.add_argument("--output", type=Path, help="report path (default BENCHMARKS.md)")
    args = parser.parse_args(argv)
    if args.duration is not None and args.duration < 1:
        parser.error("--duration must be at least 1 second")
    output = args.output or (
        ROOT / ".bench" / "BENCHMARKS.quick.md" if args.quick else ROOT / "BENCHMARKS.md"
    )
    started = time.perf_counter()
    sections: list[Section] = []
    failed: list[str] = []
    for name, bench in plan(args).items():
        if args.only and name not in args.only:
            continue
        print(f"== {name} ...", flush=True)
        bench_started = time.perf_counter()
        try:
            section = bench()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        sections.append(section)
        for row in section.rows:
            mark = {True: "pass", False: "MISS", None: ""}[row.passed]
            print(f"   {row.figure}: {row.value} {mark}", flush=True)
        print(f"   ({time.perf_counter() - bench_started:.0f} s)", flush=True)
    total = time.perf_counter() - started
    command = "make bench" + (" (quick mode)" if args.quick else "")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(sections, command=command, total_seconds=total))
    print(f"wrote {output} in {total:.0f} s", flush=True)
    if failed:
        print(f"benchmarks that could not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
