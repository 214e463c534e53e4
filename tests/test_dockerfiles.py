"""The Dockerfiles, checked without a Docker engine.

Each Dockerfile is parsed, its COPY sources are looked up in the build context (the repository
root, minus what .dockerignore leaves out), and its steps are replayed as far as a host can:
the sandbox image's COPY and RUN steps run into a fresh venv, then its CMD is started from that
venv and probed with its own HEALTHCHECK, compose's healthcheck and a real send. For the Airflow
image the provider is built as a wheel from exactly the files the Dockerfile copies (installing
Airflow a second time would take minutes).
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from compose_support import generated_env, load_compose
from dockerfile_steps import (
    CONTEXT,
    Instruction,
    copy_sources,
    dockerignore_rules,
    env_pairs,
    healthcheck_command,
    is_ignored,
    only,
    parse_dockerfile,
    replay_copy,
)
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
SANDBOX_DOCKERFILE = REPO / "mock_server" / "Dockerfile"
AIRFLOW_DOCKERFILE = REPO / "provider" / "Dockerfile"
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def localized(args: list[str], port: str, new_port: int) -> list[str]:
    """The container command with 0.0.0.0 -> 127.0.0.1 and its port -> a free one on this host."""
    out = []
    for arg in args:
        arg = "127.0.0.1" if arg == "0.0.0.0" else arg
        out.append(arg.replace(f":{port}/", f":{new_port}/") if arg != port else str(new_port))
    return out


@dataclass
class ReplayedImage:
    root: Path
    bin: Path
    env: dict[str, str]
    instructions: list[Instruction]

    def run(self, args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=60, check=False, **kwargs
        )


def replay_build(dockerfile: Path, tmp: Path) -> ReplayedImage:
    """Replay WORKDIR/ENV/COPY/RUN into tmp: a venv stands in for the base image's Python."""
    instructions = parse_dockerfile(dockerfile)
    base = only(instructions, "FROM").arguments
    wanted = re.fullmatch(r"python:(\d+)\.(\d+)-slim", base)
    assert wanted, f"unexpected base image {base}"
    if sys.version_info[:2] != (int(wanted[1]), int(wanted[2])):
        pytest.skip(f"the image uses Python {wanted[1]}.{wanted[2]}; this host runs {sys.version}")
    root, environment = tmp / "rootfs", tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(environment)
    env = {
        "PATH": f"{environment / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp / "home"),
        "LANG": "C.UTF-8",
    }
    workdir = PurePosixPath("/")
    for instruction in instructions:
        if instruction.keyword == "WORKDIR":
            workdir = workdir / instruction.arguments
            (root / workdir.relative_to("/")).mkdir(parents=True, exist_ok=True)
        elif instruction.keyword == "ENV":
            env.update(env_pairs(instruction))
        elif instruction.keyword == "COPY":
            replay_copy(instruction, root, workdir)
        elif instruction.keyword == "RUN":
            step = subprocess.run(
                ["/bin/sh", "-c", instruction.arguments],
                cwd=root / workdir.relative_to("/"),
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert step.returncode == 0, f"RUN {instruction.arguments}\n{step.stderr[-3000:]}"
    return ReplayedImage(root, environment / "bin", env, instructions)


@dataclass
class ComposeSandbox:
    """The sandbox service and the Airflow connection as docker compose gets them from the
    ``.env`` that ``scripts/compose_env.py`` writes."""

    command: list[str]
    environment: dict[str, str]
    healthcheck: list[str]
    admin_token: str
    connection: dict[str, Any]


def compose_sandbox(tmp: Path) -> ComposeSandbox:
    env = generated_env(tmp)
    compose = load_compose(env)
    service = compose["services"]["ippanel-sandbox"]
    connection = json.loads(
        compose["x-airflow-common"]["environment"]["AIRFLOW_CONN_IPPANEL_DEFAULT"]
    )
    return ComposeSandbox(
        [str(part) for part in service["command"]],
        {str(k): str(v) for k, v in service.get("environment", {}).items()},
        service["healthcheck"]["test"][1:],
        env["IPPANEL_SANDBOX_ADMIN_TOKEN"],
        connection,
    )


@dataclass
class RunningSandbox:
    process: subprocess.Popen[str]
    port: int
    base_url: str


def wait_for_base_url(process: subprocess.Popen[str], stderr: Path) -> str:
    """The first http URL the CLI prints; fails with its stderr if it exits or stays silent."""
    lines: queue.Queue[str | None] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None

    def forward() -> None:
        for line in stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=forward, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=STARTUP_TIMEOUT)
        except queue.Empty:
            line = None
        if line is None:
            process.kill()
            errors = stderr.read_text(encoding="utf-8", errors="replace")[-3000:]
            pytest.fail(f"ippanel-mock printed no base URL (exit {process.wait()}):\n{errors}")
        found = re.search(r"https?://\S+", line)
        if found:
            return found[0].rstrip("/")


