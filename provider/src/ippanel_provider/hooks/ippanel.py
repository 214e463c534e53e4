"""Airflow connection handling for IPPanel: connection -> configured (async) client.

The hooks own the connection and nothing else. Everything a task does with the API goes through
the client they return (``get_conn()``), which knows nothing about Airflow.

Connection fields: ``host`` is the API base URL (the API is white-labelled, so any host works;
default https://edge.ippanel.com/v1), ``password`` the API key. With ``login`` set, ``password`` is
the account password and the client logs in (``totp_secret`` in the extras answers a Google
Authenticator step). Extras: ``sender``, ``timeout``, ``totp_secret``, ``recipients_per_request``,
``verify``, ``proxy``; anything else is ignored with a warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow.sdk import BaseHook

from ippanel_provider.client import (
    DEFAULT_BASE_URL,
    AsyncIPPanelClient,
    Credentials,
    IPPanelClient,
)

if TYPE_CHECKING:
    from airflow.sdk import Connection

    from ippanel_provider.client.models import AccountInfo

log = logging.getLogger(__name__)

KNOWN_EXTRAS = frozenset(
    {"sender", "timeout", "totp_secret", "recipients_per_request", "verify", "proxy"}
)
_LEGACY_PREFIX = "extra__ippanel__"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class IPPanelConnectionError(ValueError):
    """The Airflow connection cannot be turned into a client (names the field, never a secret)."""


def mask_secret(value: str | None) -> None:
    """Register ``value`` with Airflow's secrets masker so task logs show ``***`` instead."""
    if not value:
        return
    try:
        from airflow.sdk.log import mask_secret as _mask
    except ImportError:  # Airflow 3.0
        from airflow.sdk.execution_time.secrets_masker import (  # type: ignore[no-redef]
            mask_secret as _mask,
        )
    _mask(value)


async def amask_secret(value: str | None) -> None:
    """:func:`mask_secret` for the event loop (the triggerer's comms channel is async)."""
    if not value:
        return
    try:
        from airflow.sdk.log import amask_secret as _amask
    except ImportError:  # Airflow < 3.2
        mask_secret(value)
        return
    await _amask(value)


def _schedule_amask(value: str) -> None:
    """Mask from sync code running on the event loop without blocking it."""
    task = asyncio.get_running_loop().create_task(amask_secret(value))
    _PENDING_MASKS.add(task)
    task.add_done_callback(_PENDING_MASKS.discard)


_PENDING_MASKS: set[asyncio.Task[None]] = set()


def _mask_login_tokens(client: object, mask: Callable[[str], None]) -> None:
    """Mask each login token the client stores (username/password connections)."""
    auth = getattr(client, "_auth", None)
    store = getattr(auth, "store", None)
    if auth is None or not callable(store):
        return

    def store_and_mask(token: str) -> None:
        mask(token)
        store(token)

    auth.store = store_and_mask


def _raw_secrets(conn: Connection, extras: dict[str, Any]) -> list[str]:
    totp = extras.get("totp_secret") or extras.get(f"{_LEGACY_PREFIX}totp_secret")
    return [str(s) for s in (conn.password, totp) if s]


