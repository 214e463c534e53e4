"""Provider metadata read by Airflow's ProvidersManager."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-ippanel",
        "name": "IPPanel",
        "description": "Send SMS through IPPanel and wait for delivery.",
        "versions": ["0.1.0"],
    }
