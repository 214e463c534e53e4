"""Airflow discovers the provider: metadata, connection form, CLI listings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ippanel_provider.get_provider_info import CONNECTION_FIELDS, get_provider_info
from ippanel_provider.hooks.ippanel import IPPanelHook


def _modules(info: dict[str, object], key: str) -> list[str]:
    return [m for entry in info[key] for m in entry["python-modules"]]  # type: ignore[attr-defined]


def test_every_listed_module_and_class_imports() -> None:
    import importlib

    info = get_provider_info()
    for key in ("hooks", "operators", "sensors", "triggers"):
        for module in _modules(info, key):
            importlib.import_module(module)
    for dotted in [*info["notifications"], info["connection-types"][0]["hook-class-name"]]:
        module, _, name = dotted.rpartition(".")
        assert hasattr(importlib.import_module(module), name), dotted


def test_connection_type_matches_the_hook() -> None:
    [conn] = get_provider_info()["connection-types"]
    assert conn["connection-type"] == IPPanelHook.conn_type
    assert conn["hook-class-name"].endswith(".IPPanelHook")


def test_providers_manager_builds_the_connection_form() -> None:
    from airflow.providers_manager import ProvidersManager
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    hook_info = ProvidersManagerTaskRuntime().hooks["ippanel"]
    assert hook_info is not None
    assert hook_info.hook_class_name.endswith("IPPanelHook")
    manager = ProvidersManager()
    widgets = manager.connection_form_widgets
    ippanel = {name for name in widgets if name.startswith("extra__ippanel__")}
    assert ippanel == {f"extra__ippanel__{field}" for field in CONNECTION_FIELDS}
    assert "extra__ippanel__timeout" not in ippanel
    assert widgets["extra__ippanel__totp_secret"].is_sensitive
    behaviour = manager.field_behaviours["ippanel"]
    assert behaviour["relabeling"]["password"] == "API key"
    assert behaviour["relabeling"]["login"] == "Username (optional)"
    assert {"schema", "port"} <= set(behaviour["hidden_fields"])


def test_legacy_field_behaviour_matches_the_declared_one() -> None:
    behaviour = IPPanelHook.get_ui_field_behaviour()
    assert behaviour["relabeling"]["password"] == "API key"
    assert "https://edge.ippanel.com/v1" in behaviour["placeholders"]["host"]


def test_legacy_form_widgets_when_wtforms_is_installed() -> None:
    pytest.importorskip("wtforms")
    widgets = IPPanelHook.get_connection_form_widgets()
    assert set(widgets) == set(CONNECTION_FIELDS)


@pytest.mark.airflow
def test_airflow_cli_lists_the_provider_hook_and_notifier(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env |= {"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    commands = {
        name: subprocess.Popen(
            [sys.executable, "-m", "airflow", "providers", name, "-o", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("list", "hooks", "notifications")
    }
    out = {}
    for name, process in commands.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        out[name] = json.loads(stdout[stdout.index("[") :])
    assert any(p["package_name"] == "airflow-provider-ippanel" for p in out["list"])
    assert any(h["connection_type"] == "ippanel" for h in out["hooks"])
    assert any(
        n["notification_class_name"].endswith("IPPanelNotifier") for n in out["notifications"]
    )
