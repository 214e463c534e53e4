"""`make demo`: a real Airflow DAG sends SMS through the IPPanel sandbox, then a readable summary.

Starts `ippanel-mock` as a separate process (as a user would), runs the example DAG
`ippanel_daily_kpi_alert` with `airflow dags test` on SQLite (the delivery sensor defers and its
trigger polls the sandbox in-process), then prints the task states, the outbox ids, the bulk's
report as the public API shows it, and every SMS the sandbox captured. Airflow's own output goes
to `.demo/dag_test.log`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from airflow_env import SANDBOX_API_KEY, prepare_airflow_home, run_dag_test

REPO_ROOT = Path(__file__).resolve().parents[1]

DAG_ID = "ippanel_daily_kpi_alert"
DEMO_DIR = REPO_ROOT / ".demo"
STATUS_NAMES = {0: "sent to operator", 1: "at operator", 2: "delivered", 3: "not delivered",
                4: "blacklisted", None: "-"}  # fmt: skip


def start_sandbox(log_path: Path) -> tuple[subprocess.Popen[str], str]:
    """Run `ippanel-mock --port 0` and read the base URL it prints."""
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ippanel_mock", "--port", "0", "--delivery-delay", "2"],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("IPPANEL_BASE_URL="):
            return proc, line.split("=", 1)[1].strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit(f"the sandbox did not start; see {log_path}")


def get_json(url: str, *, api_key: str | None = None) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": api_key} if api_key else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    for row in [header, *rows]:
        cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=False)]
        print("  " + "  ".join(cells).rstrip())


def describe_xcom(value: Any) -> str:
    """One line for a task's return value; the sensor's per-bulk summary gets a short form."""
    if isinstance(value, dict) and all(
        isinstance(v, dict) and "counts" in v for v in value.values()
    ):
        return "; ".join(
            f"bulk {bulk} state {v['state_id']}, delivered "
            f"{v['counts'].get('delivered', 0)}/{sum(v['counts'].values())}"
            for bulk, v in value.items()
        )
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def summarize(url: str, result: Any) -> None:
    print(f"\nDAG {DAG_ID}: {result.state} in {result.duration:.1f} s"
          f" (airflow dags test exit code {result.returncode})")  # fmt: skip
    print("\nTasks")
    rows = []
    for task, state in sorted(result.task_states.items()):
        rows.append([task, state or "-", describe_xcom(result.xcoms.get(task))])
    print_table(rows, ["task", "state", "returned (XCom)"])
    polls = result.output.count("IPPanelDeliveryTrigger")
    if "Pausing task as DEFERRED" in result.output:
        print(f"  wait_for_delivery deferred; its trigger polled the sandbox {polls} time(s)")

    outbox_ids = [
        outbox_id
        for task, ids in sorted(result.xcoms.items())
        if task.split("[")[0] == "send_kpi"
        for outbox_id in ids or []
    ]
    rows = []
    for outbox_id in outbox_ids:
        query = f"messages_outbox_id={outbox_id}"
        report = get_json(f"{url}/api/report/by_bulk?{query}", api_key=SANDBOX_API_KEY)["data"]
        stats = get_json(f"{url}/api/report/bulk_stats?bulk_id={outbox_id}",
                         api_key=SANDBOX_API_KEY)["data"]  # fmt: skip
        delivered = sum(int(v) for op in stats["operators_delivered"].values() for v in op.values())
        rows.append([str(outbox_id), f"{report['state_id']} ({report['state']})",
                     report["rcpts_count"], str(delivered), str(report["cost"])])  # fmt: skip
    print("\nBulks, as the public API reports them (by_bulk, bulk_stats)")
    print_table(rows, ["bulk", "state_id", "recipients", "delivered", "cost (Rial)"])

    messages = get_json(f"{url}/__sandbox/messages?per_page=20")
    print(f"\nWhat the sandbox captured (GET /__sandbox/messages): {messages['total']} SMS")
    print_table(
        [
            [
                m["recipient"],
                m["sender"],
                str(m["bulk_id"]),
                STATUS_NAMES.get(m["message_status"], str(m["message_status"])),
                m["text"],
            ]
            for m in messages["items"]
        ],
        ["to", "from", "bulk", "status", "text"],
    )


def main() -> int:
    DEMO_DIR.mkdir(exist_ok=True)
    print("IPPanel provider demo: a real Airflow DAG against the IPPanel sandbox")
    proc, url = start_sandbox(DEMO_DIR / "sandbox.log")
    try:
        print(f"  sandbox  {url}  (ippanel-mock, API key {SANDBOX_API_KEY})")
        home = prepare_airflow_home(DEMO_DIR / "airflow")
        print(f"  airflow  AIRFLOW_HOME={home.relative_to(REPO_ROOT)} (SQLite)")
        print(f"\nRunning `airflow dags test {DAG_ID}` ...", flush=True)
        result = run_dag_test(DAG_ID, url, {"IPPANEL_POKE_INTERVAL": "1"}, airflow_home=home)
        (DEMO_DIR / "dag_test.log").write_text(result.output)
        summarize(url, result)
        print(f"\nAirflow's full output: {(DEMO_DIR / 'dag_test.log').relative_to(REPO_ROOT)}")
        return 0 if result.succeeded else 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C cannot cut the clean-up
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


if __name__ == "__main__":
    os.chdir(REPO_ROOT)
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("\nInterrupted: the DAG run and the sandbox are stopped.", file=sys.stderr)
        raise SystemExit(130) from None
