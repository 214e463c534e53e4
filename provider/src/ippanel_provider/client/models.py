"""Typed results and inputs. Numbers that arrive as strings become numbers here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def to_int(value: Any) -> int | None:
    """``"12"``, ``12`` and ``12.0`` → 12; ``None`` and ``""`` → None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return int(float(value))


def to_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


class OutboxState(IntEnum):
    """A bulk's ``state_id``."""

    CREATING = 0
    CREATED = 1
    SENDING = 2
    REJECTED = 3
    INVALID_RECIPIENTS = 4
    IN_SEND_QUEUE = 5
    SENT = 6
    CANCELED = 7
    INSUFFICIENT_CREDIT = 8
    SYSTEM_ERROR = 9

    @property
    def meaning(self) -> str:
        return _OUTBOX_MEANINGS[self]

    @property
    def is_final(self) -> bool:
        """The bulk will not change state any more."""
        return self not in {self.CREATING, self.CREATED, self.SENDING, self.IN_SEND_QUEUE}

    @property
    def is_failure(self) -> bool:
        """Final and nothing was (or will be) sent."""
        return self.is_final and self is not OutboxState.SENT


_OUTBOX_MEANINGS = {
    OutboxState.CREATING: "The message is in the process of create.",
    OutboxState.CREATED: "The message create successfully and is in the monitoring queue.",
    OutboxState.SENDING: "The message is in the process of sending.",
    OutboxState.REJECTED: "The message rejected by the monitoring system.",
    OutboxState.INVALID_RECIPIENTS: (
        "The recipients of this message were either entered incorrectly or are not valid."
    ),
    OutboxState.IN_SEND_QUEUE: "The message is in send queue.",
    OutboxState.SENT: "The message was sent successfully.",
    OutboxState.CANCELED: "The message sending has been canceled.",
    OutboxState.INSUFFICIENT_CREDIT: "Insufficient credit for sending.",
    OutboxState.SYSTEM_ERROR: "The message was not sent due to a system error.",
}


class MessageStatus(IntEnum):
    """A recipient's ``message_status``."""

    SENT_TO_OPERATOR = 0
    OPERATOR_RECEIVED = 1
    DELIVERED = 2
    NOT_DELIVERED = 3
    BLACKLISTED = 4

    @property
    def meaning(self) -> str:
        return _STATUS_MEANINGS[self]

    @property
    def is_final(self) -> bool:
        return self in {self.DELIVERED, self.NOT_DELIVERED, self.BLACKLISTED}

    @property
    def is_failure(self) -> bool:
        return self in {self.NOT_DELIVERED, self.BLACKLISTED}


_STATUS_MEANINGS = {
    MessageStatus.SENT_TO_OPERATOR: "Sent to the operator",
    MessageStatus.OPERATOR_RECEIVED: "Operator received the message",
    MessageStatus.DELIVERED: "Message delivered to the recipient",
    MessageStatus.NOT_DELIVERED: "Message not delivered to the recipient",
    MessageStatus.BLACKLISTED: "Blacklisted number",
}


@dataclass(frozen=True)
class Credentials:
    """Username/password login; ``totp_secret`` for Google Authenticator accounts."""

    username: str
    """The account's username."""
    password: str = field(repr=False)
    """The account's password (hidden from ``repr``)."""
    totp_secret: str | None = field(default=None, repr=False)
    """Base32 authenticator secret of a ``ga`` account; the client computes the TOTP code. None for
    other accounts.
    """


@dataclass(frozen=True)
class LoginResult:
    """``method`` is ``login`` (token final), ``ga`` or ``sms`` (token awaits an OTP)."""

    method: str
    """``login`` (the token is final), ``ga`` or ``sms`` (the token is temporary and awaits an OTP).
    """
    token: str = field(repr=False)
    """The token; final for ``login``, temporary (6 minutes) for ``ga`` and ``sms``. Hidden from
    ``repr``.
    """


@dataclass(frozen=True)
class AccountInfo:
    """The account behind an API key or token (``check_token``)."""

    user_name: str
    """The account's username."""
    user_id: int | None
    """IPPanel's numeric id of the account, when given."""
    name: str | None
    """The account holder's display name, when given."""
    is_reseller: bool
    """Whether the account is a reseller account."""
    send_block: bool
    """Whether sending is blocked for the account."""
    document_block: bool
    """Whether the account is blocked pending documents."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccountInfo:
        """Read the ``data`` of a ``check_token`` answer.

        :param data: the answer's ``data`` object.
        """
        return cls(
            user_name=str(data.get("user_name", "")),
            user_id=to_int(data.get("user_id")),
            name=data.get("name"),
            is_reseller=to_bool(data.get("is_reseller")),
            send_block=to_bool(data.get("send_block")),
            document_block=to_bool(data.get("document_block")),
        )


@dataclass(frozen=True)
class PriceQuote:
    """What one message would cost (per recipient) on MCI and on the other operators."""

    mci_price: float
    """Price in Rial of the message to one MCI recipient."""
    other_price: float
    """Price in Rial of the message to one recipient on another operator."""
    parts: int
    """Number of SMS parts the message is split into."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceQuote:
        """Read the ``data`` of a ``calculate-price`` answer (numbers may come as strings).

        :param data: the answer's ``data`` object.
        """
        mci, other, parts = (
            to_float(data["mci_price"]),
            to_float(data["other_price"]),
            to_int(data["parts"]),
        )
        if mci is None or other is None or parts is None:
            raise ValueError("price quote field missing")
        return cls(mci_price=mci, other_price=other, parts=parts)


