"""A real Airflow deployment per executor, shared by every test in this folder.

One PostgreSQL server for the session; Airflow's schema is migrated once into a template
database and copied for each executor. The CeleryExecutor adds Redis and a ``celery worker``.
Each executor's scenario (``cluster_scenario``) runs once, in the first test that asks for it;
its components are stopped when the last test of that executor is done, or at once on failure.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from airflow_cluster import AirflowCluster, migrate
from backing_services import PostgresServer, RedisServer, SandboxProcess
from cluster_scenario import BUTTON, DELIVERY_DELAY, SCHEDULE, Scenario, run_scenario

EXECUTORS = ("LocalExecutor", "CeleryExecutor")
TEMPLATE_DB = "airflow_template"
SANDBOX_ADMIN_TOKEN = "cluster-admin-token"


@pytest.fixture(scope="session")
def cluster_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cluster")


@pytest.fixture(scope="session")
def postgres(cluster_dir: Path) -> Iterator[PostgresServer]:
    server = PostgresServer(cluster_dir / "logs")
    try:
        server.start()
        started = time.monotonic()
        migrate(server.create_database(TEMPLATE_DB), cluster_dir / "migrate", cluster_dir / "pyc")
        print(f"\n[cluster] airflow db migrate: {time.monotonic() - started:.1f} s")
        yield server
    finally:
        server.stop()


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


@pytest.fixture(scope="session", params=EXECUTORS)
def scenario(
    request: pytest.FixtureRequest, postgres: PostgresServer, cluster_dir: Path
) -> Iterator[Scenario]:
    executor: str = request.param
    home = cluster_dir / executor
    report_dirs = {BUTTON: home / "reports-button", SCHEDULE: home / "reports-scheduled"}
    broker = request.getfixturevalue("redis").url if executor == "CeleryExecutor" else None
    sandbox = SandboxProcess(
        home / "logs",
        *("--delivery-delay", str(DELIVERY_DELAY), "--seed", "11", "--history", "300"),
        admin_token=SANDBOX_ADMIN_TOKEN,
    )
    database = postgres.create_database(executor.lower(), template=TEMPLATE_DB)
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
            env={
                "AIRFLOW_CONN_IPPANEL_DEFAULT": connection(sandbox.url),
                "IPPANEL_POKE_INTERVAL": "1",
                "IPPANEL_REPORT_DIR": str(report_dirs[SCHEDULE]),
            },
        )
        result = Scenario(executor, cluster, sandbox, report_dirs)
        try:
            run_scenario(result)
        except BaseException as exc:
            exc.add_note(cluster.log_tails(40))
            raise
        print(f"\n[cluster] {executor}: {result.timings}, {time.monotonic() - started:.1f} s")
        yield result
    finally:
        try:
            if cluster is not None:
                cluster.stop()
        finally:
            sandbox.stop()
