"""Outbox bulks: compact recipients, a lifecycle computed from the clock, costs and credit."""

from __future__ import annotations

import itertools
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.parts import Encoding, cost_of
from ippanel_mock.models.phones import (
    NUMBER_WIDTH,
    OPERATORS,
    count_by_operator_and_status,
    format_number,
    magic_final_status,
    pack_numbers,
    packed_digits,
)
from ippanel_mock.models.users import User

FIRST_OUTBOX_ID = 1_100_000_001
CANCEL_MARGIN = 5 * 60.0
"""A scheduled bulk can be canceled up to this many seconds before its send time."""
MAX_STORED_RECIPIENTS = 2_000_000
"""Default retention cap on recipient rows over all bulks (about 20 MB of numbers)."""
MAX_STORED_BULKS = 100_000
"""Default retention cap on the number of bulks over all users."""

STATE_NAMES: dict[int, tuple[str, str]] = {
    0: ("creating", "در حال ایجاد"),
    1: ("monitoring", "در صف بررسی"),
    2: ("sending", "در حال ارسال"),
    3: ("rejected", "رد شده"),
    4: ("invalid_recipients", "گیرندگان نامعتبر"),
    5: ("queue", "در صف ارسال"),
    6: ("finish", "پایان یافته"),
    7: ("canceled", "لغو شده"),
    8: ("no_credit", "اعتبار ناکافی"),
    9: ("system_error", "خطای سیستمی"),
}
FORCEABLE_STATES = frozenset({3, 4, 7, 8, 9})