@dataclass(frozen=True)
class IPPanelConnectionConfig:
    """Client settings read from one Airflow connection (secrets hidden from ``repr``)."""

    conn_id: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    credentials: Credentials | None = field(default=None, repr=False)
    sender: str | None = None
    timeout: float | tuple[float, float] | None = None
    recipients_per_request: int | None = None
    verify: bool | str = True
    proxy: str | None = None
    ignored_extras: tuple[str, ...] = ()

    @property
    def secrets(self) -> list[str]:
        found = [self.api_key]
        if self.credentials is not None:
            found += [self.credentials.password, self.credentials.totp_secret]
        return [s for s in found if s]

    def client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "api_key": self.api_key,
            "credentials": self.credentials,
            "verify": self.verify,
            "proxy": self.proxy,
            "default_sender": self.sender,
        }
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        if self.recipients_per_request is not None:
            kwargs["recipients_per_request"] = self.recipients_per_request
        return kwargs

    @classmethod
    def from_connection(cls, conn: Connection, extras: dict[str, Any]) -> IPPanelConnectionConfig:
        conn_id = conn.conn_id
        cleaned = {
            key.removeprefix(_LEGACY_PREFIX): value
            for key, value in extras.items()
            if value is not None and value != ""
        }
        unknown = tuple(sorted(k for k in cleaned if k not in KNOWN_EXTRAS))
        secret = conn.password or None
        totp = _opt_str(cleaned.get("totp_secret"))
        if conn.login:
            if not secret:
                raise IPPanelConnectionError(
                    f"Connection {conn_id!r} has a username but no password; set the password, "
                    "or remove the username and put the API key in the password field."
                )
            api_key, credentials = None, Credentials(conn.login, secret, totp)
        elif secret:
            api_key, credentials = secret, None
        else:
            raise IPPanelConnectionError(
                f"Connection {conn_id!r} has no API key: put it in the password field "
                "(or set a username and password to log in)."
            )
        return cls(
            conn_id=conn_id,
            base_url=_base_url(conn),
            api_key=api_key,
            credentials=credentials,
            sender=_opt_str(cleaned.get("sender")),
            timeout=_timeout(conn_id, cleaned.get("timeout")),
            recipients_per_request=_positive_int(
                conn_id, "recipients_per_request", cleaned.get("recipients_per_request")
            ),
            verify=_verify(conn_id, cleaned.get("verify", True)),
            proxy=_opt_str(cleaned.get("proxy")),
            ignored_extras=unknown,
        )


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _base_url(conn: Connection) -> str:
    raw = (conn.host or "").strip()
    host = raw.rstrip("/")
    if not raw:
        return DEFAULT_BASE_URL
    if "://" in raw:
        url = host
    else:
        scheme = (conn.schema or "https").strip()
        url = f"{scheme}://{host}"
    parts = urlsplit(url)
    if not parts.scheme or not parts.hostname:
        raise IPPanelConnectionError(
            f"Connection {conn.conn_id!r}: host {host!r} is not a URL "
            "(expected e.g. https://edge.ippanel.com/v1)."
        )
    if conn.port and parts.port is None:
        url = parts._replace(netloc=f"{parts.netloc}:{conn.port}").geturl()
    return url


def _timeout(conn_id: str, value: Any) -> float | tuple[float, float] | None:
    if value is None:
        return None
    try:
        if isinstance(value, list | tuple) and len(value) == 2:
            connect, read = float(value[0]), float(value[1])
            if connect > 0 and read > 0:
                return (connect, read)
        elif not isinstance(value, bool) and float(value) > 0:
            return float(value)
    except (TypeError, ValueError):
        pass
    raise IPPanelConnectionError(
        f"Connection {conn_id!r}: extra 'timeout' must be a positive number of seconds "
        f"or a [connect, read] pair, got {value!r}."
    )


def _positive_int(conn_id: str, name: str, value: Any) -> int | None:
    if value is None:
        return None
    try:
        number = int(str(value))
    except ValueError:
        number = 0
    if isinstance(value, bool) or number < 1:
        raise IPPanelConnectionError(
            f"Connection {conn_id!r}: extra {name!r} must be a positive integer, got {value!r}."
        )
    return number


