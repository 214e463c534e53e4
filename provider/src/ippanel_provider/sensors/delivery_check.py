"""Deprecated alias: the delivery poll moved to :mod:`ippanel_provider.client.delivery`.

It has no Airflow dependency, and the trigger must not import the sensors package.
"""

from __future__ import annotations

import warnings

from ippanel_provider.client.delivery import (
    COUNT_KEYS,
    TRANSIENT_ERRORS,
    WAIT_FOR_VALUES,
    BulkSnapshot,
    DeliveryVerdict,
    WaitFor,
    acollect_snapshots,
    coerce_outbox_ids,
    collect_snapshots,
    evaluate_delivery,
)

warnings.warn(
    "ippanel_provider.sensors.delivery_check is deprecated; "
    "import from ippanel_provider.client.delivery instead",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "COUNT_KEYS",
    "TRANSIENT_ERRORS",
    "WAIT_FOR_VALUES",
    "BulkSnapshot",
    "DeliveryVerdict",
    "WaitFor",
    "acollect_snapshots",
    "coerce_outbox_ids",
    "collect_snapshots",
    "evaluate_delivery",
]