class Phase(Enum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FINAL = "final"
    FORCED = "forced"


@dataclass(slots=True, eq=False)
class OutboxBulk:
    id: int
    username: str
    user_id: int
    sender: str
    text: str
    sending_type: str
    created_at: float
    start_at: float
    delay: float
    packed: bytes
    """National numbers as 10 ASCII digits each (phones.pack_numbers): bytes, unlike an array,
    is not tracked by the garbage collector, so a big outbox does not lengthen every full
    collection; a report page is cut out as text (read via digits or recipients)."""
    parts: int
    encoding: Encoding
    cost: float
    final_state: int | None = None
    summary: str | None = None
    user_ip: str | None = None
    counts: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """counts[operator][final status 0..4], computed once at creation; tuples of ints, so the
    garbage collector stops tracking them and a big outbox does not lengthen its pauses."""
    debited: float = 0.0
    """What the user's credit actually paid for this bulk (0 when it was stored in state 8):
    a cancel refunds this, never `cost`."""

    def digits(self, offset: int, limit: int) -> Sequence[bytes]:
        """The ASCII digits of recipients offset..offset+limit-1, without converting numbers."""
        return packed_digits(self.packed, offset, limit)

    @property
    def size(self) -> int:
        return len(self.packed) // NUMBER_WIDTH

    @property
    def all_delivered(self) -> bool:
        """Whether every recipient ends delivered (no magic 000N with N other than 2): then
        every recipient shows the same message_status at any time. False without counts."""
        counts = self.counts.values()
        return bool(counts) and not any(row[0] or row[1] or row[3] or row[4] for row in counts)

    def phase(self, now: float) -> Phase:
        if self.final_state is not None:
            return Phase.FORCED
        if now < self.start_at:
            return Phase.QUEUED
        elapsed = now - self.start_at
        if elapsed >= self.delay:
            return Phase.FINAL
        return Phase.SENDING if elapsed < self.delay / 2 else Phase.SENT

    def state_id(self, now: float) -> int:
        """phase() as a state id, computed directly: report filters call it for every bulk."""
        if self.final_state is not None:
            return self.final_state
        if now < self.start_at:
            return 5
        return 2 if now - self.start_at < self.delay / 2 else 6

    def status_of(self, national: int, phase: Phase) -> int | None:
        """A recipient's message_status in the given phase (None before sending or if forced)."""
        if phase in (Phase.QUEUED, Phase.FORCED):
            return None
        if phase is Phase.SENDING:
            return 0
        final = magic_final_status(national)
        if phase is Phase.SENT:
            return min(final, 1)
        return final

    def exit_count(self, now: float) -> int:
        """Messages that have left for the operators."""
        return 0 if self.phase(now) in (Phase.QUEUED, Phase.FORCED) else self.size

    def status_counts(self, now: float) -> dict[str, dict[int | None, int]]:
        """Per operator: how many recipients have each message_status right now (O(1))."""
        phase = self.phase(now)
        result: dict[str, dict[int | None, int]] = {}
        for op in OPERATORS:
            by_final = self.counts.get(op, (0,) * 5)
            total = sum(by_final)
            if phase in (Phase.QUEUED, Phase.FORCED):
                result[op] = {None: total}
            elif phase is Phase.SENDING:
                result[op] = {0: total}
            elif phase is Phase.SENT:
                result[op] = {0: by_final[0], 1: total - by_final[0]}
            else:
                result[op] = dict(enumerate(by_final))
        return result

    def page(self, now: float, offset: int, limit: int) -> Iterator[tuple[str, int | None]]:
        """(recipient, message_status) for one page, O(limit)."""
        phase = self.phase(now)
        for digits in self.digits(offset, limit):
            national = int(digits)
            yield format_number(national), self.status_of(national, phase)


class CancelOutcome(Enum):
    CANCELED = "canceled"
    NOT_FOUND = "not_found"
    NOT_CANCELABLE = "not_cancelable"


@dataclass(frozen=True, slots=True)
class BulkFilters:
    """The outbox report's filters, already parsed; None means "any"."""

    number: str | None = None
    messages_outbox_id: int | None = None
    create_from: float | None = None
    create_to: float | None = None
    send_from: float | None = None
    send_to: float | None = None
    from_exit_count: int | None = None
    to_exit_count: int | None = None
    message: str | None = None
    state_id: int | None = None


class Outbox:
    """Every bulk of every user; lookups are always by (user, id).

    Retention is capped so a long-running sandbox stays bounded: once the stored recipient
    rows exceed `max_recipients` or the bulks exceed `max_bulks`, the oldest bulks are evicted
    (the newest bulk is always kept, even when it alone is over the row cap).
    """

    def __init__(
        self,
        clock: SandboxClock,
        *,
        delivery_delay: float = 2.0,
        max_recipients: int = MAX_STORED_RECIPIENTS,
        max_bulks: int = MAX_STORED_BULKS,
    ) -> None:
        if max_recipients <= 0 or max_bulks <= 0:
            raise ValueError("outbox capacities must be > 0")
        self._clock = clock
        self._delay = delivery_delay
        self.max_recipients = max_recipients
        self.max_bulks = max_bulks
        self._bulks: dict[int, OutboxBulk] = {}
        self._by_user: dict[str, deque[int]] = {}
        self._rows = 0
        self._evicted = 0
        self._ids = itertools.count(FIRST_OUTBOX_ID)
        self.listeners: list[Callable[[OutboxBulk | None], None]] = []
        """Called with a bulk after it is created or its state is changed (cancel, forced
        state), with None after a reset; empty unless something watches."""

    def reset(self) -> None:
        self._bulks.clear()
        self._by_user.clear()
        self._rows = 0
        self._evicted = 0
        self._ids = itertools.count(FIRST_OUTBOX_ID)
        self._changed(None)

    def _changed(self, bulk: OutboxBulk | None) -> None:
        for listener in self.listeners:
            listener(bulk)

    @property
    def stored_recipients(self) -> int:
        """Recipient rows held over all stored bulks."""
        return self._rows

    @property
    def evicted(self) -> int:
        """Bulks dropped by the retention caps since the last reset."""
        return self._evicted

    def create(
        self,
        user: User,
        *,
        sender: str,
        text: str,
        recipients: Iterable[int],
        sending_type: str,
        send_time: float | None = None,
        created_at: float | None = None,
        summary: str | None = None,
        user_ip: str | None = None,
    ) -> OutboxBulk:
        """Create a bulk and debit its cost; without enough credit it is forced to state 8."""
        numbers = recipients if isinstance(recipients, array) else array("q", recipients)
        created = self._clock.now() if created_at is None else created_at
        parts, encoding, cost = cost_of(text, len(numbers))
        counts = count_by_operator_and_status(numbers)
        bulk = OutboxBulk(
            id=next(self._ids),
            username=user.username,
            user_id=user.id,
            sender=sender,
            text=text,
            sending_type=sending_type,
            created_at=created,
            start_at=send_time if send_time is not None and send_time > created else created,
            delay=self._delay,
            packed=pack_numbers(numbers),
            parts=parts,
            encoding=encoding,
            cost=float(cost),
            summary=summary,
            user_ip=user_ip,
            counts=counts,
        )
        if cost > user.credit:
            bulk.final_state = 8
        else:
            user.credit -= cost
            bulk.debited = bulk.cost
        self._bulks[bulk.id] = bulk
        self._by_user.setdefault(user.username, deque()).append(bulk.id)
        self._rows += bulk.size
        self._evict_oldest()
        if self.listeners:
            self._changed(bulk)
        return bulk

    def _evict_oldest(self) -> None:
        """Drop the oldest bulks (insertion order = id order) until both caps hold."""
        while len(self._bulks) > 1 and (
            self._rows > self.max_recipients or len(self._bulks) > self.max_bulks
        ):
            oldest = self._bulks.pop(next(iter(self._bulks)))
            ids = self._by_user[oldest.username]
            ids.popleft()
            if not ids:
                del self._by_user[oldest.username]
            self._rows -= oldest.size
            self._evicted += 1

    def get(self, username: str, bulk_id: int) -> OutboxBulk | None:
        bulk = self._bulks.get(bulk_id)
        return bulk if bulk is not None and bulk.username == username else None

    def get_any(self, bulk_id: int) -> OutboxBulk | None:
        """Admin lookup across users."""
        return self._bulks.get(bulk_id)

    def for_user(self, username: str, filters: BulkFilters | None = None) -> list[OutboxBulk]:
        """The user's bulks, newest first, matching every given filter."""
        ids: deque[int] = self._by_user.get(username, deque())
        f = filters or BulkFilters()
        if f.messages_outbox_id is not None:
            found = self.get(username, f.messages_outbox_id)
            candidates: Iterable[OutboxBulk] = [found] if found else []
        else:
            candidates = (self._bulks[i] for i in reversed(ids))
        now = self._clock.now()
        return [b for b in candidates if _matches(b, f, now)]

    def count(self, username: str | None = None) -> int:
        if username is None:
            return len(self._bulks)
        return len(self._by_user.get(username, []))

    def all(self) -> list[OutboxBulk]:
        return list(self._bulks.values())

    def cancel(self, user: User, bulk_id: int) -> CancelOutcome:
        """Cancel a scheduled bulk at least CANCEL_MARGIN before it starts, refunding what was
        debited for it."""
        bulk = self.get(user.username, bulk_id)
        if bulk is None:
            return CancelOutcome.NOT_FOUND
        now = self._clock.now()
        if bulk.phase(now) is not Phase.QUEUED or bulk.start_at - now < CANCEL_MARGIN:
            return CancelOutcome.NOT_CANCELABLE
        bulk.final_state = 7
        user.credit += bulk.debited
        bulk.debited = 0.0
        self._changed(bulk)
        return CancelOutcome.CANCELED

    def force_state(self, bulk_id: int, state_id: int | None) -> OutboxBulk | None:
        """Admin: pin a bulk to a failure state (3, 4, 7, 8, 9), or None to follow the clock."""
        if state_id is not None and state_id not in FORCEABLE_STATES:
            raise ValueError(f"state_id must be one of {sorted(FORCEABLE_STATES)} or null")
        bulk = self._bulks.get(bulk_id)
        if bulk is not None:
            bulk.final_state = state_id
            self._changed(bulk)
        return bulk


def _matches(b: OutboxBulk, f: BulkFilters, now: float) -> bool:
    if f.number is not None and b.sender != f.number:
        return False
    created, starts = int(b.created_at), int(b.start_at)  # whole seconds, as the report shows
    if f.create_from is not None and created < f.create_from:
        return False
    if f.create_to is not None and created > f.create_to:
        return False
    if f.send_from is not None and starts < f.send_from:
        return False
    if f.send_to is not None and starts > f.send_to:
        return False
    if f.message is not None and f.message not in b.text:
        return False
    if f.state_id is not None and b.state_id(now) != f.state_id:
        return False
    exits = b.exit_count(now) if (f.from_exit_count, f.to_exit_count) != (None, None) else 0
    if f.from_exit_count is not None and exits < f.from_exit_count:
        return False
    return not (f.to_exit_count is not None and exits > f.to_exit_count)


__all__ = [
    "MAX_STORED_BULKS",
    "MAX_STORED_RECIPIENTS",
    "STATE_NAMES",
    "BulkFilters",
    "CancelOutcome",
    "Outbox",
    "OutboxBulk",
    "Phase",
]
