"""Airflow versions the provider is tested on besides the locked one, each in its own venv.

The lowest supported 3.0.x and 3.1.x are installed from pin files kept in the repo
(``scripts/airflow_pins/airflow-<version>.txt``), resolved with ``uv pip compile`` as of a few
days after that release, the way Airflow's own constraint file for it was made. Unbounded
resolution today would pull releases of fastapi, starlette, cadwyn or structlog that those
Airflow versions predate and break on (e.g. HTTP 422 from 3.0's task API).

Each venv gets the provider from this checkout as an editable install, so the tests run the
working tree's code, and ``wtforms``: 3.0/3.1 build the connection form from the hook's wtforms
fields (the official image has it through the FAB provider), and PostgreSQL's drivers
(``psycopg2-binary``, ``asyncpg``, as ``apache-airflow[postgres]`` brings them): the
real-components tests (tests/cluster) run these versions on PostgreSQL too. Used by
``make matrix`` and by the tests; no pytest import here.

    python scripts/airflow_matrix.py build          # create or refresh every venv (fast if current)
    python scripts/airflow_matrix.py compile 3.1.0  # re-resolve one pin file
    python scripts/airflow_matrix.py python 3.0.0   # print a venv's interpreter path
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
PINS_DIR = REPO_ROOT / "scripts" / "airflow_pins"
MATRIX_DIR = REPO_ROOT / ".matrix"
PROVIDER_DIR = REPO_ROOT / "provider"
UV = REPO_ROOT / ".tools" / "bin" / "uv"


@dataclass(frozen=True)
class AirflowVersion:
    version: str
    resolved_as_of: str
    """``uv pip compile --exclude-newer``: a few days after the release."""

    @property
    def pins(self) -> Path:
        return PINS_DIR / f"airflow-{self.version}.txt"

    @property
    def venv(self) -> Path:
        return MATRIX_DIR / f"airflow-{self.version}"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


VERSIONS = (
    AirflowVersion("3.0.0", "2025-04-24"),
    AirflowVersion("3.1.0", "2025-09-27"),
)
"""The lowest release of each supported minor line before the locked one (uv.lock)."""


LOCKED = version("apache-airflow-core")
"""The Airflow of this venv (uv.lock)."""
TESTED = (LOCKED, *(target.version for target in VERSIONS))


def interpreter(airflow: str) -> str:
    """The python of Airflow ``airflow``: this one for the locked version, else its matrix venv
    (built first if missing or stale)."""
    return sys.executable if airflow == LOCKED else str(build(by_version(airflow)))


def probe(airflow: str, code: str, airflow_home: Path) -> Any:
    """Run ``code`` under Airflow ``airflow`` with an empty ``airflow_home``; the JSON it prints
    last. Raises with the interpreter's stderr if it fails."""
    result = subprocess.run(
        [interpreter(airflow), "-c", code],
        env={"AIRFLOW_HOME": str(airflow_home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Airflow {airflow}: probe failed\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def by_version(version: str) -> AirflowVersion:
    for candidate in VERSIONS:
        if candidate.version == version:
            return candidate
    raise SystemExit(f"unknown Airflow version {version!r}; known: {[v.version for v in VERSIONS]}")


def _uv(*args: str | Path, stdin: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    command = [str(UV), *map(str, args)]
    subprocess.run(command, check=True, env=env, cwd=REPO_ROOT, input=stdin, text=True)


def compile_pins(target: AirflowVersion) -> None:
    """Resolve Airflow ``target`` plus the provider's dependencies into its pin file."""
    PINS_DIR.mkdir(parents=True, exist_ok=True)
    _uv(
        "pip", "compile", "--quiet", "--universal", "--python-version", "3.11",
        "--exclude-newer", target.resolved_as_of,
        "--custom-compile-command", f"python scripts/airflow_matrix.py compile {target.version}",
        "provider/pyproject.toml", "-", "-o", target.pins.relative_to(REPO_ROOT),
        stdin=f"apache-airflow=={target.version}\nwtforms\npsycopg2-binary\nasyncpg\n",
    )  # fmt: skip


def _stamp(target: AirflowVersion) -> str:
    digest = hashlib.sha256(target.pins.read_bytes())
    digest.update((PROVIDER_DIR / "pyproject.toml").read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def build(target: AirflowVersion) -> Path:
    """Create or refresh ``target``'s venv from its pin file; a no-op when it is current."""
    stamp_file = target.venv / "ippanel-matrix.stamp"
    stamp = _stamp(target)
    if target.python.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return target.python
    _uv("venv", "--quiet", "--allow-existing", "--python", sys.executable, target.venv)
    _uv("pip", "sync", "--quiet", "--python", target.python, target.pins)
    _uv("pip", "install", "--quiet", "--python", target.python, "--no-deps", "-e", PROVIDER_DIR)
    stamp_file.write_text(stamp)
    return target.python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="create or refresh every venv")
    for name in ("compile", "python"):
        sub.add_parser(name).add_argument("version")
    args = parser.parse_args(argv)
    if args.command == "build":
        for target in VERSIONS:
            print(f"Airflow {target.version}: {build(target)}")
    elif args.command == "compile":
        compile_pins(by_version(args.version))
    else:
        print(by_version(args.version).python)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
