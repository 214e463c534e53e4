"""The outbox and delivery reports' types: a bulk's state, a recipient's status, the report's
filters, a bulk, its counts and its recipients. Times are unix seconds, as IPPanel gives them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

from .convert import to_bool, to_float, to_int


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
