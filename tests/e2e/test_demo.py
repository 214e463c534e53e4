"""`make demo` is the main job: its script runs end to end and its summary says what happened."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.airflow
def test_demo_runs_the_dag_against_a_sandbox_process_and_summarizes_it() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "demo.py")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "DAG ippanel_daily_kpi_alert: success" in out
    assert re.search(r"^  wait_for_delivery\s+success\s+bulk \d+ state 6, delivered 2/2", out, re.M)
    assert "wait_for_delivery deferred" in out
    captured = re.search(r"GET /__sandbox/messages\): (\d+) SMS", out)
    assert captured is not None
    assert int(captured.group(1)) == 3
    assert (
        len(re.findall(r"^  \+989\d{9}\s+\+983000505\s+\d+\s+delivered\s+Orders on", out, re.M))
        == 3
    )
