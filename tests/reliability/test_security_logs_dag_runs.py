"""Proof: no API key, password, TOTP secret, login token or OTP in any log of a full DAG run.

The OTP-pattern and daily-KPI example DAGs run under ``airflow dags test`` against a sandbox
with its access log on, once with the API key and once with login + password + TOTP secret.
Searched: Airflow's output, every file under ``AIRFLOW_HOME/logs`` and everything the sandbox
logged. The secrets searched for are read from the sandbox afterwards: every token it issued
and every one-time code that went through it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyotp
import pytest
import requests
from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.users import DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET
from ippanel_mock.server import ThreadedSandbox
from sandbox_support import API_KEY

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from airflow_env import DagRunResult, prepare_airflow_home, run_dag_test

pytestmark = pytest.mark.airflow

SENDER = "+983000505"
DAGS = ("ippanel_otp_pattern", "ippanel_daily_kpi_alert")
OTP_IN_PATTERN = re.compile(r"(?<!\d)(\d{6})(?!\d)")
DECIMALS_AND_CLOCK_TIMES = re.compile(r"\d+[.,:]\d+(?:[.,:]\d+)*")
"""Timestamps' microseconds and durations are 6-digit runs too; they are not codes."""


class RecordingHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def migrated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_airflow_home(tmp_path_factory.mktemp("airflow_template"))


@pytest.fixture
def airflow_home(migrated_home: Path, tmp_path: Path) -> Path:
    """A fresh AIRFLOW_HOME (own logs folder) reusing the migrated template database."""
    home = tmp_path / "airflow_home"
    home.mkdir()
    shutil.copyfile(migrated_home / "template.db", home / "template.db")
    return home


@pytest.fixture
def sandbox_log() -> Iterator[RecordingHandler]:
    """Everything any logger emits while the sandbox runs (access log, aiohttp, ippanel_mock)."""
    handler = RecordingHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    access = logging.getLogger("aiohttp.access")
    old_levels = root.level, access.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    access.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_levels[0])
        access.setLevel(old_levels[1])


@pytest.fixture
def sandbox(sandbox_log: RecordingHandler) -> Iterator[ThreadedSandbox]:
    with ThreadedSandbox(SandboxConfig(seed=5, delivery_delay=1.0, access_log=True)) as running:
        yield running


def record_issued_tokens(sandbox: ThreadedSandbox) -> list[str]:
    """Every login token the sandbox hands out from now on (temporary and final)."""
    issued: list[str] = []

    def install() -> None:
        users = sandbox.backend.users
        original = users._new_session

        def new_session(*args: Any, **kwargs: Any) -> str:
            token = original(*args, **kwargs)
            issued.append(token)
            return token

        users._new_session = new_session  # type: ignore[method-assign]

    sandbox.call(install)
    return issued


def connection(sandbox: ThreadedSandbox, auth: str) -> str:
    fields: dict[str, Any] = {"conn_type": "ippanel", "host": sandbox.url}
    extra: dict[str, Any] = {"sender": SENDER, "read_timeout": 10}
    if auth == "api_key":
        fields["password"] = API_KEY
    else:
        fields |= {"login": "sandbox-ga", "password": DEFAULT_PASSWORD}
        extra["totp_secret"] = DEFAULT_TOTP_SECRET
    return json.dumps({**fields, "extra": extra})


def captured_codes(sandbox: ThreadedSandbox) -> set[str]:
    """Codes in the SMS the sandbox captured: pattern OTPs and login OTPs alike."""
    response = requests.get(f"{sandbox.url}/__sandbox/messages?per_page=1000", timeout=10)
    response.raise_for_status()
    codes = set()
    for message in response.json()["items"]:
        if message["sending_type"] in ("pattern", "otp"):
            codes.update(OTP_IN_PATTERN.findall(message["text"]))
    return codes


def totp_codes(started: float, finished: float) -> set[str]:
    """Every Google Authenticator code valid during the run (the client computed some)."""
    totp = pyotp.TOTP(DEFAULT_TOTP_SECRET)
    return {totp.at(t) for t in range(int(started) - 60, int(finished) + 61, 30)}


def leaks(text: str, secrets: set[str], codes: set[str]) -> list[str]:
    found = [s for s in secrets if s in text]
    without_numbers = DECIMALS_AND_CLOCK_TIMES.sub(" ", text)
    for code in codes:
        if re.search(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])", without_numbers):
            found.append(code)
    return found


def context_of(text: str, secret: str) -> str:
    at = text.find(secret)
    return text[max(0, at - 200) : at + 60] if at >= 0 else ""


@pytest.mark.parametrize("auth", ["api_key", "login_totp"])
def test_no_secret_or_code_in_any_log_of_full_dag_runs(
    auth: str,
    sandbox: ThreadedSandbox,
    sandbox_log: RecordingHandler,
    airflow_home: Path,
) -> None:
    issued = record_issued_tokens(sandbox)
    env = {"AIRFLOW_CONN_IPPANEL_DEFAULT": connection(sandbox, auth), "IPPANEL_POKE_INTERVAL": "1"}
    started = time.time()
    with ThreadPoolExecutor(len(DAGS)) as pool:
        futures = [
            pool.submit(run_dag_test, dag_id, sandbox.url, env, airflow_home=airflow_home)
            for dag_id in DAGS
        ]
        runs: list[DagRunResult] = [f.result() for f in futures]
    finished = time.time()
    for run in runs:
        assert run.succeeded, f"{run.dag_id}: {run.state} {run.task_states}\n{run.output[-3000:]}"

    log_files = sorted(p for p in (airflow_home / "logs").rglob("*") if p.is_file())
    sources = {f"airflow output of {r.dag_id}": r.output for r in runs}
    sources |= {str(p.relative_to(airflow_home)): p.read_text(errors="replace") for p in log_files}
    sources["sandbox log"] = "\n".join(sandbox_log.lines)

    generated = captured_codes(sandbox)  # the OTP DAG's code, read from the SMS it sent
    codes = set(generated)
    if auth == "login_totp":
        codes |= totp_codes(started, finished)
        assert issued, "the login run issued no token: the connection did not log in"
    secrets = {API_KEY, DEFAULT_PASSWORD, DEFAULT_TOTP_SECRET, *issued}

    # The search is only a proof if the logs saw the run: task logs (``airflow dags test``
    # writes them to its output, files too if configured) and the sandbox's access log.
    assert generated, "the OTP DAG produced no code"
    for run in runs:
        assert "[DAG TEST] end task" in run.output, run.output[-2000:]
    assert any("POST /api/send" in line for line in sandbox_log.lines)
    found = {name: leaks(text, secrets, codes) for name, text in sources.items()}
    found = {name: hits for name, hits in found.items() if hits}
    shown = {name: [context_of(sources[name], hit) for hit in hits] for name, hits in found.items()}
    assert not found, (
        f"secrets in logs ({auth}): {json.dumps(shown, ensure_ascii=False, indent=1)[:4000]}"
    )
    print(
        f"\n{auth}: {len(runs)} DAG runs in {finished - started:.1f} s, searched "
        f"{len(sources)} sources ({sum(len(t) for t in sources.values())} chars, "
        f"{len(log_files)} task log files, {len(sandbox_log.lines)} sandbox log lines) for "
        f"{len(secrets)} secrets ({len(issued)} tokens) and {len(codes)} codes: none found"
    )
