"""Benchmark 8: send tasks SIGKILLed at seeded points in a real Airflow deployment, 50+ kills.

The seeded part of tests/cluster/test_send_reruns_cluster.py on a deployment of its own, timed:
PostgreSQL, api-server, scheduler, dag-processor, triggerer (LocalExecutor), the sandbox holding
each send 0.4 s; every run's task kills itself on one or two tries at points drawn from
``random.Random(seed)``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from harness import ROOT, Section

sys.path.insert(0, str(ROOT / "scripts"))

from airflow_cluster import AirflowCluster, migrate
from backing_services import PostgresServer, SandboxProcess
from send_kills import HELD_SEND_MS, KILL_DAGS, RECIPIENTS_PER_REQUEST, RunOutcome, run_seeded_kills

DAG_ID = "ippanel_killed_send_reconcile"
WAIT = 900.0


def run(seed: int = 2026, kills: int = 50) -> Section:
    section = Section(
        "8. Worker deaths during sends",
        f"Send runs (5 recipients, 3 requests, `retries=2`) on a real Airflow deployment "
        "(LocalExecutor, PostgreSQL); each run's task process SIGKILLs itself on its first, or "
        "first two, tries, at a point drawn by `random.Random"
        f"({seed})`: before a request, while the sandbox holds it, right after it was accepted, "
        "after the XCom push. Runs are added in batches until at least "
        f"{kills} kills fired (a second try's point is skipped when its request was adopted).",
    )
    work = Path(tempfile.mkdtemp(prefix="ippanel-kills-"))
    postgres = PostgresServer(work / "logs")
    sandbox = SandboxProcess(work / "logs", admin_token="bench-admin")
    cluster: AirflowCluster | None = None
    runs: list[RunOutcome] = []
    started = time.perf_counter()
    try:
        postgres.start()
        database = postgres.create_database("airflow")
        migrate(database, work / "migrate", work / "pyc")
        sandbox.start()
        sandbox.admin("POST", "chaos", {"route": "POST /api/send", "probability": 1,
                                        "latency_ms": HELD_SEND_MS})  # fmt: skip
        connection = {
            "conn_type": "ippanel", "host": sandbox.url, "password": "sandbox-api-key",
            "extra": {"sender": "+983000505", "recipients_per_request": RECIPIENTS_PER_REQUEST},
        }  # fmt: skip
        cluster = AirflowCluster(
            work / "airflow", database, dags_folder=KILL_DAGS, pycache_dir=work / "pyc",
            env={"AIRFLOW_CONN_IPPANEL_DEFAULT": json.dumps(connection)},
        )  # fmt: skip
        cluster.start(dag_ids=(DAG_ID,))
        cluster.api.set_paused(DAG_ID, False)
        setup_s = time.perf_counter() - started
        runs_started = time.perf_counter()
        runs = run_seeded_kills(
            cluster.api, sandbox, DAG_ID, seed=seed, kills=kills, first_block=0, timeout=WAIT
        )
        fired = sum(len(r.kills) for r in runs)
        runs_s = time.perf_counter() - runs_started
    finally:
        try:
            if cluster is not None:
                cluster.stop()
        finally:
            sandbox.stop()
            postgres.stop()
    failed = [(r.run_id, r.plan, r.problems()) for r in runs if r.problems()]
    points = Counter(p.split(":")[0] for r in runs for p in r.kills)
    section.add("Kills that fired", f"{fired} in {len(runs)} runs", f"≥ {kills}", fired >= kills)
    section.add("Kills by point", ", ".join(f"{p} {n}" for p, n in sorted(points.items())))
    section.add("Runs with a recipient texted twice, or not at all, or a wrong XCom",
                str(len(failed)), "0", not failed)  # fmt: skip
    sms = sum(sum(r.received.values()) for r in runs)
    section.add(
        "SMS captured / recipients", f"{sms} / {5 * len(runs)}", "equal", sms == 5 * len(runs)
    )
    section.add("Wall time: set-up (PostgreSQL, migrate, components)", f"{setup_s:.0f} s")
    section.add("Wall time: the runs", f"{runs_s:.0f} s")
    for run_id, plan, problems in failed[:10]:
        section.notes.append(f"{run_id} {plan}: {problems}")
    return section