@dataclass(frozen=True)
class SendResult:
    """Outbox ids of every request, in order; ``parts`` per message (max over messages)."""

    message_outbox_ids: list[int]
    """The bulk ids IPPanel assigned, one per request, in order (a send split into chunks has
    several). Pass them to the delivery sensor or the report methods.
    """
    recipients: int
    """Number of recipients sent to (after normalisation), over all requests."""
    parts: int
    """SMS parts per message (the largest over the messages of a peer-to-peer send)."""
    chunks: int
    """Number of ``POST /api/send`` requests the send took."""


@dataclass(frozen=True)
class PeerToPeerItem:
    """One text and the numbers that get it, in a peer-to-peer send."""

    recipients: Sequence[str]
    """The numbers that get ``message``."""
    message: str = field(repr=False)
    """The text for these recipients (hidden from ``repr``)."""


@dataclass(frozen=True)
class OperatorRange:
    """A window of one operator's audience: ``size`` numbers from offset ``start``."""

    start: int = 0
    """Offset into the operator's audience, counted from 0."""
    size: int = 0
    """How many numbers to take from ``start`` (0: none)."""


@dataclass(frozen=True)
class PostalCodeTarget:
    """One postal-code audience: how many numbers to take per operator."""

    postal_code: int
    """The 10-digit postal code of the area."""
    mci: OperatorRange = OperatorRange()
    """Which numbers of the MCI audience to take."""
    irancell: OperatorRange = OperatorRange()
    """Which numbers of the Irancell audience to take."""
    other: OperatorRange = OperatorRange()
    """Which numbers of the other operators' audience to take."""
    bank: str = "all"
    """``all``, or ``white`` to leave blacklisted numbers out."""
    gender: int = 0
    """0 everyone, 1 men, 2 women."""
    age_from: int | None = None
    """Lowest birth year, or None for no bound."""
    age_to: int | None = None
    """Highest birth year, or None for no bound."""

    def to_json(self) -> dict[str, Any]:
        """The target as ``POST /api/send`` takes it."""
        body: dict[str, Any] = {"bank": self.bank, "postal_code": self.postal_code}
        body["gender"] = self.gender
        if self.age_from is not None:
            body["age_from"] = self.age_from
        if self.age_to is not None:
            body["age_to"] = self.age_to
        for name in ("mci", "irancell", "other"):
            rng: OperatorRange = getattr(self, name)
            body[name] = {"start": rng.start, "size": rng.size}
        return body


def _unix(value: datetime | int | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"report filter date {value.isoformat()} has no timezone")
        return str(int(value.timestamp()))
    return str(int(value))