@contextmanager
def run_container_command(
    image: ReplayedImage,
    command: list[str] | None = None,
    environment: dict[str, str] | None = None,
) -> Iterator[RunningSandbox]:
    """Start the image's CMD (or compose's ``command`` and ``environment``) from the replayed
    venv on a free port; kill it on the way out."""
    exposed = only(image.instructions, "EXPOSE").arguments.split("/")[0]
    port = free_port()
    command = localized(command or only(image.instructions, "CMD").exec_form(), exposed, port)
    stderr = image.root.parent / f"stderr-{port}.log"
    with stderr.open("w", encoding="utf-8") as errors:
        process = subprocess.Popen(
            [str(image.bin / command[0]), *command[1:]],
            env={**image.env, **(environment or {})},
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    try:
        yield RunningSandbox(process, port, wait_for_base_url(process, stderr))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def sandbox_image(tmp_path_factory: pytest.TempPathFactory) -> ReplayedImage:
    return replay_build(SANDBOX_DOCKERFILE, tmp_path_factory.mktemp("sandbox-image"))


@pytest.fixture(scope="module")
def compose_service(tmp_path_factory: pytest.TempPathFactory) -> ComposeSandbox:
    return compose_sandbox(tmp_path_factory.mktemp("compose-env"))


@pytest.fixture(scope="module")
def sandbox_container(
    sandbox_image: ReplayedImage, compose_service: ComposeSandbox
) -> Iterator[RunningSandbox]:
    """The sandbox image running the command docker-compose.yml gives it."""
    with run_container_command(
        sandbox_image, compose_service.command, compose_service.environment
    ) as running:
        yield running


def test_copy_sources_exist_in_the_build_context() -> None:
    rules = dockerignore_rules()
    for dockerfile in (SANDBOX_DOCKERFILE, AIRFLOW_DOCKERFILE):
        for instruction in parse_dockerfile(dockerfile):
            if instruction.keyword != "COPY":
                continue
            for source in copy_sources(instruction)[0]:
                assert (CONTEXT / source).exists(), f"{dockerfile}: {source} is missing"
                assert not is_ignored(PurePosixPath(source), rules), f"{source} is dockerignored"


def test_dockerignore_keeps_local_environments_out_of_the_context() -> None:
    rules = dockerignore_rules()
    for path in (".venv/bin/python", "mock_server/src/ippanel_mock/__pycache__/x.pyc", ".git/HEAD"):
        assert is_ignored(PurePosixPath(path), rules), path
    assert not is_ignored(PurePosixPath("mock_server/src/ippanel_mock/cli.py"), rules)


def test_sandbox_dockerfile_exposes_and_healthchecks_the_port_it_serves() -> None:
    instructions = parse_dockerfile(SANDBOX_DOCKERFILE)
    command = only(instructions, "CMD").exec_form()
    port = command[command.index("--port") + 1]
    assert only(instructions, "EXPOSE").arguments.split("/")[0] == port
    probe = healthcheck_command(only(instructions, "HEALTHCHECK"))
    assert probe[0] == "python", "python:3.11-slim has no curl"
    assert f":{port}/healthz" in probe[-1]


def test_airflow_image_matches_the_airflow_the_provider_is_tested_with() -> None:
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    locked = {p["name"]: p["version"] for p in lock["package"] if "version" in p}  # not dynamic
    instructions = parse_dockerfile(AIRFLOW_DOCKERFILE)
    python = ".".join(map(str, sys.version_info[:2]))
    assert only(instructions, "FROM").arguments == (
        f"apache/airflow:{locked['apache-airflow']}-python{python}"
    )
    install = only(instructions, "RUN").arguments
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in install, (
        "pip could replace the image's Airflow"
    )


@pytest.mark.slow
def test_airflow_image_provider_builds_from_the_copied_files(tmp_path: Path) -> None:
    instructions = parse_dockerfile(AIRFLOW_DOCKERFILE)
    root = tmp_path / "rootfs"
    for instruction in instructions:
        if instruction.keyword == "COPY":
            replay_copy(instruction, root, PurePosixPath("/"))
    installed = [arg for arg in shlex.split(only(instructions, "RUN").arguments) if arg[0] == "/"]
    assert len(installed) == 1, "the RUN step should pip install one copied directory"
    source = root / PurePosixPath(installed[0]).relative_to("/")
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to build the provider wheel"
    build = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = (tmp_path / "dist").glob("airflow_provider_ippanel-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt")))
    assert "ippanel_provider/get_provider_info.py" in names
    assert b"[apache_airflow_provider]" in entry_points
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    airflow_version = next(p["version"] for p in lock["package"] if p["name"] == "apache-airflow")
    requirements = [
        Requirement(line.split(":", 1)[1].strip())
        for line in metadata.decode().splitlines()
        if line.startswith("Requires-Dist:")
    ]
    airflow = next(req for req in requirements if req.name == "apache-airflow")
    assert airflow.specifier.contains(airflow_version), "pip would fight the image's Airflow"


