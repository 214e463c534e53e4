"""A real Airflow 3 deployment on this machine, one process per component, for end-to-end runs.

``AirflowCluster`` runs ``airflow api-server``, ``scheduler``, ``dag-processor`` and
``triggerer`` (plus ``celery worker`` on the CeleryExecutor) as separate processes, each in its
own process group, against a PostgreSQL metadata database (and a Redis broker for Celery) from
``backing_services``. Any component can be killed with any signal and started again; everything
is stopped on exit, also after a failure. Runs are started and read through the REST API
(``cluster.api``, see ``airflow_rest``), exactly as a user's scripts and the UI do.

Each component reports its own host name (``[core] hostname_callable`` = ``component_hostname``
below), as it would on its own machine, so a task instance's ``hostname`` says which component
ran it. Byte code is cached under ``pycache_dir`` so later starts skip compiling Airflow.
``python`` picks the Airflow installation (default: this interpreter's; e.g. a venv of
``airflow_matrix`` for Airflow 3.0.0); each needs a database it migrated itself.

    postgres = PostgresServer(logs).start()
    database = postgres.create_database("airflow")
    migrate(database, home / "migrate")
    with AirflowCluster(home, database, env={"AIRFLOW_CONN_IPPANEL_DEFAULT": ...}) as cluster:
        cluster.start(dag_ids=["ippanel_otp_pattern"])
        cluster.api.set_paused("ippanel_otp_pattern", False)
        run = cluster.api.trigger("ippanel_otp_pattern")
        cluster.kill("triggerer")            # SIGKILL to its whole process group
        cluster.restart("triggerer")
    postgres.stop()
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType

from airflow_rest import AirflowApi
from managed_process import ManagedProcess, free_port, stop_all, wait_until

REPO_ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = REPO_ROOT / "dags_examples"
SCRIPTS = Path(__file__).resolve().parent
CORE_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
CELERY_WORKER = "celery-worker"
HOSTNAME_VARIABLE = "AIRFLOW_CLUSTER_HOSTNAME"
STARTUP_TIMEOUT = 180.0


def component_hostname() -> str:
    """``[core] hostname_callable`` of every component: the name the cluster gave it."""
    return os.environ.get(HOSTNAME_VARIABLE) or socket.getfqdn()


def airflow_env(
    home: Path,
    database_url: str,
    *,
    executor: str = "LocalExecutor",
    dags_folder: Path = DAGS_FOLDER,
    pycache_dir: Path | None = None,
) -> dict[str, str]:
    """The environment every Airflow command of one deployment shares (minus secrets)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW") and k not in {"PYTHONDONTWRITEBYTECODE", "PYTHONPATH"}
    }
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database_url,
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": f"{__name__}.component_hostname",
            "PYTHONPATH": str(SCRIPTS),
            "PYTHONPYCACHEPREFIX": str(pycache_dir or home / "pycache"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def migrate(
    database_url: str, home: Path, pycache_dir: Path | None = None, python: str = sys.executable
) -> None:
    """``airflow db migrate`` by the Airflow of ``python`` on ``database_url`` (e.g. once, into a
    template database)."""
    home.mkdir(parents=True, exist_ok=True)
    env = airflow_env(home, database_url, pycache_dir=pycache_dir)
    result = subprocess.run(
        [python, "-m", "airflow", "db", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stdout}\n{result.stderr}")


class AirflowCluster:
    """The components of one Airflow deployment, started, watched and stopped together."""

    def __init__(
        self,
        home: Path,
        database_url: str,
        *,
        executor: str = "LocalExecutor",
        broker_url: str | None = None,
        dags_folder: Path = DAGS_FOLDER,
        env: Mapping[str, str] | None = None,
        pycache_dir: Path | None = None,
        parallelism: int = 8,
        python: str = sys.executable,
    ) -> None:
        if executor == "CeleryExecutor" and not broker_url:
            raise ValueError("the CeleryExecutor needs a broker_url (e.g. RedisServer.url)")
        self.home = home
        self.executor = executor
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.username, self.password = "admin", secrets.token_urlsafe(16)
        home.mkdir(parents=True, exist_ok=True)
        passwords = home / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({self.username: self.password}), encoding="utf-8")
        self.env = airflow_env(
            home, database_url, executor=executor, dags_folder=dags_folder, pycache_dir=pycache_dir
        )
        self.env.update(
            {
                # secrets every component must share: task tokens, connections, sessions
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
                "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.username}:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
                "AIRFLOW__API__BASE_URL": self.base_url,
                # Airflow 3.0's xcomEntries answers 400 to ?deserialize=true without it (3.1+: on)
                "AIRFLOW__API__ENABLE_XCOM_DESERIALIZE_SUPPORT": "True",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
                # lean test pacing: parse once, heartbeat often, notice a dead triggerer in 5 s
                "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "600",
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
                "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
                "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            }
        )
        if broker_url:
            self.env["AIRFLOW__CELERY__BROKER_URL"] = broker_url
            self.env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + database_url.replace(
                "+psycopg2", ""
            )
        self.env.update(env or {})
        self.api = AirflowApi(self.base_url, self.username, self.password)
        airflow = [python, "-m", "airflow"]
        commands = {
            "api-server": [
                *airflow, "api-server", "--host", "127.0.0.1", "--port", str(self.port),
                "--workers", "1",
            ],
            "scheduler": [*airflow, "scheduler", "--skip-serve-logs"],
            "dag-processor": [*airflow, "dag-processor"],
            "triggerer": [*airflow, "triggerer", "--skip-serve-logs"],
        }  # fmt: skip
        if executor == "CeleryExecutor":
            commands[CELERY_WORKER] = [
                *airflow, "celery", "worker", "--skip-serve-logs", "--without-gossip",
                "--without-mingle", "--concurrency", str(parallelism),
                "--celery-hostname", f"{CELERY_WORKER}@%h",
            ]  # fmt: skip
        self.components = {
            name: ManagedProcess(
                name,
                argv,
                env={**self.env, HOSTNAME_VARIABLE: f"{name}.cluster"},
                log_path=home / "components" / f"{name}.log",
                cwd=home,
            )
            for name, argv in commands.items()
        }

    def hostname(self, component: str) -> str:
        """The host name ``component`` reports (task instances, jobs)."""
        return self.components[component].env[HOSTNAME_VARIABLE]

    def start(
        self, dag_ids: Iterable[str] = (), timeout: float = STARTUP_TIMEOUT
    ) -> AirflowCluster:
        """Start every component at once and wait until each is healthy and ``dag_ids`` parsed."""
        for process in self.components.values():
            process.start()
        self.wait_healthy(timeout=timeout, dag_ids=dag_ids)
        return self

    def wait_healthy(self, *, timeout: float, dag_ids: Iterable[str] = ()) -> None:
        wanted = set(dag_ids)

        def healthy() -> bool:
            self.check_running()
            health = self.api.health()
            statuses = {
                part: health.get(part, {}).get("status")
                for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
            }
            if set(statuses.values()) != {"healthy"}:
                return False
            if errors := self.api.import_errors():
                raise RuntimeError(f"DAG import errors: {errors}")
            if CELERY_WORKER in self.components and not self.worker_ready():
                return False
            return wanted <= self.api.dag_ids()

        wait_until(
            healthy, timeout=timeout, interval=0.5, what="every Airflow component to be healthy",
            details=self.log_tails,
        )  # fmt: skip

    def worker_ready(self) -> bool:
        return " ready." in self.components[CELERY_WORKER].log_text()

    def check_running(self) -> None:
        """Fail fast, with its log, if a component exited on its own."""
        for process in self.components.values():
            if process.process is not None and not process.running():
                raise RuntimeError(
                    f"{process.name} exited with {process.process.returncode}\n"
                    + process.log_tail(60)
                )

    def kill(self, component: str, sig: int = signal.SIGKILL) -> int | None:
        """Signal ``component``'s whole process group (default SIGKILL) and wait for its exit."""
        return self.components[component].kill(sig)

    def restart(self, component: str) -> ManagedProcess:
        """Start ``component`` again (stopping it first if it still runs)."""
        return self.components[component].restart()

    def stop(self) -> None:
        stop_all(list(self.components.values()))

    def log_tails(self, lines: int = 30) -> str:
        return "\n".join(p.log_tail(lines) for p in self.components.values())

    def __enter__(self) -> AirflowCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
