"""A send whose whole Celery worker dies right after IPPanel accepted its second request: every
process of ``airflow celery worker`` (the Celery main process, its pool, the task's supervisor)
is SIGKILLed at once, as when a host is lost or a pod evicted, and comes back. Nobody reports
the try: the scheduler fails it once its heartbeat is late, retries it on the worker that came
back, and no recipient is texted twice. A second run was queued beside it, whatever it was
doing when the worker died.

Its own deployment adds 1.5 to 2 minutes to ``make test``, so it runs only with
``IPPANEL_CELERY_WORKER_DEATH=1`` (README, "What make test proves"); test_send_reruns_cluster.py
covers the same heartbeat-timeout retry in every ``make test`` with the LocalExecutor.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from airflow_cluster import CELERY_WORKER
from airflow_matrix import LOCKED
from airflow_rest import FINISHED
from backing_services import PostgresServer, RedisServer
from managed_process import wait_until
from send_kills import Laps, RunOutcome, collect, kill_deployment, start_runs
from template_databases import TemplateDatabases

pytestmark = [
    pytest.mark.airflow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(
        os.environ.get("IPPANEL_CELERY_WORKER_DEATH") != "1",
        reason="1.5 to 2 minutes: set IPPANEL_CELERY_WORKER_DEATH=1 to run it",
    ),
]

DAG_ID = "ippanel_killed_send_reconcile"
DEATH = {"1": "after_accepted:2"}
WAIT = 300.0
SANDBOX_ADMIN_TOKEN = "worker-death-admin-token"


@dataclass
class WorkerDeath:
    killed: RunOutcome
    beside: RunOutcome
    worker_exit: int | None
    timings: dict[str, float]


@pytest.fixture(scope="module")
def worker_death(
    postgres: PostgresServer, redis: RedisServer, templates: TemplateDatabases, cluster_dir: Path
) -> Iterator[WorkerDeath]:
    database = postgres.create_database("worker_death", template=templates.name(LOCKED))
    lap = Laps()
    with kill_deployment(
        cluster_dir / "worker-death", database, admin_token=SANDBOX_ADMIN_TOKEN,
        pycache_dir=cluster_dir / "pyc", executor="CeleryExecutor", broker_url=redis.url,
    ) as (cluster, sandbox):  # fmt: skip
        api, worker = cluster.api, cluster.components[CELERY_WORKER]
        try:
            cluster.start(dag_ids=(DAG_ID,))
            lap("start components")
            api.set_paused(DAG_ID, False)
            [killed] = start_runs(api, DAG_ID, [DEATH], block=5, dies="worker")
            [beside] = start_runs(api, DAG_ID, [{}], block=6)

            def worker_died() -> bool:
                if api.dag_run(DAG_ID, killed.run_id)["state"] in FINISHED:
                    raise AssertionError(f"{killed.run_id} ended with its worker alive")
                return not worker.running()

            wait_until(
                worker_died, timeout=WAIT, interval=0.2,
                what="the send task to take its Celery worker down",
            )  # fmt: skip
            worker_exit = worker.process.returncode if worker.process else None
            lap("send until the worker dies")
            cluster.restart(CELERY_WORKER)  # the host comes back
            runs = [killed, beside]
            api.wait_for_runs([(r.dag_id, r.run_id) for r in runs], timeout=WAIT)
            collect(api, sandbox, runs)
            lap("heartbeat timeout, retry")
            cluster.check_running()
        except BaseException as exc:
            exc.add_note(cluster.log_tails(60))
            raise
        print(f"\n[cluster] Celery worker death: {lap.timings}")
        yield WorkerDeath(killed, beside, worker_exit, lap.timings)


def test_a_send_whose_celery_worker_died_is_retried_and_texts_each_recipient_once(
    worker_death: WorkerDeath,
) -> None:
    run = worker_death.killed
    assert worker_death.worker_exit == -signal.SIGKILL  # the worker's main process, too
    assert run.problems() == []
    assert run.try_number == 2
    assert run.heartbeat_timeouts == [1]  # nobody reported try 1: the scheduler found it
    assert len(run.bulks) == 3


def test_a_send_beside_it_on_the_dead_worker_texts_each_recipient_once(
    worker_death: WorkerDeath,
) -> None:
    run = worker_death.beside
    assert run.problems() == []
    assert run.heartbeat_timeouts == list(range(1, run.try_number))
