"""Typed results and inputs of the account and send operations, and a page of any list.

The report types (``OutboxState``, ``OutboxBulk``, ...) live in ``report_models.py`` and are
importable from here too, as before."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from .convert import to_bool, to_float, to_int
from .report_models import (  # noqa: F401  (importable from here, as before they moved)
    STAT_CATEGORIES,
    BulkRecipient,
    BulkStats,
    MessageStatus,
    OutboxBulk,
    OutboxFilters,
    OutboxState,
)

T = TypeVar("T")


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
    """The area: the first 2 to 5 digits of its postal codes, e.g. 131."""
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
    """Lowest birth year (Solar Hijri, 1300-1410), or None for no bound."""
    age_to: int | None = None
    """Highest birth year (Solar Hijri, 1300-1410), or None for no bound."""

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