@pytest.mark.slow
def test_sandbox_healthcheck_fails_while_nothing_listens(sandbox_image: ReplayedImage) -> None:
    instructions = sandbox_image.instructions
    exposed = only(instructions, "EXPOSE").arguments.split("/")[0]
    probe = healthcheck_command(only(instructions, "HEALTHCHECK"))
    assert sandbox_image.run(localized(probe, exposed, free_port())).returncode != 0


@pytest.mark.slow
def test_sandbox_container_command_serves_health_and_sends(
    sandbox_image: ReplayedImage, sandbox_container: RunningSandbox, compose_service: ComposeSandbox
) -> None:
    port, base_url = sandbox_container.port, sandbox_container.base_url
    assert urllib.parse.urlsplit(base_url).port == port

    exposed = only(sandbox_image.instructions, "EXPOSE").arguments.split("/")[0]
    connection = compose_service.connection
    for probe in (
        healthcheck_command(only(sandbox_image.instructions, "HEALTHCHECK")),
        compose_service.healthcheck,
    ):
        result = sandbox_image.run(localized(probe, exposed, port))
        assert result.returncode == 0, result.stderr

    body = {
        "sending_type": "webservice",
        "from_number": connection["extra"]["sender"],
        "message": "compose connection check",
        "params": {"recipients": ["+989120000000"]},
    }
    request = urllib.request.Request(
        f"{base_url}/api/send",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": connection["password"]},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        envelope = json.load(response)
    assert envelope["meta"]["status"] is True
    assert len(envelope["data"]["message_outbox_ids"]) == 1
    for asset, marker in (("app.js", b"listen(onEvent"), ("received.js", b"/__sandbox/inbox")):
        with urllib.request.urlopen(f"{base_url}/__sandbox/ui/assets/{asset}", timeout=10) as got:
            assert marker in got.read()  # the web UI ships in the installed package


@pytest.mark.slow
def test_sandbox_container_command_stops_cleanly_on_sigterm(sandbox_image: ReplayedImage) -> None:
    """`docker stop` sends SIGTERM to the CMD (PID 1), which ignores signals it does not handle."""
    with run_container_command(sandbox_image) as running:
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=15) == 0


def admin_status(base_url: str, token: str | None) -> int:
    request = urllib.request.Request(
        f"{base_url}/__sandbox/messages",
        headers={"X-Sandbox-Admin-Token": token} if token else {},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.slow
def test_compose_sandbox_admin_api_needs_the_token_from_env(
    sandbox_container: RunningSandbox, compose_service: ComposeSandbox
) -> None:
    assert admin_status(sandbox_container.base_url, None) in (401, 403)
    assert admin_status(sandbox_container.base_url, "wrong-token") in (401, 403)
    assert admin_status(sandbox_container.base_url, compose_service.admin_token) == 200


@pytest.mark.slow
def test_airflow_image_run_step_changes_only_the_provider_beside_airflow(tmp_path: Path) -> None:
    """The RUN step's install, resolved (dry run) into this environment, which has the locked
    Airflow like the image: the provider is the only package it would add or replace."""
    instructions = parse_dockerfile(AIRFLOW_DOCKERFILE)
    root = tmp_path / "rootfs"
    for instruction in instructions:
        if instruction.keyword == "COPY":
            replay_copy(instruction, root, PurePosixPath("/"))
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    airflow_version = next(p["version"] for p in lock["package"] if p["name"] == "apache-airflow")
    command = shlex.split(only(instructions, "RUN").arguments)
    assert command[:2] == ["pip", "install"]
    packages = [
        str(root / PurePosixPath(arg).relative_to("/")) if arg.startswith("/") else arg
        for arg in command[2:]
        if not arg.startswith("--")
    ]
    packages = [p.replace("${AIRFLOW_VERSION}", airflow_version) for p in packages]
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "uv is needed to resolve the step"
    result = subprocess.run(
        [uv, "pip", "install", "--dry-run", "--python", sys.executable, *packages],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    changes = [line.split()[1] for line in result.stderr.splitlines() if line[:3] in (" + ", " - ")]
    assert {re.split(r"[=@ ]", change)[0] for change in changes} == {"airflow-provider-ippanel"}
