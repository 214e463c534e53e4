"""Airflow names whose home moved between 3.0 and 3.3 (``airflow.sdk`` first).

``airflow.sdk`` gained ``BaseNotifier`` in 3.1 and ``conf`` in 3.2; the exceptions moved there
after 3.0. Every fallback is the 3.0 location, so DAG files using this provider parse on 3.0+.
"""

from __future__ import annotations

try:
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout
except ImportError:  # Airflow 3.0 kept them in airflow.exceptions
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowFailException,
        AirflowSensorTimeout,
    )

try:
    from airflow.sdk import conf
except ImportError:  # Airflow 3.0/3.1
    from airflow.configuration import conf  # type: ignore[assignment]

try:
    from airflow.sdk import BaseNotifier
except ImportError:  # Airflow 3.0
    from airflow.notifications.basenotifier import BaseNotifier  # type: ignore[no-redef]

__all__ = ["AirflowFailException", "AirflowSensorTimeout", "BaseNotifier", "conf"]
