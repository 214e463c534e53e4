"""Parse an ``ippanel`` Airflow connection into client settings (no I/O, no Airflow calls).

Only the known extras are read; they are never forwarded as headers. Error messages name the
connection and the field, never a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ippanel_provider.client import DEFAULT_BASE_URL, Credentials
from ippanel_provider.get_provider_info import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT

if TYPE_CHECKING:
    from ippanel_provider.airflow_compat import Connection

KNOWN_EXTRAS = frozenset(
    {
        "sender",
        "connect_timeout",
        "read_timeout",
        "timeout",
        "totp_secret",
        "recipients_per_request",
        "verify",
        "proxy",
    }
)
DEPRECATED_EXTRAS = {
    "timeout": "use connect_timeout and read_timeout (a number here sets both, a [connect, read] "
    "pair each; connect_timeout/read_timeout win where both are set)",
}
LEGACY_PREFIX = "extra__ippanel__"
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


class IPPanelConnectionError(ValueError):
    """The Airflow connection cannot be turned into a client (names the field, never a secret)."""


def raw_secrets(conn: Connection, extras: dict[str, Any]) -> list[str]:
    """The secret values of a connection, before any parsing that could fail."""
    totp = extras.get("totp_secret") or extras.get(f"{LEGACY_PREFIX}totp_secret")
    return [str(s) for s in (conn.password, totp) if s]


@dataclass(frozen=True)
class IPPanelConnectionConfig:
    """Client settings read from one Airflow connection (secrets hidden from ``repr``)."""

    conn_id: str
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    credentials: Credentials | None = field(default=None, repr=False)
    sender: str | None = None
    timeout: tuple[float, float] = (float(DEFAULT_CONNECT_TIMEOUT), float(DEFAULT_READ_TIMEOUT))
    """(connect, read) seconds."""
    recipients_per_request: int | None = None
    verify: bool | str = True
    proxy: str | None = None
    ignored_extras: tuple[str, ...] = ()
    deprecated_extras: tuple[str, ...] = ()

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
            "timeout": self.timeout,
        }
        if self.recipients_per_request is not None:
            kwargs["recipients_per_request"] = self.recipients_per_request
        return kwargs

    @classmethod
    def from_connection(cls, conn: Connection, extras: dict[str, Any]) -> IPPanelConnectionConfig:
        conn_id = conn.conn_id
        cleaned = {
            key.removeprefix(LEGACY_PREFIX): value
            for key, value in extras.items()
            if value is not None and value != ""
        }
        unknown = tuple(sorted(k for k in cleaned if k not in KNOWN_EXTRAS))
        deprecated = tuple(sorted(k for k in cleaned if k in DEPRECATED_EXTRAS))
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
            timeout=_timeouts(conn_id, cleaned),
            recipients_per_request=_positive_int(
                conn_id, "recipients_per_request", cleaned.get("recipients_per_request")
            ),
            verify=_verify(conn_id, cleaned.get("verify", True)),
            proxy=_opt_str(cleaned.get("proxy")),
            ignored_extras=unknown,
            deprecated_extras=deprecated,
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


def _timeouts(conn_id: str, extras: dict[str, Any]) -> tuple[float, float]:
    """(connect, read) from ``connect_timeout``/``read_timeout``, else the deprecated ``timeout``,
    else the defaults."""
    connect, read = float(DEFAULT_CONNECT_TIMEOUT), float(DEFAULT_READ_TIMEOUT)
    legacy = extras.get("timeout")
    if legacy is not None:
        if isinstance(legacy, list | tuple) and len(legacy) == 2:
            connect = _seconds(conn_id, "timeout", legacy[0])
            read = _seconds(conn_id, "timeout", legacy[1])
        else:
            connect = read = _seconds(conn_id, "timeout", legacy)
    if extras.get("connect_timeout") is not None:
        connect = _seconds(conn_id, "connect_timeout", extras["connect_timeout"])
    if extras.get("read_timeout") is not None:
        read = _seconds(conn_id, "read_timeout", extras["read_timeout"])
    return connect, read


def _seconds(conn_id: str, name: str, value: Any) -> float:
    try:
        if not isinstance(value, bool) and float(value) > 0:
            return float(value)
    except (TypeError, ValueError):
        pass
    raise IPPanelConnectionError(
        f"Connection {conn_id!r}: extra {name!r} must be a positive number of seconds, "
        f"got {value!r}."
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
