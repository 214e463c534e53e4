"""Lower layers never import higher ones, and the triggerer loads only what the trigger uses.

Layers, lowest first: ``client`` (no Airflow) < ``airflow_compat`` < ``hooks`` < ``triggers`` <
``sensors`` (defers to the trigger); ``operators`` and ``notifications`` sit beside them on
``hooks``. Imports inside functions count: they run in the same process sooner or later.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from airflow_support import send_sms
from ippanel_mock.server import ThreadedSandbox

PACKAGE = Path(__file__).resolve().parents[2] / "provider" / "src" / "ippanel_provider"
MAY_IMPORT = {
    "client": {"client"},
    "airflow_compat": set(),
    "get_provider_info": set(),
    "hooks": {"client", "airflow_compat", "hooks", "get_provider_info"},
    "triggers": {"client", "airflow_compat", "hooks", "triggers"},
    "sensors": {"client", "airflow_compat", "hooks", "triggers", "sensors"},
    "operators": {"client", "airflow_compat", "hooks", "operators"},
    "notifications": {"client", "airflow_compat", "hooks", "notifications"},
}


def _layer(module: str) -> str:
    return module.removeprefix("ippanel_provider.").split(".")[0]


def _imported_modules(path: Path) -> set[str]:
    package = "ippanel_provider." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return {name for name in found if name.startswith("ippanel_provider.")}


def test_no_module_imports_a_higher_layer() -> None:
    wrong = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = "ippanel_provider." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        allowed = MAY_IMPORT[_layer(module)] if module != "ippanel_provider.__init__" else set()
        bad = sorted(name for name in _imported_modules(path) if _layer(name) not in allowed)
        if bad:
            wrong[str(path.relative_to(PACKAGE))] = bad
    assert wrong == {}


TRIGGER_RUN = """
import asyncio, json, sys, threading, time
import airflow.sdk, airflow.triggers.base  # loaded in every triggerer
WATCHED = ("ippanel_provider.client", "aiohttp", "requests")
imported_on = {}

class Recorder:
    \"\"\"Notes the thread each watched top-level package is first imported on.\"\"\"
    def find_spec(self, name, path=None, target=None):
        if name in WATCHED and name not in imported_on:
            imported_on[name] = threading.current_thread().name
        return None

sys.meta_path.insert(0, Recorder())

def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] in ("ippanel_provider", "requests"))

kind, value = sys.argv[1], sys.argv[2]
if kind == "delivery":
    from ippanel_provider.triggers.delivery import IPPanelDeliveryTrigger
    after_import = loaded()
    trigger = IPPanelDeliveryTrigger(outbox_ids=[int(value)], poke_interval=0.05,
                                     deadline=time.time() + 60)
else:
    from ippanel_provider.triggers.inbox import IPPanelInboxTrigger
    after_import = loaded()
    trigger = IPPanelInboxTrigger(query={"senders": [value], "options": ["YES"]},
                                  poke_interval=0.05, deadline=time.time() + 60)

async def first_event():
    async for event in trigger.run():
        return event.payload

event = asyncio.run(first_event())
print(json.dumps({"after_import": after_import, "after_run": loaded(), "status": event["status"],
                  "imported_on": imported_on, "loop_thread": threading.main_thread().name}))
"""


TRIGGERS = ("delivery", "inbox")


_REPORTS: dict[str, dict[str, Any]] = {}
"""One fresh interpreter per trigger kind serves the three tests below (each costs seconds)."""


def _run_trigger_in_a_fresh_interpreter(sandbox: ThreadedSandbox, kind: str) -> dict[str, Any]:
    """Run the ``kind`` trigger until its event: a sent bulk's delivery, or a YES received."""
    if kind in _REPORTS:
        return _REPORTS[kind]
    [bulk_id] = send_sms(sandbox, "09121234567")
    value = str(bulk_id)
    if kind == "inbox":
        value = "+989121234567"
        body = {"from": value, "to": "+983000505", "text": "yes", "user": "sandbox"}
        requests.post(f"{sandbox.url}/__sandbox/inbox", json=body, timeout=10).raise_for_status()
    result = subprocess.run(
        [sys.executable, "-c", TRIGGER_RUN, kind, value],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == "success"
    _REPORTS[kind] = report
    return report


@pytest.mark.ippanel_sandbox(delivery_delay=0)
@pytest.mark.parametrize("kind", TRIGGERS)
def test_the_trigger_loads_no_sensor_operator_or_notifier_code(
    sandbox: ThreadedSandbox, kind: str
) -> None:
    report = _run_trigger_in_a_fresh_interpreter(sandbox, kind)
    layers = {_layer(m) for m in report["after_run"] if m.startswith("ippanel_provider.")}
    assert layers <= {"triggers", "hooks", "client", "airflow_compat", "get_provider_info"}


@pytest.mark.ippanel_sandbox(delivery_delay=0)
@pytest.mark.parametrize("kind", TRIGGERS)
def test_the_triggerer_loop_imports_only_the_trigger_module(
    sandbox: ThreadedSandbox, kind: str
) -> None:
    """The triggerer imports the trigger's module and runs ``run()`` on its event loop; the
    client, aiohttp (and, for now, requests) are imported on a worker thread instead."""
    report = _run_trigger_in_a_fresh_interpreter(sandbox, kind)
    airflow_reads_anyway = {"ippanel_provider.get_provider_info"}  # provider discovery
    assert set(report["after_import"]) - airflow_reads_anyway == {
        "ippanel_provider",
        "ippanel_provider.airflow_compat",
        "ippanel_provider.triggers",
        f"ippanel_provider.triggers.{kind}",
    }
    assert "ippanel_provider.client" in report["imported_on"]
    loop_thread = report["loop_thread"]
    assert {name: thread == loop_thread for name, thread in report["imported_on"].items()} == (
        dict.fromkeys(report["imported_on"], False)
    )


@pytest.mark.ippanel_sandbox(delivery_delay=0)
@pytest.mark.parametrize("kind", TRIGGERS)
def test_the_trigger_never_imports_requests(sandbox: ThreadedSandbox, kind: str) -> None:
    """The triggerer's event loop blocked ~1-2 s on the first load of this trigger, a good part
    of it importing the requests client the trigger never uses."""
    report = _run_trigger_in_a_fresh_interpreter(sandbox, kind)
    assert "requests" not in report["after_run"]
