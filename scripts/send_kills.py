"""Send tasks SIGKILLed at seeded points in a real Airflow deployment, and what came of it.

Shared by tests/cluster/test_send_reruns_cluster.py (hand-picked plans and 50 seeded kills),
tests/cluster/test_worker_death_celery.py and benchmarks/bench_send_kills.py. Each run
of ``ippanel_killed_send_<policy>`` (tests/cluster/kill_dags) sends one text to its own 5
recipients in 3 requests; its task kills itself on the tries its plan names (``KILL_POINTS``),
and Airflow retries it (``retries=2``).
A run may take more down with the task (``dies``: its supervisor, or its whole Celery worker):
then nobody reports the try, and only the scheduler's heartbeat timeout ends it.
Afterwards each recipient must hold exactly one SMS, and the run's XCom exactly the ids of the
bulks that went out, in request order.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow_cluster import AirflowCluster
from airflow_rest import AirflowApi
from backing_services import SandboxProcess

KILL_DAGS = Path(__file__).resolve().parents[1] / "tests" / "cluster" / "kill_dags"
KILL_POINTS = ("before_request", "held", "after_accepted", "after_xcom")
RECIPIENTS_PER_RUN = 5
RECIPIENTS_PER_REQUEST = 2
REQUESTS = 3
MESSAGE = "Flash sale: 30% off until midnight"
"""One text for every run: runs are told apart by their recipients only."""
HELD_SEND_MS = 400
"""How long the sandbox holds every send request (a ``held`` kill lands 0.15 s into it)."""


def start_sandbox(log_dir: Path, admin_token: str) -> SandboxProcess:
    """The sandbox these runs send to, holding every send request ``HELD_SEND_MS``."""
    sandbox = SandboxProcess(log_dir, admin_token=admin_token)
    try:
        sandbox.start()
        sandbox.admin(
            "POST",
            "chaos",
            {"route": "POST /api/send", "probability": 1, "latency_ms": HELD_SEND_MS},
        )
    except BaseException:
        sandbox.stop()
        raise
    return sandbox


HEARTBEAT_TIMEOUT = 20
"""``[scheduler] task_instance_heartbeat_timeout`` of a kill deployment (300 s by default): a
task's supervisor heartbeats every 5 s (``[workers] min_heartbeat_interval``), so 20 s stays
clear of a slow machine's false alarms and finds a dead worker's try in about 22 s."""


@contextlib.contextmanager
def kill_deployment(
    home: Path,
    database_url: str,
    *,
    admin_token: str,
    pycache_dir: Path,
    executor: str = "LocalExecutor",
    broker_url: str | None = None,
) -> Iterator[tuple[AirflowCluster, SandboxProcess]]:
    """The sandbox and an Airflow deployment (not yet started) of the kill DAGs, connected to
    it; both stopped on exit."""
    with contextlib.ExitStack() as stack:
        sandbox = start_sandbox(home / "logs", admin_token)
        stack.callback(sandbox.stop)
        cluster = AirflowCluster(
            home,
            database_url,
            executor=executor,
            broker_url=broker_url,
            dags_folder=KILL_DAGS,
            pycache_dir=pycache_dir,
            env={
                "AIRFLOW_CONN_IPPANEL_DEFAULT": connection(sandbox),
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
            },
        )
        stack.callback(cluster.stop)
        yield cluster, sandbox


class Laps:
    """Wall time per phase: ``lap("name")`` records the seconds since the previous lap."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.monotonic()

    def __call__(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self._clock, 1)
        self._clock = time.monotonic()


def connection(sandbox: SandboxProcess) -> str:
    """``AIRFLOW_CONN_IPPANEL_DEFAULT`` for ``sandbox``, ``RECIPIENTS_PER_REQUEST`` per request."""
    return json.dumps(
        {
            "conn_type": "ippanel",
            "host": sandbox.url,
            "password": "sandbox-api-key",
            "extra": {"sender": "+983000505", "recipients_per_request": RECIPIENTS_PER_REQUEST},
        }
    )


def kill_plan(rng: random.Random) -> dict[str, str]:
    """Try number -> kill point, for one or two tries (retries=2 leaves a third)."""
    plan = {}
    for try_number in range(1, rng.choice((1, 2)) + 1):
        point = rng.choice(KILL_POINTS)
        if point != "after_xcom":
            point += f":{rng.randint(1, REQUESTS)}"
        plan[str(try_number)] = point
    return plan


def kill_plans(seed: int, at_least: int) -> list[dict[str, str]]:
    """Plans, one per run, until they hold ``at_least`` kills in all."""
    rng = random.Random(seed)
    plans: list[dict[str, str]] = []
    while sum(map(len, plans)) < at_least:
        plans.append(kill_plan(rng))
    return plans