@dataclass(frozen=True)
class OutboxFilters:
    """Filters of the outbox report; dates are aware datetimes or unix seconds."""

    username: str | None = None
    """Only bulks of this (sub-)user; ``*`` for all."""
    number: str | None = None
    """Only bulks sent from this line number."""
    messages_outbox_id: int | None = None
    """Only this bulk."""
    create_from_date: datetime | int | None = None
    """Created at or after: an aware datetime or unix seconds."""
    create_to_date: datetime | int | None = None
    """Created at or before: an aware datetime or unix seconds."""
    send_from_date: datetime | int | None = None
    """Sent at or after: an aware datetime or unix seconds."""
    send_to_date: datetime | int | None = None
    """Sent at or before: an aware datetime or unix seconds."""
    from_exit_count: int | None = None
    """At least this many recipients."""
    to_exit_count: int | None = None
    """At most this many recipients."""
    message: str | None = None
    """Only bulks whose text contains this."""
    state_id: OutboxState | int | None = None
    """Only bulks in this state (:class:`OutboxState`, 0-9)."""

    def to_json(self) -> dict[str, Any]:
        """The ``filters`` object of the report request (dates as unix-second strings)."""
        body: dict[str, Any] = {
            "username": self.username,
            "number": self.number,
            "messages_outbox_id": (
                None if self.messages_outbox_id is None else str(self.messages_outbox_id)
            ),
            "create_from_date": _unix(self.create_from_date),
            "create_to_date": _unix(self.create_to_date),
            "send_from_date": _unix(self.send_from_date),
            "send_to_date": _unix(self.send_to_date),
            "from_exit_count": self.from_exit_count,
            "to_exit_count": self.to_exit_count,
            "message": self.message,
            "state_id": None if self.state_id is None else str(int(self.state_id)),
        }
        return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class OutboxBulk:
    """One bulk of the outbox report (times are unix seconds, as IPPanel gives them)."""

    messages_outbox_id: int
    """The bulk id (what the send returned)."""
    state_id: OutboxState | None
    """The bulk's state (:class:`OutboxState`: 6 sent, 5 queued or scheduled, 3/4/7/8/9 failures),
    None if absent.
    """
    state: str | None
    """IPPanel's state name, e.g. ``finish``."""
    status: str | None
    """IPPanel's (Persian) status text, e.g. ``پایان یافته``."""
    type: str | None
    """The sending type as IPPanel reports it, e.g. ``webservice`` or ``pattern``."""
    number: str | None
    """The sender line number."""
    time: int | None
    """When the bulk was created, in unix seconds."""
    time_send: int | None
    """When it was (or is scheduled to be) sent, in unix seconds."""
    rcpts_count: int | None
    """Number of recipients of the bulk."""
    exit_count: int | None
    """Number of SMS that left, as IPPanel counts them."""
    part: int | None
    """SMS parts per message, when IPPanel gives it."""
    cost: float | None
    """What the bulk cost, in Rial."""
    message: str | None = field(repr=False)
    """The text (hidden from ``repr``)."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The report row as IPPanel sent it, for fields not modelled here."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutboxBulk:
        """Read one report row; numeric fields may come as strings.

        :param data: one row of the report's ``data``.
        """
        state_id = to_int(data.get("state_id"))
        bulk_id = to_int(data.get("messages_outbox_id"))
        if bulk_id is None:
            raise ValueError("bulk without messages_outbox_id")
        return cls(
            messages_outbox_id=bulk_id,
            state_id=None if state_id is None else OutboxState(state_id),
            state=data.get("state"),
            status=data.get("status"),
            type=data.get("type"),
            number=data.get("number"),
            time=to_int(data.get("time")),
            time_send=to_int(data.get("time_send")),
            rcpts_count=to_int(data.get("rcpts_count")),
            exit_count=to_int(data.get("exit_count")),
            part=to_int(data.get("part")),
            cost=to_float(data.get("cost")),
            message=data.get("message"),
            raw=dict(data),
        )


STAT_CATEGORIES = ("pending", "sent", "delivered", "failed", "blacklist")


@dataclass(frozen=True)
class BulkStats:
    """Recipient counts of a bulk: ``counts[category][operator][en|fa]``."""

    counts: Mapping[str, Mapping[str, Mapping[str, int]]]
    """Recipients per ``category`` (``pending``, ``sent``, ``delivered``, ``failed``,
    ``blacklist``), then operator (``mci``, ``irancell``, ...), then language of the text
    (``en``, ``fa``).
    """

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BulkStats:
        """Read the ``data`` of ``bulk_stats`` (keys ``operators_<category>``).

        :param data: the answer's ``data`` object.
        """
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for key, operators in data.items():
            category = key.removeprefix("operators_")
            if not isinstance(operators, Mapping):
                continue
            counts[category] = {
                op: {lang: to_int(n) or 0 for lang, n in langs.items()}
                for op, langs in operators.items()
                if isinstance(langs, Mapping)
            }
        return cls(counts)

    def total(self, category: str) -> int:
        """All recipients in ``category``, over operators and languages.

        :param category: ``pending``, ``sent``, ``delivered``, ``failed`` or ``blacklist``.
        """
        return sum(sum(langs.values()) for langs in self.counts.get(category, {}).values())

    @property
    def delivered(self) -> int:
        """Recipients delivered."""
        return self.total("delivered")

    @property
    def failed(self) -> int:
        """Recipients not delivered."""
        return self.total("failed")

    @property
    def blacklisted(self) -> int:
        """Recipients on a blacklist."""
        return self.total("blacklist")

    @property
    def pending(self) -> int:
        """Recipients without a status yet."""
        return self.total("pending")

    @property
    def sent(self) -> int:
        """Recipients sent to the operator, not yet final."""
        return self.total("sent")


@dataclass(frozen=True)
class BulkRecipient:
    """``message_status`` is None until the bulk is final."""

    recipient: str
    """The number, as ``+989...``."""
    message_status: MessageStatus | None
    """The recipient's :class:`MessageStatus` (0 sent to operator, 1 operator received, 2 delivered,
    3 not delivered, 4 blacklisted); None while IPPanel gives none.
    """
    msg_parts: int | None
    """SMS parts of the message."""
    is_readable: bool
    """Whether IPPanel lets the account read the text."""
    message: str | None = field(repr=False)
    """The text (hidden from ``repr``), when readable."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BulkRecipient:
        """Read one row of the recipients report; numeric fields may come as strings.

        :param data: one row of the report's ``data``.
        """
        status = to_int(data.get("message_status"))
        return cls(
            recipient=str(data.get("recipient", "")),
            message_status=None if status is None else MessageStatus(status),
            msg_parts=to_int(data.get("msg_parts")),
            is_readable=to_bool(data.get("is_readable")),
            message=data.get("message"),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list, with Laravel's paginator fields."""

    items: list[T]
    """The rows of this page."""
    current_page: int
    """This page's number, counted from 1."""
    last_page: int
    """The number of the last page."""
    per_page: int
    """Rows per page asked for."""
    total: int
    """Rows over all pages."""

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.current_page < self.last_page
