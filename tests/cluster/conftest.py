"""A real Airflow deployment per Airflow version and executor, shared by every test here.

One PostgreSQL server for the session; each Airflow version migrates its schema once into its
own template database, copied for each of its deployments. The locked Airflow (uv.lock) runs
with the LocalExecutor and the CeleryExecutor (Redis and a ``celery worker``); the versions of
``scripts/airflow_matrix.py`` (3.0.0, 3.1.0) run with the LocalExecutor, from their venvs, when
``IPPANEL_CLUSTER_AIRFLOW`` names them (``make cluster-matrix``; 100 to 120 s each here).
Each deployment's scenario (``cluster_scenario``) runs once, in the first test that asks for it;
its components are stopped when the last test of that deployment is done, or at once on failure.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import airflow_matrix
import pytest
from airflow_cluster import AirflowCluster
from backing_services import PostgresServer, RedisServer, SandboxProcess
from cluster_scenario import BUTTON, DELIVERY_DELAY, SCHEDULE, Scenario, run_scenario
from template_databases import TemplateDatabases, slug

LOCKED = airflow_matrix.LOCKED
AIRFLOW_VARIABLE = "IPPANEL_CLUSTER_AIRFLOW"
"""Airflow versions of the scenario, e.g. ``3.0.0,3.1.0``; default: the locked one."""


def deployments(selected: str) -> list[tuple[str, str]]:
    """(Airflow version, executor) of each deployment the scenario runs on: the locked Airflow
    with both executors, each other version (``airflow_matrix.VERSIONS``) with the LocalExecutor."""
    found = []
    for airflow in selected.replace(",", " ").split() or [LOCKED]:
        if airflow not in airflow_matrix.TESTED:
            known = ", ".join(airflow_matrix.TESTED)
            raise pytest.UsageError(f"{AIRFLOW_VARIABLE}: no Airflow {airflow!r} here ({known})")
        if airflow == LOCKED:
            found += [(LOCKED, "LocalExecutor"), (LOCKED, "CeleryExecutor")]
        else:
            found.append((airflow, "LocalExecutor"))
    return found


DEPLOYMENTS = deployments(os.environ.get(AIRFLOW_VARIABLE, ""))
SANDBOX_ADMIN_TOKEN = "cluster-admin-token"


ONE_DEPLOYMENT_MODULES = {"test_connection_form.py"}
"""Modules about the api-server alone: run on the locked Airflow's LocalExecutor deployment."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect (not skip) the other deployments' items of ONE_DEPLOYMENT_MODULES."""
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        deployment = callspec.params.get("scenario") if callspec else None
        if item.path.name in ONE_DEPLOYMENT_MODULES and deployment != (LOCKED, "LocalExecutor"):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="session")
def postgres(cluster_dir: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(cluster_dir / "logs")
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def templates(postgres: PostgresServer, cluster_dir: Path) -> TemplateDatabases:
    return TemplateDatabases(postgres, cluster_dir)


@pytest.fixture(scope="session")
def redis(cluster_dir: Path) -> Iterator[RedisServer]:
    server = RedisServer(cluster_dir / "logs")
    try:
        yield server.start()
    finally:
        server.stop()


def connection(sandbox_url: str) -> str:
    return json.dumps(
        {
            "conn_type": "ippanel",
            "host": sandbox_url,
            "password": "sandbox-api-key",
            "extra": {"sender": "+983000505", "timeout": 10},
        }
    )


@pytest.fixture(scope="session", params=DEPLOYMENTS, ids=lambda d: f"airflow-{d[0]}-{d[1]}")
def scenario(
    request: pytest.FixtureRequest,
    postgres: PostgresServer,
    templates: TemplateDatabases,
    cluster_dir: Path,
) -> Iterator[Scenario]:
    airflow, executor = request.param
    name = executor.lower() if airflow == LOCKED else f"{executor.lower()}_{slug(airflow)}"
    home = cluster_dir / name
    report_dirs = {BUTTON: home / "reports-button", SCHEDULE: home / "reports-scheduled"}
    broker = request.getfixturevalue("redis").url if executor == "CeleryExecutor" else None
    sandbox = SandboxProcess(
        home / "logs",
        *("--delivery-delay", str(DELIVERY_DELAY), "--seed", "11", "--history", "300"),
        admin_token=SANDBOX_ADMIN_TOKEN,
    )
    database = postgres.create_database(name, template=templates.name(airflow))
    cluster: AirflowCluster | None = None
    started = time.monotonic()
    try:
        sandbox.start()
        cluster = AirflowCluster(
            home,
            database,
            executor=executor,
            broker_url=broker,
            pycache_dir=cluster_dir / "pyc",
            python=airflow_matrix.interpreter(airflow),
            env={
                "AIRFLOW_CONN_IPPANEL_DEFAULT": connection(sandbox.url),
                "IPPANEL_POKE_INTERVAL": "1",
                # the UI's Test button and `airflow connections test` (test_connection_form.py)
                "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
                "IPPANEL_REPORT_DIR": str(report_dirs[SCHEDULE]),
            },
        )
        result = Scenario(airflow, executor, cluster, sandbox, report_dirs)
        try:
            run_scenario(result)
        except BaseException as exc:
            exc.add_note(cluster.log_tails(40))
            raise
        elapsed = time.monotonic() - started
        print(f"\n[cluster] Airflow {airflow} {executor}: {result.timings}, {elapsed:.1f} s")
        yield result
    finally:
        try:
            if cluster is not None:
                cluster.stop()
        finally:
            sandbox.stop()
