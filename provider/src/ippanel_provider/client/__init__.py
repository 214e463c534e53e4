"""Airflow-free IPPanel Edge API client: a sans-I/O protocol layer and two thin transports.

The transports load on first use: ``IPPanelClient`` imports ``requests``, ``AsyncIPPanelClient``
imports ``aiohttp``, and neither pays for the other (the Airflow triggerer imports only the
async one, inside its event loop).
"""

from typing import TYPE_CHECKING, Any

from .api import IPPanelApi
from .audience_models import (
    AudienceCounts,
    CountryTarget,
    GeoTarget,
    InboxMessage,
    JobSubCategory,
    JobTarget,
    OperatorWindow,
    Place,
)
from .errors import (
    InvalidRecipientsError,
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelCredentialsError,
    IPPanelError,
    IPPanelLoginError,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelResponseLostError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    IPPanelTLSError,
    IPPanelTransportError,
    IPPanelValidationError,
)
from .inbox import InboxQuery, InboxScan
from .models import (
    AccountInfo,
    Credentials,
    LoginResult,
    OperatorRange,
    Page,
    PeerToPeerItem,
    PostalCodeTarget,
    PriceQuote,
    SendResult,
)
from .parts import MessageParts, message_parts
from .phonebook_models import (
    Contact,
    ImportResult,
    NewContact,
    Phonebook,
    PhonebookOption,
    StoreCounts,
)
from .protocol import DEFAULT_BASE_URL, ApiRequest, MultipartField, parse_envelope, parse_response
from .recipients import normalize_recipient, normalize_recipients
from .report_models import (
    BulkRecipient,
    BulkStats,
    MessageStatus,
    OutboxBulk,
    OutboxFilters,
    OutboxState,
)
from .retry import NO_RETRY, READ_RETRY, SEND_RETRY, RetryPolicy
from .schedule import to_send_time
from .stored import Draft, DraftGroup, Pattern, PatternVariable, SenderLine

if TYPE_CHECKING:
    from .aio import AsyncIPPanelClient
    from .sync import IPPanelClient

_TRANSPORTS = {"IPPanelClient": "sync", "AsyncIPPanelClient": "aio"}


def __getattr__(name: str) -> Any:
    if name in _TRANSPORTS:
        from importlib import import_module

        value = getattr(import_module(f".{_TRANSPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "DEFAULT_BASE_URL",
    "NO_RETRY",
    "READ_RETRY",
    "SEND_RETRY",
    "AccountInfo",
    "ApiRequest",
    "AsyncIPPanelClient",
    "AudienceCounts",
    "BulkRecipient",
    "BulkStats",
    "Contact",
    "CountryTarget",
    "Credentials",
    "Draft",
    "DraftGroup",
    "GeoTarget",
    "IPPanelApi",
    "IPPanelApiError",
    "IPPanelAuthError",
    "IPPanelClient",
    "IPPanelCredentialsError",
    "IPPanelError",
    "IPPanelLoginError",
    "IPPanelNotFoundError",
    "IPPanelRateLimitError",
    "IPPanelResponseLostError",
    "IPPanelSendOutcomeUnknown",
    "IPPanelServerError",
    "IPPanelTLSError",
    "IPPanelTransportError",
    "IPPanelValidationError",
    "ImportResult",
    "InboxMessage",
    "InboxQuery",
    "InboxScan",
    "InvalidRecipientsError",
    "JobSubCategory",
    "JobTarget",
    "LoginResult",
    "MessageParts",
    "MessageStatus",
    "MultipartField",
    "NewContact",
    "OperatorRange",
    "OperatorWindow",
    "OutboxBulk",
    "OutboxFilters",
    "OutboxState",
    "Page",
    "Pattern",
    "PatternVariable",
    "PeerToPeerItem",
    "Phonebook",
    "PhonebookOption",
    "Place",
    "PostalCodeTarget",
    "PriceQuote",
    "RetryPolicy",
    "SendResult",
    "SenderLine",
    "StoreCounts",
    "message_parts",
    "normalize_recipient",
    "normalize_recipients",
    "parse_envelope",
    "parse_response",
    "to_send_time",
]
