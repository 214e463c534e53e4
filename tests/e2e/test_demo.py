"""`make demo` is the main job: its script runs end to end and its summary says what happened."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
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


def as_at_a_terminal() -> None:
    """Ctrl-C's default action, as in a terminal's foreground job: a pytest started in the
    background (``make test &``) hands its children SIGINT ignored, and Python installs no
    KeyboardInterrupt handler for an ignored signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.airflow
def test_ctrl_c_during_the_demo_stops_it_cleanly() -> None:
    """SIGINT to the demo's process group, as Ctrl-C in a terminal sends it, mid-DAG-run."""
    process = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "scripts" / "demo.py")],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=as_at_a_terminal,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Running `airflow dags test"):
                break
        time.sleep(1.0)  # inside the run: the airflow subprocess is working
        os.killpg(process.pid, signal.SIGINT)
        rest, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    out = "".join(lines) + rest
    assert process.returncode == 130, out + stderr
    assert "Traceback" not in out + stderr
    assert "Interrupted: the DAG run and the sandbox are stopped." in stderr
    [url] = re.findall(r"^  sandbox  (http://\S+)", out, re.M)
    with pytest.raises(urllib.error.URLError):  # the sandbox process is gone, not orphaned
        urllib.request.urlopen(f"{url}/healthz", timeout=5)
