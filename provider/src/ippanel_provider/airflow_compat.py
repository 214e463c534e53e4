"""Every Airflow name the provider uses, found in its home on each supported Airflow (3.0 - 3.x).

Provider modules import Airflow names from here only. Each name is resolved on first use from
the first home that has it (newest first), so a DAG file that imports the operators does not also
load the trigger or notifier base classes. Where a name moved (checked in 3.0.0, 3.0.6, 3.1.0,
3.2.0 and 3.3.2; ``tests/provider/test_airflow_compat_versions.py`` checks every name on each
version ``make test`` installs):

- ``BaseOperator``: ``airflow.sdk`` from 3.1; on 3.0 ``airflow.models.baseoperator`` (its
  subclass of the SDK class), because the standard provider pinned with 3.0 skips only
  ``airflow.models`` operators in a branch: an SDK operator behind the branch not taken ran.
- ``BaseHook``: ``airflow.sdk`` from 3.1; ``airflow.hooks.base`` in 3.0 (deprecated from 3.1).
- ``BaseNotifier``: ``airflow.sdk`` from 3.0.2 (apache/airflow#50340); 3.0.0 and 3.0.1 map it
  to a module that does not exist, the class is in ``airflow.sdk.bases.notifier``.
- ``conf``: ``airflow.sdk`` from 3.2; ``airflow.configuration`` before.
- ``AirflowFailException``, ``AirflowSensorTimeout``: ``airflow.sdk.exceptions`` from 3.2;
  ``airflow.exceptions`` before (deprecated from 3.2).
- ``mask_secret``: ``airflow.sdk.log`` in 3.0.6+; 3.0.0 has it only in
  ``airflow.sdk.execution_time.secrets_masker`` (deprecated from 3.1).
- ``amask_secret``: ``airflow.sdk.log`` from 3.3; ``None`` before (use ``mask_secret``).
- ``BaseTrigger``, ``TriggerEvent``: ``airflow.triggers.base`` in every 3.x.
- ``AirflowProviderDeprecationWarning``: ``airflow.exceptions`` in every 3.x.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow.exceptions import AirflowProviderDeprecationWarning
    from airflow.sdk import (
        BaseHook,
        BaseNotifier,
        BaseOperator,
        BaseSensorOperator,
        Connection,
        Context,
        PokeReturnValue,
        conf,
    )
    from airflow.sdk.exceptions import AirflowFailException, AirflowSensorTimeout
    from airflow.sdk.log import amask_secret, mask_secret
    from airflow.triggers.base import BaseTrigger, TriggerEvent

HOMES: dict[str, tuple[str, ...]] = {
    "BaseOperator": ("airflow.sdk",),
    "BaseSensorOperator": ("airflow.sdk",),
    "PokeReturnValue": ("airflow.sdk",),
    "Connection": ("airflow.sdk",),
    "Context": ("airflow.sdk",),
    "BaseHook": ("airflow.sdk", "airflow.hooks.base"),
    "BaseNotifier": ("airflow.sdk", "airflow.sdk.bases.notifier"),
    "conf": ("airflow.sdk", "airflow.configuration"),
    "AirflowFailException": ("airflow.sdk.exceptions", "airflow.exceptions"),
    "AirflowSensorTimeout": ("airflow.sdk.exceptions", "airflow.exceptions"),
    "mask_secret": ("airflow.sdk.log", "airflow.sdk.execution_time.secrets_masker"),
    "amask_secret": ("airflow.sdk.log",),
    "BaseTrigger": ("airflow.triggers.base",),
    "TriggerEvent": ("airflow.triggers.base",),
    "AirflowProviderDeprecationWarning": ("airflow.exceptions",),
}
"""Name -> the modules that hold it, newest home first."""

OPTIONAL = frozenset({"amask_secret"})
"""Names that are ``None`` on Airflow versions without them."""

HOMES_BEFORE_3_1: dict[str, tuple[str, ...]] = {"BaseOperator": ("airflow.models.baseoperator",)}
"""Homes tried first on Airflow 3.0, where the newest home exists but is the wrong choice."""


def airflow_before_3_1() -> bool:
    from importlib.metadata import version

    major, minor = (int(part) for part in version("apache-airflow").split(".")[:2])
    return (major, minor) < (3, 1)


def resolve(name: str) -> tuple[Any, str]:
    """``(object, home module)`` of an Airflow name, from its first home that has it."""
    failures = []
    homes = HOMES[name]
    if name in HOMES_BEFORE_3_1 and airflow_before_3_1():
        homes = HOMES_BEFORE_3_1[name] + homes
    for home in homes:
        try:
            return getattr(importlib.import_module(home), name), home
        except (ImportError, AttributeError) as exc:
            failures.append(f"{home}: {exc}")
    if name in OPTIONAL:
        return None, ""
    raise ImportError(f"Airflow name {name!r} not found; tried {'; '.join(failures)}", name=name)


def __getattr__(name: str) -> Any:
    if name not in HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value, _ = resolve(name)
    globals()[name] = value
    return value


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


__all__ = [  # every key of HOMES, plus the helpers
    "HOMES",
    "HOMES_BEFORE_3_1",
    "OPTIONAL",
    "AfterRenderMixin",
    "AirflowFailException",
    "AirflowProviderDeprecationWarning",
    "AirflowSensorTimeout",
    "BaseHook",
    "BaseNotifier",
    "BaseOperator",
    "BaseSensorOperator",
    "BaseTrigger",
    "Connection",
    "Context",
    "PokeReturnValue",
    "TriggerEvent",
    "amask_secret",
    "conf",
    "mask_secret",
    "resolve",
]
