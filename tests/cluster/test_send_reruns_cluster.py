"""Send tasks whose process is SIGKILLed at seeded points (before a request, while the sandbox
holds it, right after it was accepted, after the XCom push) in a real Airflow deployment
(api-server, scheduler, dag-processor, triggerer, LocalExecutor, PostgreSQL): the scheduler
retries them, and no recipient is texted twice. Other runs lose the whole worker (the task
and its supervisor) right after IPPanel accepted a request or while the sandbox holds one:
nobody reports those tries, the scheduler fails them for their missing heartbeat and retries,
and still no recipient is texted twice. Then a person clears a successful send task.

Besides the hand-picked plans, runs whose kill points a seeded generator draws, until at least
50 kills fired (``SEEDED_KILLS``; about a minute). ``make bench`` times the same on a deployment
of its own (benchmarks/bench_send_kills.py, BENCHMARKS.md section 8).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from airflow_matrix import LOCKED
from backing_services import PostgresServer
from send_kills import (
    Laps,
    RunOutcome,
    clear_task,
    collect,
    e164,
    kill_deployment,
    run_seeded_kills,
    start_runs,
)
from template_databases import TemplateDatabases

pytestmark = [pytest.mark.airflow, pytest.mark.timeout(900)]

PLANS = [
    {"1": "held:2", "2": "after_accepted:1"},  # try 2 adopts requests 1-2, dies after sending 3
    {"1": "before_request:3", "2": "after_xcom"},
    {"1": "after_accepted:2"},
    {"1": "after_xcom"},
]
"""Kill points per try; each is reached (a rerun sends only the requests it did not adopt, so
"after_accepted:1" on try 2 is its first request actually sent). benchmarks/send_kills.py
draws them from a seeded generator instead."""
WORKER_DEATHS = [
    {"1": "after_accepted:2"},
    {"1": "held:3"},
    {"1": "after_accepted:1", "2": "after_accepted:1"},  # try 2 adopts 1, dies after sending 2
]
"""Kill points of runs whose task dies with its supervisor (``dies="supervisor"``): each costs a
heartbeat timeout (``HEARTBEAT_TIMEOUT``), so there are few, and they run beside the others."""
SEED, SEEDED_KILLS = 2026, 50
"""The seeded runs: ``kill_plans(SEED, ...)``, batch by batch until this many kills fired."""
RECONCILE, RESEND = "ippanel_killed_send_reconcile", "ippanel_killed_send_resend"
WAIT = 300.0
SANDBOX_ADMIN_TOKEN = "kills-admin-token"


@dataclass
class KillRuns:
    killed: list[RunOutcome]
    seeded: list[RunOutcome]
    worker_deaths: list[RunOutcome]
    cleared: dict[str, RunOutcome]
    """Per policy, a run that succeeded at once and was then cleared."""
    before_clear: dict[str, RunOutcome]
    timings: dict[str, float]


@pytest.fixture(scope="module")
def kill_runs(
    postgres: PostgresServer, templates: TemplateDatabases, cluster_dir: Path
) -> Iterator[KillRuns]:
    database = postgres.create_database("kills", template=templates.name(LOCKED))
    lap = Laps()
    with kill_deployment(
        cluster_dir / "kills", database, admin_token=SANDBOX_ADMIN_TOKEN,
        pycache_dir=cluster_dir / "pyc",
    ) as (cluster, sandbox):  # fmt: skip
        api = cluster.api
        try:
            cluster.start(dag_ids=(RECONCILE, RESEND))
            lap("start components")
            for dag_id in (RECONCILE, RESEND):
                api.set_paused(dag_id, False)
            deaths = start_runs(api, RECONCILE, WORKER_DEATHS, block=4, dies="supervisor")
            killed = start_runs(api, RECONCILE, PLANS, block=1)
            clean = {
                RECONCILE: start_runs(api, RECONCILE, [{}], block=2)[0],
                RESEND: start_runs(api, RESEND, [{}], block=3)[0],
            }
            # one batch of 40 holds 65 planned kills for this seed; another starts if fewer fire
            seeded = run_seeded_kills(
                api, sandbox, RECONCILE, seed=SEED, kills=SEEDED_KILLS, first_block=10,
                batch=40, timeout=WAIT,
            )  # fmt: skip
            lap("seeded kills")
            everything = [*deaths, *killed, *clean.values()]
            api.wait_for_runs([(r.dag_id, r.run_id) for r in everything], timeout=WAIT)
            collect(api, sandbox, everything)
            lap("killed runs")
            before = {
                policy: RunOutcome(**vars(run)) for policy, run in clean.items()
            }  # a copy: collect() fills the same objects again
            for run in clean.values():
                clear_task(api, run)
            time.sleep(1)  # the run leaves "success" for "queued" as the clear lands
            api.wait_for_runs([(r.dag_id, r.run_id) for r in clean.values()], timeout=WAIT)
            collect(api, sandbox, list(clean.values()))
            lap("clear and rerun")
            cluster.check_running()  # the scheduler and every other component lived through it
        except BaseException as exc:
            exc.add_note(cluster.log_tails(60))
            raise
        print(f"\n[cluster] send kills: {lap.timings}")
        yield KillRuns(killed, seeded, deaths, clean, before, lap.timings)


def test_a_killed_send_task_is_retried_and_texts_each_recipient_once(kill_runs: KillRuns) -> None:
    for run in kill_runs.killed:
        assert run.problems() == [], (run.plan, run.run_id)
        assert run.try_number == len(run.plan) + 1, run.plan  # every kill cost a try
        assert len(run.bulks) == 3


def test_fifty_seeded_kills_text_each_recipient_once_and_return_what_went_out(
    kill_runs: KillRuns,
) -> None:
    """The issue's proof: at least 50 SIGKILLs at points drawn by ``random.Random(SEED)``;
    afterwards one SMS per recipient in every run, and each run's XCom lists exactly the
    bulks that went out (``RunOutcome.problems``)."""
    fired = [point for run in kill_runs.seeded for point in run.kills]
    assert len(fired) >= SEEDED_KILLS
    assert {p.split(":")[0] for p in fired} == {
        "before_request", "held", "after_accepted", "after_xcom"}  # fmt: skip
    wrong = {run.run_id: (run.plan, run.problems()) for run in kill_runs.seeded if run.problems()}
    assert not wrong
    assert all(len(run.bulks) == 3 for run in kill_runs.seeded)


def test_a_send_whose_whole_worker_died_is_retried_and_texts_each_recipient_once(
    kill_runs: KillRuns,
) -> None:
    """No supervisor reported these tries: the scheduler failed each for its missing heartbeat
    (the audit log's "heartbeat timeout"), retried it, and the rerun adopted what IPPanel had
    accepted and sent only the rest."""
    for run in kill_runs.worker_deaths:
        assert run.problems() == [], (run.plan, run.run_id)
        assert run.try_number == len(run.plan) + 1, run.plan
        assert run.heartbeat_timeouts == [int(t) for t in run.plan], run.plan
        assert len(run.bulks) == 3


def test_kills_covered_every_point(kill_runs: KillRuns) -> None:
    points = {p.split(":")[0] for run in kill_runs.killed for p in run.kills}
    assert points == {"before_request", "held", "after_accepted", "after_xcom"}


def test_clearing_a_successful_send_sends_nothing_new_and_returns_the_same_ids(
    kill_runs: KillRuns,
) -> None:
    before, after = kill_runs.before_clear[RECONCILE], kill_runs.cleared[RECONCILE]
    assert before.problems() == []
    assert after.try_number == before.try_number + 1  # it did run again
    assert after.problems() == []
    assert after.xcom == before.xcom


def test_clearing_with_policy_resend_texts_everyone_again(kill_runs: KillRuns) -> None:
    before, after = kill_runs.before_clear[RESEND], kill_runs.cleared[RESEND]
    assert before.problems() == []
    assert after.try_number == before.try_number + 1
    assert after.received == {e164(n): 2 for n in after.numbers}
    assert after.xcom != before.xcom