def _verify(conn_id: str, value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    if text:
        return text  # a CA bundle path
    raise IPPanelConnectionError(f"Connection {conn_id!r}: extra 'verify' is empty.")


class _IPPanelHookBase(BaseHook):
    conn_name_attr = "ippanel_conn_id"
    default_conn_name = "ippanel_default"
    conn_type = "ippanel"
    hook_name = "IPPanel"

    def __init__(self, ippanel_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.ippanel_conn_id = ippanel_conn_id

    def _config_from(self, conn: Connection, extras: dict[str, Any]) -> IPPanelConnectionConfig:
        config = IPPanelConnectionConfig.from_connection(conn, extras)
        if config.ignored_extras:
            self.log.warning(
                "Connection %r: ignoring unknown extra field(s) %s; known fields are %s.",
                config.conn_id,
                ", ".join(config.ignored_extras),
                ", ".join(sorted(KNOWN_EXTRAS)),
            )
        return config

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra fields of the connection form (Airflow 3.0/3.1; 3.2+ reads provider info)."""
        from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget, BS3TextFieldWidget
        from flask_babel import lazy_gettext
        from wtforms import BooleanField, IntegerField, PasswordField, StringField

        from ippanel_provider.get_provider_info import CONNECTION_FIELDS

        widgets: dict[str, Any] = {}
        for name, spec in CONNECTION_FIELDS.items():
            label = lazy_gettext(spec["label"])
            description = spec.get("description", "")
            types = spec["schema"]["type"]
            if spec["schema"].get("format") == "password":
                widgets[name] = PasswordField(label, widget=BS3PasswordFieldWidget())
            elif "boolean" in types:
                widgets[name] = BooleanField(label, default=spec["schema"].get("default"))
            elif "integer" in types:
                widgets[name] = IntegerField(label, description=description)
            else:
                widgets[name] = StringField(
                    label, widget=BS3TextFieldWidget(), description=description
                )
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


class IPPanelHook(_IPPanelHookBase):
    """Build and cache an :class:`IPPanelClient` from an ``ippanel`` connection.

    :param ippanel_conn_id: the connection id (default ``ippanel_default``).
    """

    def __init__(self, ippanel_conn_id: str = _IPPanelHookBase.default_conn_name) -> None:
        super().__init__(ippanel_conn_id)
        self._client: IPPanelClient | None = None

    @cached_property
    def config(self) -> IPPanelConnectionConfig:
        conn = self.get_connection(self.ippanel_conn_id)
        extras = conn.extra_dejson
        for secret in _raw_secrets(conn, extras):
            mask_secret(secret)
        return self._config_from(conn, extras)

    @property
    def default_sender(self) -> str | None:
        return self.config.sender

    def get_conn(self) -> IPPanelClient:
        if self._client is None:
            config = self.config
            self._client = IPPanelClient(config.base_url, **config.client_kwargs())
            _mask_login_tokens(self._client, mask_secret)
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        """Check the credentials with ``check_token`` (read-only) and name the account."""
        try:
            account: AccountInfo = self.get_conn().check_token()
        except Exception as exc:
            return False, str(exc)
        return True, f"Connected as {account.name or account.user_name} ({account.user_name})"

    def close(self) -> None:
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
    """

    def __init__(self, ippanel_conn_id: str = _IPPanelHookBase.default_conn_name) -> None:
        super().__init__(ippanel_conn_id)
        self._client: AsyncIPPanelClient | None = None
        self._config: IPPanelConnectionConfig | None = None

    async def get_config(self) -> IPPanelConnectionConfig:
        if self._config is None:
            aget = getattr(BaseHook, "aget_connection", None)
            if aget is not None:
                conn = await aget(self.ippanel_conn_id)
            else:  # Airflow 3.0
                from asgiref.sync import sync_to_async

                conn = await sync_to_async(self.get_connection)(self.ippanel_conn_id)
            aextras = getattr(conn, "aextra_dejson", None)
            extras = await aextras() if aextras is not None else conn.extra_dejson
            for secret in _raw_secrets(conn, extras):
                await amask_secret(secret)
            self._config = self._config_from(conn, extras)
        return self._config

    async def get_conn(self) -> AsyncIPPanelClient:
        if self._client is None:
            config = await self.get_config()
            self._client = AsyncIPPanelClient(config.base_url, **config.client_kwargs())
            _mask_login_tokens(self._client, _schedule_amask)
        return self._client

    async def close(self) -> None:
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
