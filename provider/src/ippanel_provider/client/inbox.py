"""Which received SMS a waiting task wants: :class:`InboxQuery`, written once for the inbox
sensor (sync) and its trigger (async). No Airflow, no I/O.

Texts are compared folded: Persian and Arabic-Indic digits as ASCII, case ignored, surrounding
spaces and punctuation (``.!?،؛``) dropped, inner runs of spaces as one. So ``" yes! "`` is the
option ``YES`` and ``"کد ۱۲۳"`` matches the pattern ``کد (\\d+)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .audience_models import InboxMessage
from .errors import InvalidRecipientsError
from .recipients import coerce_recipients, normalize_recipients

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2, "\u200c\u200d\u200e\u200f")
_EDGES = " \t\r\n.!?,;:\u060c\u061b\u061f\u06d4"
_SPACES = re.compile(r"\s+")
_LINE_NOISE = str.maketrans("", "", " -()\u00a0")


def digits_ascii(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits as ASCII (and no zero-width marks)."""
    return text.translate(_DIGITS)


def fold(text: str) -> str:
    """What a reply says, for comparing: digits ASCII, case folded, edges and spacing trimmed."""
    return _SPACES.sub(" ", digits_ascii(text).strip(_EDGES)).casefold()


def normalize_line(value: str | int) -> str:
    """A line number as IPPanel shows it: ``+98`` and its digits (``3000505``, ``983000505``,
    ``+98 3000 505`` → ``+983000505``); a non-numeric line (``+98BANK``) as given."""
    text = digits_ascii(str(value)).translate(_LINE_NOISE)
    digits = text.removeprefix("+")
    if not digits.isdigit():
        return str(value).strip()
    if digits.startswith("0098"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = "98" + digits[1:]
    elif not digits.startswith("98"):
        digits = "98" + digits
    return "+" + digits


def _epoch(value: datetime | float | int | str | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"received_after {value.isoformat()} has no timezone")
        return value.timestamp()
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            return _epoch(datetime.fromisoformat(text.replace("Z", "+00:00")))
    return float(value)


@dataclass(frozen=True)
class InboxQuery:
    """What a wanted reply looks like; every condition given must hold.

    :param senders: the phones it may come from, in any number form (empty: anyone).
    :param line: the account's line it must arrive on (None: any).
    :param text: the whole reply, compared folded (see the module).
    :param pattern: a regular expression searched in the reply (digits made ASCII, case
        ignored).
    :param options: the replies that count, e.g. ``("YES", "NO")``, compared folded; the
        option matched is the message's *choice*.
    :param received_after: unix seconds; earlier messages are ignored.
    """

    senders: tuple[str, ...] = ()
    line: str | None = None
    text: str | None = None
    pattern: str | None = None
    options: tuple[str, ...] = ()
    received_after: float | None = None
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        given = [name for name in ("text", "pattern", "options") if getattr(self, name)]
        if len(given) > 1:
            raise ValueError(f"give one of text, pattern or options, not {' and '.join(given)}")
        if self.pattern:
            try:
                regex = re.compile(digits_ascii(self.pattern), re.IGNORECASE)
            except re.error as exc:
                raise ValueError(
                    f"pattern {self.pattern!r} is not a regular expression: {exc}"
                ) from None
            object.__setattr__(self, "_regex", regex)
        folded = [fold(option) for option in self.options]
        empty = [i for i, option in enumerate(folded, start=1) if not option]
        if empty:
            raise ValueError(f"options {empty} are empty (positions count from 1)")

    @classmethod
    def build(
        cls,
        *,
        senders: str | int | Iterable[str | int] | None = None,
        line: str | int | None = None,
        text: str | None = None,
        pattern: str | None = None,
        options: str | Iterable[str] | None = None,
        received_after: datetime | float | int | str | None = None,
    ) -> InboxQuery:
        """A query from loosely typed input (rendered templates): numbers normalized (every
        bad one named, 1-based), one option or a list, times as datetimes, ISO text or unix
        seconds.

        :param senders: one phone, a comma-separated string or a list, in any number form;
            None or empty: anyone.
        :param line: the account's line (``3000505``, ``+983000505``); None or empty: any.
        :param text: the whole reply wanted; None or empty: no such condition.
        :param pattern: a regular expression searched in the reply; None or empty: none.
        :param options: one option or a list of them; None: no options.
        :param received_after: an aware datetime, ISO text or unix seconds; None: no lower
            bound. A naive datetime is refused.
        """
        numbers: list[str] = []
        if senders not in (None, "", [], ()):
            try:
                numbers = normalize_recipients(coerce_recipients(senders, what="from_numbers"))
            except InvalidRecipientsError as exc:
                raise InvalidRecipientsError(
                    exc.invalid, exc.total, context="from_numbers"
                ) from None
        if isinstance(options, str):
            options = [options]
        return cls(
            senders=tuple(dict.fromkeys(numbers)),
            line=None if line in (None, "") else normalize_line(line),
            text=text or None,
            pattern=pattern or None,
            options=tuple(str(option) for option in options or ()),
            received_after=_epoch(received_after),
        )

    def choice(self, message: InboxMessage) -> str | None:
        """The option ``message`` answers (as the option was given), else None.

        :param message: a received SMS.
        """
        said = fold(message.text)
        return next((option for option in self.options if fold(option) == said), None)

    def too_old(self, message: InboxMessage) -> bool:
        """Received before ``received_after``; inbox times are whole seconds, so a message
        of the same second still counts.

        :param message: a received SMS.
        """
        return self.received_after is not None and message.time < math.floor(self.received_after)

    def matches(self, message: InboxMessage) -> bool:
        """Whether ``message`` is a wanted reply: every condition given holds.

        :param message: a received SMS.
        """
        if self.too_old(message):
            return False
        if self.senders and message.sender not in self.senders:
            try:
                if normalize_recipients([message.sender])[0] not in self.senders:
                    return False
            except (InvalidRecipientsError, ValueError):
                return False
        if self.line is not None and normalize_line(message.line) != self.line:
            return False
        if self.text is not None:
            return fold(message.text) == fold(self.text)
        if self._regex is not None:
            return self._regex.search(digits_ascii(message.text)) is not None
        if self.options:
            return self.choice(message) is not None
        return True

    def to_json(self) -> dict[str, Any]:
        """The query as JSON (a trigger's serialized form); :meth:`from_json` reads it back."""
        return {
            "senders": list(self.senders),
            "line": self.line,
            "text": self.text,
            "pattern": self.pattern,
            "options": list(self.options),
            "received_after": self.received_after,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> InboxQuery:
        """Read back what :meth:`to_json` wrote (a trigger's serialized query).

        :param data: the query's JSON.
        """
        return cls(
            senders=tuple(data.get("senders") or ()),
            line=data.get("line"),
            text=data.get("text"),
            pattern=data.get("pattern"),
            options=tuple(data.get("options") or ()),
            received_after=data.get("received_after"),
        )

    def describe(self) -> str:
        """The conditions in words, for logs and timeout messages."""
        parts = []
        if self.options:
            parts.append(f"one of {', '.join(self.options)}")
        elif self.text is not None:
            parts.append(f"the text {self.text!r}")
        elif self.pattern is not None:
            parts.append(f"text matching {self.pattern!r}")
        else:
            parts.append("any text")
        if self.senders:
            parts.append(f"from {', '.join(self.senders)}")
        if self.line:
            parts.append(f"on line {self.line}")
        if self.received_after is not None:
            when = datetime.fromtimestamp(self.received_after).astimezone()
            parts.append(f"received at or after {when.isoformat(timespec='seconds')}")
        return "an SMS with " + " ".join(parts)


@dataclass(frozen=True)
class InboxScan:
    """What one look at the inbox found: the matching messages, oldest first, and the highest
    message id seen (pass it as the next look's ``from_id``: nothing is read twice)."""

    matches: Sequence[InboxMessage]
    """The messages the query wants, oldest first."""
    last_id: int | None
    """The highest inbox id read, or the ``from_id`` given when nothing newer came; None when
    neither is known. The next look's ``from_id``.
    """
    read: int
    """How many messages the look read, matching or not."""

    def result(self, query: InboxQuery) -> dict[str, Any]:
        """JSON for XCom: ``chosen_options`` (as Airflow's HITL operators name them),
        ``message`` (the first match) and ``messages`` (every match).

        :param query: the query the scan ran (its options name the choice).
        """
        choices = [query.choice(m) for m in self.matches] if query.options else []
        return {
            "chosen_options": list(dict.fromkeys(c for c in choices if c is not None))[:1],
            "message": self.matches[0].to_json() if self.matches else None,
            "messages": [m.to_json() for m in self.matches],
        }
