"""Run example DAGs with ``airflow dags test`` against an IPPanel sandbox.

Used by the end-to-end tests and by ``make demo``. No pytest import here.

The Airflow metadata database is migrated once into a template SQLite file (about 7 s); each run
gets its own copy of it, so runs are independent and may go in parallel. Byte code is cached
under the Airflow home (``PYTHONPYCACHEPREFIX``), so later runs skip recompiling Airflow.
``airflow dags test`` runs deferrable tasks' triggers in-process, so no triggerer is needed.

Command line (the sandbox must already be running)::

    uv run python scripts/airflow_env.py ippanel_daily_kpi_alert --sandbox-url http://127.0.0.1:8080/v1
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DAGS_FOLDER = REPO_ROOT / "dags_examples"
SANDBOX_API_KEY = "sandbox-api-key"
SANDBOX_SENDER = "+983000505"
_TEMPLATE_DB = "template.db"


@dataclass(frozen=True)
class DagRunResult:
    """What one ``airflow dags test`` run did."""

    dag_id: str
    returncode: int
    state: str | None
    task_states: dict[str, str | None] = field(default_factory=dict)
    xcoms: dict[str, Any] = field(default_factory=dict)
    """Each task's ``return_value`` XCom (mapped tasks as ``task_id[i]``)."""
    rendered: dict[str, Any] = field(default_factory=dict)
    """Each task's rendered template fields as Airflow stored them (after masking)."""
    all_xcoms: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every XCom of the run, by task then key."""
    output: str = ""
    duration: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0 and self.state == "success"


def ippanel_connection_json(
    sandbox_url: str, *, api_key: str = SANDBOX_API_KEY, sender: str = SANDBOX_SENDER
) -> str:
    """The ``AIRFLOW_CONN_IPPANEL_DEFAULT`` value pointing Airflow at a sandbox."""
    return json.dumps(
        {
            "conn_type": "ippanel",
            "host": sandbox_url,
            "password": api_key,
            "extra": {"sender": sender, "read_timeout": 10},
        }
    )


def base_env(airflow_home: Path, database: Path, dags_folder: Path = DAGS_FOLDER) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AIRFLOW") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        {
            # Byte-code cache outside the venv: each Airflow process imports ~2,000 modules,
            # and compiling them again costs ~4 s per run. `db migrate` warms it.
            "PYTHONPYCACHEPREFIX": str(airflow_home / "pycache"),
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{database}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "60",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _airflow(
    args: list[str], env: Mapping[str, str], timeout: float, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python, "-m", "airflow", *args],
        env=dict(env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@functools.cache
def airflow_version(python: str = sys.executable) -> tuple[int, ...]:
    """The version of the Airflow installed for ``python``, e.g. ``(3, 0, 0)``."""
    code = "from importlib.metadata import version; print(version('apache-airflow-core'))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return tuple(int(part) for part in out.strip().split(".")[:3])


def prepare_airflow_home(
    airflow_home: Path | None = None,
    python: str = sys.executable,
    dags_folders: Sequence[Path] = (DAGS_FOLDER,),
) -> Path:
    """Create ``airflow_home`` with a migrated template database (once; reused if present).

    ``python`` is the interpreter of the Airflow installation to use (default: this one).
    Airflow 3.0's ``dags test`` looks the DAG up in the database first, so there the template
    also holds ``dags_folders`` serialized, as a dag-processor would have left them.
    """
    home = airflow_home or Path(tempfile.mkdtemp(prefix="ippanel-airflow-"))
    home.mkdir(parents=True, exist_ok=True)
    template = home / _TEMPLATE_DB
    if not template.exists():
        partial = home / f"{_TEMPLATE_DB}.partial"
        partial.unlink(missing_ok=True)
        result = _airflow(["db", "migrate"], base_env(home, partial), 300, python)
        if result.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{result.stdout}\n{result.stderr}")
        if airflow_version(python) < (3, 1):
            for folder in dags_folders:
                env = base_env(home, partial, folder)
                result = _airflow(["dags", "reserialize"], env, 300, python)
                if result.returncode != 0:
                    raise RuntimeError(f"dags reserialize failed:\n{result.stdout}{result.stderr}")
        partial.rename(template)
    return home


def _text(stream: bytes | str | None) -> str:
    """A timed-out run's partial output: bytes even with ``text=True`` (CPython quirk)."""
    if isinstance(stream, bytes):
        return stream.decode("utf-8", "replace")
    return stream or ""


def _task_key(task_id: str, map_index: int) -> str:
    return task_id if map_index < 0 else f"{task_id}[{map_index}]"


