"""airflow-init's script, replayed with bash as Compose would run it (``/bin/bash -c``).

``/entrypoint`` (the image's, which migrates the database and creates the admin user before it
runs its arguments) and ``airflow`` are stand-ins that record each call and fail on the step a
test chooses; ``/opt/airflow`` is a temporary folder. The other services start only after init
exits 0 (``service_completed_successfully``), so a failing step must end the script non-zero
before anything after it runs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from compose_support import generated_env, load_compose

STUB_AIRFLOW = """#!/bin/sh
echo "airflow $*" >> "$CALLS"
[ "airflow $*" = "$FAIL_STEP" ] && { echo "step failed: $*" >&2; exit 3; }
exit 0
"""
STUB_CHOWN = """#!/bin/sh
echo "chown $*" >> "$CALLS"
"""
STUB_ENTRY = """#!/bin/sh
exec "$@"
"""


@pytest.fixture(scope="module")
def init_service(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    compose = load_compose(generated_env(tmp_path_factory.mktemp("env")))
    service: dict[str, Any] = compose["services"]["airflow-init"]
    return service


def airflow_steps(script: str) -> list[str]:
    return [
        line.strip().removeprefix("/entrypoint ").split(" >")[0]
        for line in script.splitlines()
        if line.strip().startswith("/entrypoint airflow")
    ]


def replay(service: dict[str, Any], tmp_path: Path, fail_step: str = "") -> tuple[int, list[str]]:
    assert service["entrypoint"] == "/bin/bash"
    flag, script = service["command"]
    assert flag == "-c"
    stubs, root = tmp_path / "bin", tmp_path / "opt-airflow"
    stubs.mkdir()
    for name, body in {
        "airflow": STUB_AIRFLOW,
        "chown": STUB_CHOWN,
        "entrypoint": STUB_ENTRY,
    }.items():
        (stubs / name).write_text(body)
        (stubs / name).chmod(0o755)
    script = script.replace("/entrypoint ", f"{stubs}/entrypoint ")
    script = script.replace("/opt/airflow", str(root))
    calls = tmp_path / "calls"
    calls.touch()
    result = subprocess.run(
        ["/bin/bash", flag, script],
        env={"PATH": f"{stubs}:{os.environ['PATH']}", "CALLS": str(calls), "FAIL_STEP": fail_step},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.returncode, calls.read_text().splitlines()


def test_init_runs_every_step_in_order_when_all_succeed(
    init_service: dict[str, Any], tmp_path: Path
) -> None:
    status, calls = replay(init_service, tmp_path)
    assert status == 0
    steps = airflow_steps(init_service["command"][1])
    assert steps == STEPS
    assert calls[: len(steps)] == steps
    assert calls[-1].startswith("chown -R")
    for folder in ("logs", "plugins", "config"):
        assert (tmp_path / "opt-airflow" / folder).is_dir()


STEPS = ["airflow version", "airflow config list", "airflow providers get airflow-provider-ippanel"]


@pytest.mark.parametrize("step", STEPS)
def test_a_failing_step_stops_init_with_a_failure(
    init_service: dict[str, Any], tmp_path: Path, step: str
) -> None:
    """``airflow version`` stands for the migration (the entrypoint runs it first)."""
    status, calls = replay(init_service, tmp_path, fail_step=step)
    assert status != 0
    assert calls[-1] == step, "a step after the failing one ran"
    assert not any(call.startswith("chown") for call in calls)
