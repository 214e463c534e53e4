"""Airflow connection handling for IPPanel: connection -> configured (async) client.

The hooks own the connection and nothing else. Everything a task does with the API goes through
the client they return (``get_conn()``), which knows nothing about Airflow.

Connection fields: ``host`` is the API base URL (the API is white-labelled, so any host works;
default https://edge.ippanel.com/v1), ``password`` the API key. With ``login`` set, ``password`` is
the account password and the client logs in (``totp_secret`` in the extras answers a Google
Authenticator step). Extras: ``sender``, ``connect_timeout`` and ``read_timeout`` (seconds,
default 5 and 30; the older ``timeout`` still works and sets both), ``totp_secret``,
``recipients_per_request``, ``verify``, ``proxy``; anything else is ignored with a warning.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ippanel_provider import airflow_compat
from ippanel_provider.airflow_compat import BaseHook
from ippanel_provider.hooks.connection_config import (
    DEPRECATED_EXTRAS,
    KNOWN_EXTRAS,
    IPPanelConnectionConfig,
    IPPanelConnectionError,
    raw_secrets,
)

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Connection
    from ippanel_provider.client import AsyncIPPanelClient, IPPanelClient
    from ippanel_provider.client.models import AccountInfo

__all__ = [
    "IPPanelAsyncHook",
    "IPPanelConnectionConfig",
    "IPPanelConnectionError",
    "IPPanelHook",
    "amask_secret",
    "mask_secret",
]


def mask_secret(value: str | None) -> None:
    """Register ``value`` with Airflow's secrets masker so task logs show ``***`` instead."""
    if value:
        airflow_compat.mask_secret(value)


async def amask_secret(value: str | None) -> None:
    """:func:`mask_secret` for the event loop (the triggerer's comms channel is async)."""
    if not value:
        return
    amask = airflow_compat.amask_secret
    if amask is None:  # Airflow < 3.3
        mask_secret(value)
        return
    await amask(value)


def _schedule_amask(value: str) -> None:
    """Mask from sync code running on the event loop without blocking it."""
    task = asyncio.get_running_loop().create_task(amask_secret(value))
    _PENDING_MASKS.add(task)
    task.add_done_callback(_PENDING_MASKS.discard)


_PENDING_MASKS: set[asyncio.Task[None]] = set()


RESERVED_CLIENT_KWARGS = frozenset({"base_url", "api_key", "credentials", "on_token"})
"""Client settings that only the connection (and the hook's masking) may give."""


