"""Airflow names whose home moved between 3.0 and 3.3 (``airflow.sdk`` first)."""

from __future__ import annotations

try:
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout
except ImportError:  # Airflow 3.0 kept them in airflow.exceptions
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowFailException,
        AirflowSensorTimeout,
    )

__all__ = ["AirflowFailException", "AirflowSensorTimeout"]
