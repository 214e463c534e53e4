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
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class LoginResult:
    """``method`` is ``login`` (token final), ``ga`` or ``sms`` (token awaits an OTP)."""

    method: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class AccountInfo:
    user_name: str
    user_id: int | None
    name: str | None
    is_reseller: bool
    send_block: bool
    document_block: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccountInfo:
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
    other_price: float
    parts: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PriceQuote:
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
    recipients: int
    parts: int
    chunks: int


@dataclass(frozen=True)
class PeerToPeerItem:
    recipients: Sequence[str]
    message: str = field(repr=False)


@dataclass(frozen=True)
class OperatorRange:
    start: int = 0
    size: int = 0


@dataclass(frozen=True)
class PostalCodeTarget:
    """One postal-code audience: how many numbers to take per operator."""

    postal_code: int
    mci: OperatorRange = OperatorRange()
    irancell: OperatorRange = OperatorRange()
    other: OperatorRange = OperatorRange()
    bank: str = "all"
    gender: int = 0
    age_from: int | None = None
    age_to: int | None = None

    def to_json(self) -> dict[str, Any]:
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
    number: str | None = None
    messages_outbox_id: int | None = None
    create_from_date: datetime | int | None = None
    create_to_date: datetime | int | None = None
    send_from_date: datetime | int | None = None
    send_to_date: datetime | int | None = None
    from_exit_count: int | None = None
    to_exit_count: int | None = None
    message: str | None = None
    state_id: OutboxState | int | None = None

    def to_json(self) -> dict[str, Any]:
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
    state_id: OutboxState | None
    state: str | None
    status: str | None
    type: str | None
    number: str | None
    time: int | None
    time_send: int | None
    rcpts_count: int | None
    exit_count: int | None
    part: int | None
    cost: float | None
    message: str | None = field(repr=False)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OutboxBulk:
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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BulkStats:
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
        """All recipients in ``category`` (pending, sent, delivered, failed, blacklist)."""
        return sum(sum(langs.values()) for langs in self.counts.get(category, {}).values())

    @property
    def delivered(self) -> int:
        return self.total("delivered")

    @property
    def failed(self) -> int:
        return self.total("failed")

    @property
    def blacklisted(self) -> int:
        return self.total("blacklist")

    @property
    def pending(self) -> int:
        return self.total("pending")

    @property
    def sent(self) -> int:
        return self.total("sent")


@dataclass(frozen=True)
class BulkRecipient:
    """``message_status`` is None until the bulk is final."""

    recipient: str
    message_status: MessageStatus | None
    msg_parts: int | None
    is_readable: bool
    message: str | None = field(repr=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BulkRecipient:
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
    current_page: int
    last_page: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.current_page < self.last_page
