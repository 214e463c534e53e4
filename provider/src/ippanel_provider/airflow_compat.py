"""Airflow names whose home moved between 3.0 and 3.3 (``airflow.sdk`` first).

``airflow.sdk`` gained ``BaseNotifier`` in 3.1 and ``conf`` in 3.2; the exceptions moved there
after 3.0. Every fallback is the 3.0 location, so DAG files using this provider parse on 3.0+.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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


class AfterRenderMixin:
    """Calls ``_after_render()`` once a task's own template fields are rendered.

    Airflow renders a mapped task's unmapped copy through ``_do_render_template_fields``, not
    ``render_template_fields``, so the hook sits there to cover mapped and plain tasks alike.
    """

    def _do_render_template_fields(
        self,
        parent: Any,
        template_fields: Iterable[str],
        context: Any,
        jinja_env: Any,
        seen_oids: set[int],
    ) -> None:
        super()._do_render_template_fields(  # type: ignore[misc]
            parent, template_fields, context, jinja_env, seen_oids
        )
        if parent is self:
            self._after_render()

    def _after_render(self) -> None:
        """Work on the rendered fields (coerce, resolve, mask)."""


__all__ = [
    "AfterRenderMixin",
    "AirflowFailException",
    "AirflowSensorTimeout",
    "BaseNotifier",
    "conf",
]
