"""The `ippanel-mock` command as a real subprocess: startup lines, health, clean SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ippanel_mock.cli import CONFIG_OPTIONS, build_parser, config_from_args
from ippanel_mock.config import SandboxConfig
from sandbox_support import API_KEY, AUTH, SandboxProcess, sandbox_process


@pytest.fixture
def running() -> Iterator[SandboxProcess]:
    with sandbox_process("--seed", "4", "--delivery-delay", "0") as process:
        yield process


def test_prints_url_and_key_serves_and_stops_on_sigterm(running: SandboxProcess) -> None:
    url = running.url
    assert url.startswith("http://127.0.0.1:")
    assert not url.endswith(":0")
    assert running.api_key == API_KEY
    assert requests.get(f"{url}/healthz", timeout=5).json() == {"status": "ok"}
    credit = requests.get(
        f"{url}/api/payment/credit/mine", headers={"Authorization": running.api_key}, timeout=5
    )
    assert credit.status_code == 200
    code, stderr = running.stop()
    assert code == 0
    assert "Traceback" not in stderr


def test_sigint_also_stops_cleanly() -> None:
    with sandbox_process() as running:
        assert running.stop(signal.SIGINT)[0] == 0


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_either_event_loop_serves_wire_faults_and_stops_cleanly(loop: str) -> None:
    """`--loop uvloop` and `--loop asyncio` (the default) behave alike, down to a connection
    reset after the send was stored."""
    pytest.importorskip(loop)
    with sandbox_process("--loop", loop, "--delivery-delay", "0") as running:
        rule = {"route": "POST /api/send", "first_n": 1, "fault": "reset_after"}
        assert requests.post(f"{running.url}/__sandbox/chaos", json=rule, timeout=5).ok
        send = {
            "sending_type": "webservice",
            "from_number": "+983000505",
            "message": f"on {loop}",
            "params": {"recipients": ["09121234567"]},
        }
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{running.url}/api/send", json=send, headers=AUTH, timeout=5)
        stored = requests.get(f"{running.url}/__sandbox/messages", timeout=5).json()
        assert [m["text"] for m in stored["items"]] == [f"on {loop}"]
        assert running.stop()[0] == 0


def test_admin_token_and_users_file_flags(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps([{"username": "qa", "mobile": "09121110000", "api_key": "qa-key"}]))
    with sandbox_process("--admin-token", "t0k", "--users", str(users)) as running:
        url = running.url
        assert requests.get(f"{url}/__sandbox/users", timeout=5).status_code == 401
        listing = requests.get(
            f"{url}/__sandbox/users", headers={"X-Sandbox-Admin-Token": "t0k"}, timeout=5
        ).json()
        assert "qa" in [u["username"] for u in listing["items"]]
        assert running.stop()[0] == 0


def test_bad_users_file_fails_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text('[{"username": "qa"}]')
    done = subprocess.run(
        [sys.executable, "-m", "ippanel_mock", "--port", "0", "--users", str(users)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "users file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_users_file_with_nan_credit_is_refused_naming_user_and_field(tmp_path: Path) -> None:
    """Python's json reads NaN; a user with credit NaN passed `credit < 0` and sent without
    limit. (Infinity and credits out of range: test_models_users.py.)"""
    users = tmp_path / "users.json"
    good = '{"username": "ok", "mobile": "09121110001"}'
    users.write_text(f'[{good}, {{"username": "qa", "mobile": "09121110000", "credit": NaN}}]')
    done = subprocess.run(
        [sys.executable, "-m", "ippanel_mock", "--port", "0", "--users", str(users)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "ippanel-mock: bad users file: user 2 ('qa'): credit must be a finite number "
        "from 0 to 1000000000000000\n"
    )


def test_flags_map_onto_the_config() -> None:
    argv = "--seed 9 --delivery-delay 0.5 --history 3 --rate-limit 5 --rate-burst 7"
    limits = "--header-timeout 3 --idle-timeout 20 --max-connections 64"
    args = build_parser().parse_args(
        [*argv.split(), *limits.split(), "--max-body", "2048", "--access-log"]
    )
    config = config_from_args(args)
    assert (config.seed, config.delivery_delay, config.history) == (9, 0.5, 3)
    assert (config.rate_limit, config.rate_burst, config.max_body_bytes) == (5, 7, 2048)
    assert (config.header_timeout, config.idle_timeout, config.max_connections) == (3, 20, 64)
    assert config.access_log is True
    assert config_from_args(build_parser().parse_args([])).access_log is False


def test_every_config_flag_sets_its_field_and_defaults_to_the_library_default() -> None:
    """A flag that parsed but never reached SandboxConfig would be ignored in silence."""
    defaults = SandboxConfig()
    assert config_from_args(build_parser().parse_args([])) == defaults
    for option in CONFIG_OPTIONS:
        value = option.type(getattr(defaults, option.field) or 0) + 1
        config = config_from_args(build_parser().parse_args([option.flag, str(value)]))
        assert getattr(config, option.field) == value, option.flag
    assert config_from_args(build_parser().parse_args(["--users", "u.json"])).users_file == "u.json"


@pytest.mark.parametrize(
    "argv",
    [
        ["--delivery-delay", "-1"],
        ["--delivery-delay", "nan"],
        ["--port", "70000"],
        ["--rate-limit", "0"],
        ["--rate-limit", "inf"],
        ["--header-timeout", "0"],
        ["--idle-timeout", "nan"],
        ["--max-connections", "0"],
    ],
)
def test_bad_flags_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from ippanel_mock.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "ippanel-mock" in capsys.readouterr().err


def test_an_empty_admin_token_is_refused_not_silently_ignored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 9, item 8: `--admin-token ''` turned the check off; now it is a usage error."""
    from ippanel_mock.cli import main

    with pytest.raises(SystemExit) as info:
        main(["--port", "0", "--admin-token", ""])
    assert info.value.code == 2
    assert "admin_token" in capsys.readouterr().err
    with pytest.raises(ValueError, match="admin_token"):
        SandboxConfig(admin_token="")


def test_the_admin_token_can_come_from_the_environment() -> None:
    """docker-compose passes it this way, so it is not on the process's command line."""
    token = "from-the-environment"
    env = {**os.environ, "IPPANEL_SANDBOX_ADMIN_TOKEN": token}
    with sandbox_process("--delivery-delay", "0", env=env) as process:
        url = f"{process.url}/__sandbox/users"
        assert requests.get(url, timeout=5).status_code == 401
        allowed = requests.get(url, headers={"X-Sandbox-Admin-Token": token}, timeout=5)
        assert allowed.status_code == 200
        assert token not in " ".join(map(str, process.process.args))  # type: ignore[arg-type]


def test_an_empty_admin_token_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from ippanel_mock.cli import main

    monkeypatch.setenv("IPPANEL_SANDBOX_ADMIN_TOKEN", "")
    with pytest.raises(SystemExit) as info:
        main(["--port", "0"])
    assert info.value.code == 2
    assert "admin_token" in capsys.readouterr().err
