"""DAG files are parsed constantly: importing the operators must not load the HTTP stack."""

from __future__ import annotations

import os
import subprocess
import sys

HEAVY = ("ippanel_provider.client", "ippanel_provider.hooks.ippanel", "aiohttp", "requests")


def test_dag_facing_modules_import_without_the_client_or_http_libraries() -> None:
    code = (
        "import sys\n"
        "import ippanel_provider.operators.send, ippanel_provider.sensors.delivery\n"
        "import ippanel_provider.notifications.ippanel\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1:] in ([], [""])


AIRFLOW_3_0_LAYOUT = """
import sys, types
import airflow.sdk as sdk
from airflow.configuration import conf as configuration_conf

real_notifier = sdk.BaseNotifier
vars(sdk).pop("BaseNotifier", None)
vars(sdk).pop("conf", None)
lazy = sdk.__getattr__

def hide_names_added_after_3_0(name):
    if name in ("conf", "BaseNotifier"):
        raise AttributeError(name)
    return lazy(name)

sdk.__getattr__ = hide_names_added_after_3_0
old_home = types.ModuleType("airflow.notifications.basenotifier")
old_home.BaseNotifier = type("BaseNotifier30", (real_notifier,), {})
sys.modules[old_home.__name__] = old_home

from ippanel_provider import airflow_compat
from ippanel_provider.notifications.ippanel import IPPanelNotifier
from ippanel_provider.sensors.delivery import IPPanelDeliverySensor
import ippanel_provider.operators.send

print(IPPanelNotifier.__mro__[1].__name__, airflow_compat.conf is configuration_conf)
print(IPPanelDeliverySensor(task_id="w", outbox_ids=[1]).deferrable)
"""


def test_dag_facing_modules_import_with_the_airflow_3_0_names() -> None:
    """Airflow 3.0 has no ``airflow.sdk.conf`` (3.2+) or ``airflow.sdk.BaseNotifier`` (3.1+)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__OPERATORS__")}
    result = subprocess.run(
        [sys.executable, "-c", AIRFLOW_3_0_LAYOUT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["BaseNotifier30", "True", "False"]