class _IPPanelHookBase(BaseHook):
    conn_name_attr = "ippanel_conn_id"
    default_conn_name = "ippanel_default"
    conn_type = "ippanel"
    hook_name = "IPPanel"

    def __init__(
        self,
        ippanel_conn_id: str = default_conn_name,
        *,
        client_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        reserved = sorted(RESERVED_CLIENT_KWARGS.intersection(client_kwargs or {}))
        if reserved:
            raise ValueError(
                f"client_kwargs cannot set {', '.join(reserved)}: they come from the connection"
            )
        self.ippanel_conn_id = ippanel_conn_id
        self.client_kwargs: dict[str, Any] = dict(client_kwargs or {})

    def _client_settings(self, config: IPPanelConnectionConfig) -> dict[str, Any]:
        """The connection's settings, overridden by ``client_kwargs`` (retry policies, sleep,
        timeout...)."""
        return {**config.client_kwargs(), **self.client_kwargs}

    def _config_from(self, conn: Connection, extras: dict[str, Any]) -> IPPanelConnectionConfig:
        config = IPPanelConnectionConfig.from_connection(conn, extras)
        if config.ignored_extras:
            self.log.warning(
                "Connection %r: ignoring unknown extra field(s) %s; known fields are %s.",
                config.conn_id,
                ", ".join(config.ignored_extras),
                ", ".join(sorted(KNOWN_EXTRAS)),
            )
        for name in config.deprecated_extras:
            self.log.warning(
                "Connection %r: extra %r is deprecated: %s.",
                config.conn_id,
                name,
                DEPRECATED_EXTRAS[name],
            )
        return config


class IPPanelHook(_IPPanelHookBase):
    """Build and cache an :class:`IPPanelClient` from an ``ippanel`` connection.

    :param ippanel_conn_id: the connection id (default ``ippanel_default``).
    :param client_kwargs: extra :class:`IPPanelClient` arguments the connection does not hold,
        e.g. ``read_retry``/``send_retry`` (:class:`RetryPolicy`) or ``sleep``; they override the
        connection's ``timeout`` etc. Credentials always come from the connection.
    """

    def __init__(
        self,
        ippanel_conn_id: str = _IPPanelHookBase.default_conn_name,
        *,
        client_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(ippanel_conn_id, client_kwargs=client_kwargs)
        self._client: IPPanelClient | None = None

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields of the connection form for Airflow 3.0/3.1 (3.2+ reads provider info).

        Their UI API turns these wtforms fields into its form (wtforms comes with the FAB
        provider; without it only the JSON extra field shows). Defined here, on the registered
        hook class: Airflow reads these methods from the class's own ``__dict__`` only.
        """
        from wtforms import BooleanField, IntegerField, PasswordField, StringField

        from ippanel_provider.get_provider_info import CONNECTION_FIELDS

        widgets: dict[str, Any] = {}
        for name, spec in CONNECTION_FIELDS.items():
            label, description = spec["label"], spec.get("description", "")
            default = spec["schema"].get("default")
            types = spec["schema"]["type"]
            if spec["schema"].get("format") == "password":
                widgets[name] = PasswordField(label, description=description)
            elif "boolean" in types:
                widgets[name] = BooleanField(label, description=description, default=default)
            elif "integer" in types or "number" in types:
                widgets[name] = IntegerField(label, description=description, default=default)
            else:
                widgets[name] = StringField(label, description=description, default=default)
        return widgets

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabelled/hidden standard fields (Airflow 3.0/3.1; 3.2+ reads provider info)."""
        from ippanel_provider.get_provider_info import UI_FIELD_BEHAVIOUR

        return {
            "hidden_fields": list(UI_FIELD_BEHAVIOUR["hidden-fields"]),
            "relabeling": dict(UI_FIELD_BEHAVIOUR["relabeling"]),
            "placeholders": dict(UI_FIELD_BEHAVIOUR["placeholders"]),
        }

    @cached_property
    def config(self) -> IPPanelConnectionConfig:
        """The connection's settings, read once; its secrets are registered with the masker."""
        conn = self.get_connection(self.ippanel_conn_id)
        extras = conn.extra_dejson
        for secret in raw_secrets(conn, extras):
            mask_secret(secret)
        return self._config_from(conn, extras)

    @property
    def default_sender(self) -> str | None:
        """The connection's ``sender`` extra, or None."""
        return self.config.sender

    def get_conn(self) -> IPPanelClient:
        """The :class:`IPPanelClient` for the connection, built on first use and cached."""
        if self._client is None:
            from ippanel_provider.client import IPPanelClient

            config = self.config
            self._client = IPPanelClient(
                config.base_url, on_token=mask_secret, **self._client_settings(config)
            )
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials with ``check_token`` (read-only) and name the account."""
        try:
            account: AccountInfo = self.get_conn().check_token()
        except Exception as exc:
            return False, str(exc)
        return True, f"Connected as {account.name or account.user_name} ({account.user_name})"

    def close(self) -> None:
        """Close the cached client's HTTP session (a later :meth:`get_conn` builds a new one)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> IPPanelHook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class IPPanelAsyncHook(_IPPanelHookBase):
    """Build and cache an :class:`AsyncIPPanelClient`; for triggers and async code.

    The connection is read with Airflow's async connection getter, so the event loop is
    never blocked on the API server or the secrets backend.

    :param ippanel_conn_id: the connection id (default ``ippanel_default``).
    :param client_kwargs: extra :class:`AsyncIPPanelClient` arguments, as for
        :class:`IPPanelHook` (``sleep`` must be a coroutine function here).
    """

    def __init__(
        self,
        ippanel_conn_id: str = _IPPanelHookBase.default_conn_name,
        *,
        client_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(ippanel_conn_id, client_kwargs=client_kwargs)
        self._client: AsyncIPPanelClient | None = None
        self._config: IPPanelConnectionConfig | None = None

    async def get_config(self) -> IPPanelConnectionConfig:
        """The connection's settings, read once without blocking the event loop."""
        if self._config is None:
            aget = getattr(BaseHook, "aget_connection", None)
            if aget is not None:
                conn = await aget(self.ippanel_conn_id)
            else:  # Airflow 3.0 (asgiref is an Airflow dependency)
                from asgiref.sync import sync_to_async

                conn = await sync_to_async(self.get_connection)(self.ippanel_conn_id)
            aextras = getattr(conn, "aextra_dejson", None)
            extras = await aextras() if aextras is not None else conn.extra_dejson
            for secret in raw_secrets(conn, extras):
                await amask_secret(secret)
            self._config = self._config_from(conn, extras)
        return self._config

    async def get_conn(self) -> AsyncIPPanelClient:
        """The :class:`AsyncIPPanelClient` for the connection, built on first use and cached."""
        if self._client is None:
            from ippanel_provider.client import AsyncIPPanelClient

            config = await self.get_config()
            self._client = AsyncIPPanelClient(
                config.base_url, on_token=_schedule_amask, **self._client_settings(config)
            )
        return self._client

    async def close(self) -> None:
        """Close the cached client's HTTP session."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def __aenter__(self) -> IPPanelAsyncHook:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
