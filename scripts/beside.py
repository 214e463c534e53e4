"""Run one command beside another: `make unit` on 2 cores, where pytest keeps one busy.

    python scripts/beside.py LOG -- BESIDE... -- MAIN...

MAIN runs in the foreground with its output as usual; BESIDE runs at the same time with its
output in LOG, shown once both ended (whole when it failed, its last lines otherwise). The exit
status is MAIN's if it failed, else BESIDE's. Ctrl-C or a SIGTERM is passed on to both
process groups.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

TAIL_LINES = 5


def split(argv: list[str]) -> tuple[Path, list[str], list[str]]:
    if len(argv) < 5 or argv[1] != "--" or "--" not in argv[2:]:
        raise SystemExit(__doc__)
    rest = argv[2:]
    cut = rest.index("--")
    beside, main = rest[:cut], rest[cut + 1 :]
    if not beside or not main:
        raise SystemExit(__doc__)
    return Path(argv[0]), beside, main


def signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def main(argv: list[str]) -> int:
    log, beside_cmd, main_cmd = split(argv)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        beside = subprocess.Popen(
            beside_cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    print(f"[beside] {' '.join(beside_cmd)} (output: {log})", flush=True)
    foreground = subprocess.Popen(main_cmd, start_new_session=True)

    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        """Pass the signal on to both groups (pytest tears down on SIGINT); the waits below
        then return. No waiting in here: Popen.wait is not reentrant."""
        received.append(signum)
        for process in (foreground, beside):
            signal_group(process, signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    main_status = foreground.wait()
    beside_status = beside.wait()
    lines = log.read_text(errors="replace").splitlines()
    shown = lines if beside_status else lines[-TAIL_LINES:]
    print(f"\n[beside] {' '.join(beside_cmd)}: exit status {beside_status}", flush=True)
    print("\n".join(shown), flush=True)
    if received:
        return 128 + received[0]
    return main_status or beside_status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
