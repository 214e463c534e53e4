"""Airflow 3's public REST API (``/api/v2``), as the UI and API clients use it.

Logs in like a user (``POST /auth/token`` with a username and password, then a JWT bearer
token), triggers runs with the body the UI's Trigger form sends, and reads runs, task instances,
XComs, jobs and health back. No pytest import here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests
from managed_process import wait_until

FINISHED = frozenset({"success", "failed"})


class AirflowApiError(RuntimeError):
    pass


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.session = requests.Session()
        self._token: str | None = None

    def token(self) -> str:
        """A JWT for the user, as ``POST /auth/token`` hands it to API clients."""
        response = self.session.post(
            f"{self.base_url}/auth/token",
            json={"username": self.username, "password": self.password},
            timeout=30,
        )
        if response.status_code != 201:
            raise AirflowApiError(f"login failed: HTTP {response.status_code} {response.text}")
        token: str = response.json()["access_token"]
        self._token = token
        return token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/api/v2/<path>``; log in again once on 401 (tokens expire)."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._token or self.token()}"}
            response = self.session.request(
                method, f"{self.base_url}/api/v2/{path.lstrip('/')}", headers=headers,
                timeout=30, **kwargs,
            )  # fmt: skip
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            if response.status_code >= 400:
                raise AirflowApiError(
                    f"{method} {path}: HTTP {response.status_code} {response.text[:2000]}"
                )
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    def health(self) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}/api/v2/monitor/health", timeout=10)
        response.raise_for_status()
        health: dict[str, Any] = response.json()
        return health

    def alive_jobs(self, job_type: str) -> list[dict[str, Any]]:
        """Jobs of ``job_type`` (``TriggererJob``, ``SchedulerJob``, ...) with a live heartbeat."""
        found = self.request("GET", "jobs", params={"job_type": job_type, "is_alive": "true"})
        return list(found["jobs"])

    def dag_ids(self) -> set[str]:
        return {d["dag_id"] for d in self.request("GET", "dags", params={"limit": 100})["dags"]}

    def import_errors(self) -> list[dict[str, Any]]:
        return list(self.request("GET", "importErrors")["import_errors"])

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.request("PATCH", f"dags/{quote(dag_id)}", json={"is_paused": paused})

    def param_defaults(self, dag_id: str) -> dict[str, Any]:
        """The DAG's params with their default values: what the Trigger form sends as conf."""
        params = self.request("GET", f"dags/{quote(dag_id)}/details")["params"] or {}
        return {name: spec.get("value") for name, spec in params.items()}

    def trigger(
        self,
        dag_id: str,
        conf: Mapping[str, Any] | None = None,
        *,
        logical_date: datetime | None = None,
        like_ui_form: bool = True,
    ) -> dict[str, Any]:
        """Start a run as the UI's Trigger form does: ``POST .../dagRuns`` with the params' values
        (overridden by ``conf``) and ``logical_date`` null unless one is given."""
        body_conf = {**(self.param_defaults(dag_id) if like_ui_form else {}), **(conf or {})}
        body = {
            "conf": body_conf,
            "data_interval_end": None,
            "data_interval_start": None,
            "logical_date": logical_date.isoformat() if logical_date else None,
        }
        run: dict[str, Any] = self.request("POST", f"dags/{quote(dag_id)}/dagRuns", json=body)
        return run

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        found = self.request("GET", f"dags/{quote(dag_id)}/dagRuns", params={"limit": 100})
        return list(found["dag_runs"])

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        run: dict[str, Any] = self.request("GET", f"dags/{quote(dag_id)}/dagRuns/{quote(run_id)}")
        return run

    def task_instances(self, dag_id: str, run_id: str) -> dict[str, dict[str, Any]]:
        """Task instances by ``task_id`` (mapped ones as ``task_id[i]``)."""
        found = self.request(
            "GET",
            f"dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances",
            params={"limit": 200},
        )
        return {task_key(ti["task_id"], ti["map_index"]): ti for ti in found["task_instances"]}

    def xcom(
        self, dag_id: str, run_id: str, task_id: str, map_index: int = -1, key: str = "return_value"
    ) -> Any:
        entry = self.request(
            "GET",
            f"dags/{quote(dag_id)}/dagRuns/{quote(run_id)}/taskInstances/{quote(task_id)}"
            f"/xcomEntries/{quote(key)}",
            params={"map_index": map_index, "deserialize": "true"},
        )
        return entry["value"]

    def event_logs(self, dag_id: str, run_id: str, event: str) -> list[dict[str, Any]]:
        """The audit log's ``event`` entries for one run (e.g. "heartbeat timeout")."""
        params = {"dag_id": dag_id, "run_id": run_id, "event": event, "limit": 100}
        found = self.request("GET", "eventLogs", params=params)
        return list(found["event_logs"])

    def return_values(self, dag_id: str, run_id: str) -> dict[str, Any]:
        """Every successful task's ``return_value`` XCom, keyed like ``task_instances``."""
        values = {}
        for key, ti in self.task_instances(dag_id, run_id).items():
            if ti["state"] == "success":
                try:
                    values[key] = self.xcom(dag_id, run_id, ti["task_id"], ti["map_index"])
                except AirflowApiError as exc:
                    if "HTTP 404" not in str(exc):
                        raise
        return values

    def wait_for_runs(
        self, runs: Iterable[tuple[str, str]], *, timeout: float, states: frozenset[str] = FINISHED
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Poll until every ``(dag_id, run_id)`` is in one of ``states``; returns the runs."""
        pending = list(runs)
        done: dict[tuple[str, str], dict[str, Any]] = {}

        def all_done() -> bool:
            for key in list(pending):
                run = self.dag_run(*key)
                if run["state"] in states:
                    done[key] = run
                    pending.remove(key)
            return not pending

        wait_until(
            all_done, timeout=timeout, interval=0.5, what=f"runs to finish: {pending}",
            details=lambda: "\n".join(self.describe_run(*key) for key in pending),
        )  # fmt: skip
        return done

    def wait_for_task_states(
        self, dag_id: str, run_id: str, wanted: Mapping[str, str], *, timeout: float
    ) -> dict[str, dict[str, Any]]:
        """Poll until each task in ``wanted`` has its state; returns all task instances."""

        def reached() -> dict[str, dict[str, Any]] | None:
            tis = self.task_instances(dag_id, run_id)
            if all(tis.get(key, {}).get("state") == state for key, state in wanted.items()):
                return tis
            if self.dag_run(dag_id, run_id)["state"] in FINISHED:
                raise AirflowApiError(f"run ended first: {self.describe_run(dag_id, run_id)}")
            return None

        return wait_until(
            reached, timeout=timeout, interval=0.5, what=f"{dag_id}/{run_id} to reach {wanted}",
            details=lambda: self.describe_run(dag_id, run_id),
        )  # fmt: skip

    def describe_run(self, dag_id: str, run_id: str) -> str:
        try:
            run = self.dag_run(dag_id, run_id)
            tis = self.task_instances(dag_id, run_id)
        except Exception as exc:
            return f"{dag_id}/{run_id}: unreadable ({exc})"
        states = ", ".join(f"{key}={ti['state']}" for key, ti in sorted(tis.items()))
        return f"{dag_id}/{run_id}: {run['state']} [{states}]"


def task_key(task_id: str, map_index: int) -> str:
    return task_id if map_index < 0 else f"{task_id}[{map_index}]"
