"""Airflow-free IPPanel Edge API client: a sans-I/O protocol layer and two thin transports."""

from .aio import AsyncIPPanelClient
from .errors import (
    InvalidRecipientsError,
    IPPanelApiError,
    IPPanelAuthError,
    IPPanelError,
    IPPanelLoginError,
    IPPanelNotFoundError,
    IPPanelRateLimitError,
    IPPanelResponseLostError,
    IPPanelSendOutcomeUnknown,
    IPPanelServerError,
    IPPanelTransportError,
    IPPanelValidationError,
)
from .models import (
    AccountInfo,
    BulkRecipient,
    BulkStats,
    Credentials,
    LoginResult,
    MessageStatus,
    OperatorRange,
    OutboxBulk,
    OutboxFilters,
    OutboxState,
    Page,
    PeerToPeerItem,
    PostalCodeTarget,
    SendResult,
)
from .parts import MessageParts, message_parts
from .protocol import DEFAULT_BASE_URL, ApiRequest, MultipartField, parse_envelope, parse_response
from .recipients import normalize_recipient, normalize_recipients
from .retry import NO_RETRY, READ_RETRY, SEND_RETRY, RetryPolicy
from .schedule import to_send_time
from .sync import IPPanelClient

__all__ = [
    "DEFAULT_BASE_URL",
    "NO_RETRY",
    "READ_RETRY",
    "SEND_RETRY",
    "AccountInfo",
    "ApiRequest",
    "AsyncIPPanelClient",
    "BulkRecipient",
    "BulkStats",
    "Credentials",
    "IPPanelApiError",
    "IPPanelAuthError",
    "IPPanelClient",
    "IPPanelError",
    "IPPanelLoginError",
    "IPPanelNotFoundError",
    "IPPanelRateLimitError",
    "IPPanelResponseLostError",
    "IPPanelSendOutcomeUnknown",
    "IPPanelServerError",
    "IPPanelTransportError",
    "IPPanelValidationError",
    "InvalidRecipientsError",
    "LoginResult",
    "MessageParts",
    "MessageStatus",
    "MultipartField",
    "OperatorRange",
    "OutboxBulk",
    "OutboxFilters",
    "OutboxState",
    "Page",
    "PeerToPeerItem",
    "PostalCodeTarget",
    "RetryPolicy",
    "SendResult",
    "message_parts",
    "normalize_recipient",
    "normalize_recipients",
    "parse_envelope",
    "parse_response",
    "to_send_time",
]