def recipients(block: int, run: int) -> list[str]:
    """Run ``run`` (0-99) of batch ``block`` (0-99): numbers no other run uses."""
    return [f"0912{block:02d}{run:02d}{i:03d}" for i in range(RECIPIENTS_PER_RUN)]


def e164(number: str) -> str:
    return "+98" + number[1:]


@dataclass
class RunOutcome:
    dag_id: str
    run_id: str
    plan: dict[str, str]
    numbers: list[str]
    dies: str = "task"
    state: str = ""
    try_number: int = 0
    xcom: Any = None
    received: Counter[str] = field(default_factory=Counter)
    """SMS per recipient, as the sandbox captured them."""
    bulks: list[int] = field(default_factory=list)
    """The ids of the bulks that reached the run's recipients, in request order."""
    heartbeat_timeouts: list[int] = field(default_factory=list)
    """The tries the scheduler failed for a missing heartbeat (audit log), in order."""

    @property
    def kills(self) -> list[str]:
        """The kill points that fired: one per try that did not finish. A planned point can be
        skipped on a rerun (the request it names was adopted, never sent)."""
        return [self.plan[str(t)] for t in range(1, self.try_number) if str(t) in self.plan]

    def problems(self) -> list[str]:
        found = []
        if self.state != "success":
            found.append(f"run {self.state}")
        counts = {e164(n): self.received.get(e164(n), 0) for n in self.numbers}
        if set(counts.values()) != {1}:
            found.append(f"SMS per recipient {counts}")
        if self.xcom != self.bulks:
            found.append(f"XCom {self.xcom} but the bulks that went out are {self.bulks}")
        return found


def start_runs(
    api: AirflowApi,
    dag_id: str,
    plans: list[dict[str, str]],
    block: int,
    *,
    dies: str = "task",
) -> list[RunOutcome]:
    runs = []
    for index, plan in enumerate(plans):
        numbers = recipients(block, index)
        conf: dict[str, Any] = {"recipients": numbers, "message": MESSAGE, "kills": plan}
        if dies != "task":
            conf["dies"] = dies
        run = api.trigger(dag_id, conf, like_ui_form=False)
        runs.append(RunOutcome(dag_id, run["dag_run_id"], plan, numbers, dies))
    return runs


def collect(api: AirflowApi, sandbox: SandboxProcess, runs: list[RunOutcome]) -> None:
    """Fill in each finished run's state, try number, XCom and the SMS its recipients got."""
    messages = sandbox.messages()
    for run in runs:
        run.state = api.dag_run(run.dag_id, run.run_id)["state"]
        ti = api.task_instances(run.dag_id, run.run_id)["send"]
        run.try_number = ti["try_number"]
        run.xcom = api.return_values(run.dag_id, run.run_id).get("send")
        timeouts = api.event_logs(run.dag_id, run.run_id, "heartbeat timeout")
        run.heartbeat_timeouts = sorted(entry["try_number"] for entry in timeouts)
        mine = [m for m in messages if m["recipient"] in {e164(n) for n in run.numbers}]
        run.received = Counter(m["recipient"] for m in mine)
        bulk_of = {m["recipient"]: m["bulk_id"] for m in mine}
        firsts = run.numbers[::RECIPIENTS_PER_REQUEST]
        run.bulks = [bulk_of[e164(n)] for n in firsts if e164(n) in bulk_of]


def run_seeded_kills(
    api: AirflowApi,
    sandbox: SandboxProcess,
    dag_id: str,
    *,
    seed: int,
    kills: int,
    first_block: int,
    batch: int = 16,
    timeout: float = 900.0,
) -> list[RunOutcome]:
    """Runs whose kill points come from ``random.Random(seed)``, started ``batch`` at a time,
    until at least ``kills`` kills fired (a planned point can be skipped: see
    ``RunOutcome.kills``); each batch is waited for and collected."""
    plans = kill_plans(seed, 4 * kills)
    runs: list[RunOutcome] = []
    block = first_block
    while sum(len(r.kills) for r in runs) < kills and len(runs) < len(plans):
        started = start_runs(api, dag_id, plans[len(runs) : len(runs) + batch], block=block)
        api.wait_for_runs([(r.dag_id, r.run_id) for r in started], timeout=timeout)
        collect(api, sandbox, started)
        runs += started
        block += 1
    return runs


def clear_task(api: AirflowApi, run: RunOutcome) -> None:
    """Clear the run's finished send task, as the UI's Clear button does."""
    api.request(
        "POST",
        f"dags/{run.dag_id}/clearTaskInstances",
        json={
            "dag_run_id": run.run_id,
            "task_ids": ["send"],
            "only_failed": False,
            "reset_dag_runs": True,
            "dry_run": False,
        },
    )
