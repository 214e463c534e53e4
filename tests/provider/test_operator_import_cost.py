"""DAG files are parsed constantly: importing the operators must not load the HTTP stack."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("ippanel_provider.client", "ippanel_provider.hooks.ippanel", "aiohttp", "requests")


def test_dag_facing_modules_import_without_the_client_or_http_libraries() -> None:
    code = (
        "import sys\n"
        "import ippanel_provider.operators.send, ippanel_provider.sensors.delivery\n"
        "import ippanel_provider.notifications.ippanel, ippanel_provider.operators.phonebook\n"
        "import ippanel_provider.operators.audiences, ippanel_provider.sensors.inbox\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1:] in ([], [""])
