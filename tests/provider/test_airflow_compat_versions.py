"""Every Airflow name the provider uses resolves on every tested Airflow, from the expected home.

Runs in each installation: the locked Airflow (this venv) and the matrix venvs of
``scripts/airflow_matrix.py``. On the locked one every name must come from its newest home and
importing the provider must raise no Airflow deprecation warning.
"""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_matrix
import pytest
from ippanel_provider.airflow_compat import HOMES

PROVIDER_SRC = Path(__file__).resolve().parents[2] / "provider" / "src" / "ippanel_provider"
LOCKED = airflow_matrix.LOCKED

OLD_HOMES = {
    "3.0.0": {
        "BaseOperator": "airflow.models.baseoperator",
        "BaseHook": "airflow.hooks.base",
        "BaseNotifier": "airflow.sdk.bases.notifier",
        "conf": "airflow.configuration",
        "AirflowFailException": "airflow.exceptions",
        "AirflowSensorTimeout": "airflow.exceptions",
        "mask_secret": "airflow.sdk.execution_time.secrets_masker",
        "amask_secret": "",
    },
    "3.1.0": {
        "conf": "airflow.configuration",
        "AirflowFailException": "airflow.exceptions",
        "AirflowSensorTimeout": "airflow.exceptions",
        "amask_secret": "",
    },
}
"""Where a name lives when it is not in its newest home (``""``: not there at all)."""

PROBE = """
import importlib, json, warnings
import airflow.sdk
from ippanel_provider.airflow_compat import HOMES, resolve
homes = {name: resolve(name)[1] for name in HOMES}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for module in ("operators.send", "sensors.delivery", "triggers.delivery",
                   "notifications.ippanel", "hooks.ippanel", "get_provider_info"):
        importlib.import_module("ippanel_provider." + module)
    from ippanel_provider.hooks.ippanel import IPPanelHook
    from ippanel_provider.notifications.ippanel import IPPanelNotifier
    from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger
    bases = [IPPanelHook.__mro__[2].__module__, IPPanelNotifier.__mro__[1].__module__,
             IPPanelDeliveryTrigger.__mro__[1].__module__]
deprecations = [str(w.message) for w in caught if "deprecat" in str(w.message).lower()]
print(json.dumps({"homes": homes, "deprecations": deprecations, "bases": bases}))
"""


@pytest.mark.airflow
@pytest.mark.parametrize("airflow", [LOCKED, *OLD_HOMES], ids=lambda v: f"airflow-{v}")
def test_every_airflow_name_resolves_from_its_home(airflow: str, tmp_path: Path) -> None:
    probe = airflow_matrix.probe(airflow, PROBE, tmp_path)
    expected = {name: homes[0] for name, homes in HOMES.items()} | OLD_HOMES.get(airflow, {})
    assert probe["homes"] == expected
    assert all(base.startswith("airflow.") for base in probe["bases"]), probe["bases"]
    if airflow == LOCKED:
        assert probe["deprecations"] == []


def _airflow_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name == "airflow" or name.startswith("airflow.")]


def test_only_airflow_compat_imports_airflow() -> None:
    """A name imported straight from Airflow would skip the version shims."""
    offenders = {
        str(path.relative_to(PROVIDER_SRC)): imports
        for path in PROVIDER_SRC.rglob("*.py")
        if path.name != "airflow_compat.py" and (imports := _airflow_imports(path))
    }
    assert offenders == {}