def _json_column(value: Any, encoded_twice: bool) -> Any:
    if isinstance(value, str | bytes):
        value = json.loads(value)
        if encoded_twice and isinstance(value, str):
            value = json.loads(value)
    return value


RunRecord = tuple[str | None, dict[str, str | None], dict[str, dict[str, Any]], dict[str, Any]]


def _read_run(database: Path, dag_id: str, xcom_encoded_twice: bool = False) -> RunRecord:
    """The latest run's state, task states, XComs (task -> key -> value) and rendered fields,
    read from the run's database. Airflow 3.0 stores an XCom value as a JSON string of its JSON.
    """
    if not database.exists():
        return None, {}, {}, {}
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1",
            (dag_id,),
        ).fetchone()
        if row is None:
            return None, {}, {}, {}
        run_id, state = row
        tasks = {
            _task_key(task_id, map_index): task_state
            for task_id, map_index, task_state in db.execute(
                "SELECT task_id, map_index, state FROM task_instance "
                "WHERE dag_id = ? AND run_id = ?",
                (dag_id, run_id),
            )
        }
        xcoms: dict[str, dict[str, Any]] = {}
        for task_id, map_index, key, value in db.execute(
            "SELECT task_id, map_index, key, value FROM xcom WHERE dag_id = ? AND run_id = ?",
            (dag_id, run_id),
        ):
            task = xcoms.setdefault(_task_key(task_id, map_index), {})
            task[key] = _json_column(value, xcom_encoded_twice)
        rendered = {
            _task_key(task_id, map_index): _json_column(value, False)
            for task_id, map_index, value in db.execute(
                "SELECT task_id, map_index, rendered_fields FROM rendered_task_instance_fields "
                "WHERE dag_id = ? AND run_id = ?",
                (dag_id, run_id),
            )
        }
    return state, tasks, xcoms, rendered


def run_dag_test(
    dag_id: str,
    sandbox_url: str,
    env: Mapping[str, str] | None = None,
    *,
    airflow_home: Path | None = None,
    dags_folder: Path = DAGS_FOLDER,
    conf: Mapping[str, object] | None = None,
    timeout: float = 240,
    python: str = sys.executable,
) -> DagRunResult:
    """Run ``airflow dags test dag_id`` with the ``ippanel_default`` connection on the sandbox.

    ``env`` adds or overrides environment variables (e.g. another ``AIRFLOW_CONN_*``).
    """
    home = prepare_airflow_home(airflow_home, python, (dags_folder,))
    database = home / f"run-{dag_id}-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(home / _TEMPLATE_DB, database)
    run_env = base_env(home, database, dags_folder)
    run_env["AIRFLOW_CONN_IPPANEL_DEFAULT"] = ippanel_connection_json(sandbox_url)
    run_env.update(env or {})
    args = ["dags", "test", dag_id]
    if conf:
        args += ["--conf", json.dumps(conf)]
    started = time.monotonic()
    try:
        result = _airflow(args, run_env, timeout, python)
        returncode, output = result.returncode, result.stdout + result.stderr
    except subprocess.TimeoutExpired as exc:
        returncode = -1
        output = f"timed out after {timeout} s\n{_text(exc.stdout)}{_text(exc.stderr)}"
    duration = time.monotonic() - started
    encoded_twice = airflow_version(python) < (3, 1)
    state, tasks, all_xcoms, rendered = _read_run(database, dag_id, encoded_twice)
    database.unlink(missing_ok=True)
    returned = {
        task: xcoms["return_value"] for task, xcoms in all_xcoms.items() if "return_value" in xcoms
    }
    return DagRunResult(
        dag_id, returncode, state, tasks, returned, rendered, all_xcoms, output, duration
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_ids", nargs="+")
    parser.add_argument("--sandbox-url", required=True, help="e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--airflow-home", type=Path, default=None)
    parser.add_argument("--python", default=sys.executable, help="the Airflow install's python")
    parser.add_argument("--verbose", action="store_true", help="print Airflow's full output")
    args = parser.parse_args(argv)
    home = prepare_airflow_home(args.airflow_home, args.python)
    failed = 0
    for dag_id in args.dag_ids:
        result = run_dag_test(dag_id, args.sandbox_url, airflow_home=home, python=args.python)
        if args.verbose:
            print(result.output)
        elif not result.succeeded:
            print("\n".join(result.output.splitlines()[-30:]))
        print(f"{dag_id}: {result.state} in {result.duration:.1f} s")
        for task, state in sorted(result.task_states.items()):
            print(f"  {task}: {state}")
        failed += not result.succeeded
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
