"""The inbox: SMS received on the users' lines, injected by a test or sent by auto-reply rules.

Nothing runs in the background. A message due later (an auto-reply, an injection with a future
`time`) waits in a heap ordered by its due time; every read first delivers what the sandbox clock
has reached, in due order, and only then gives it an id. Ids therefore follow the order in which
messages became visible, so a `from_id` watermark never skips one, and a message appears exactly
when the clock passes its time (after a clock advance too). With nothing scheduled a read costs
one comparison.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ippanel_mock.models.clock import SandboxClock

MESSAGE_TYPE = "normal"


@dataclass(slots=True)
class ReceivedMessage:
    id: int
    user: str
    """The account whose inbox holds it."""
    sender: str
    """The phone it came from (+989…)."""
    number: str
    """The line it arrived on."""
    text: str
    time: float
    """When it arrived, on the sandbox clock."""
    seen: bool = False
    rule_id: int | None = None
    """The auto-reply rule that sent it."""
    bulk_id: int | None = None
    """The bulk it answers."""

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "user": self.user,
            "from": self.sender,
            "number": self.number,
            "text": self.text,
            "time": self.time,
            "seen": self.seen,
            "rule_id": self.rule_id,
            "bulk_id": self.bulk_id,
        }


@dataclass(slots=True)
class PendingMessage:
    """A message on its way; `delivered` is set once the clock reaches `due`."""

    user: str
    sender: str
    number: str
    text: str
    due: float
    rule_id: int | None = None
    bulk_id: int | None = None
    delivered: ReceivedMessage | None = None

    def as_dict(self) -> dict[str, object]:
        if self.delivered is not None:
            return self.delivered.as_dict()
        return {
            "id": None, "user": self.user, "from": self.sender, "number": self.number,
            "text": self.text, "time": self.due, "seen": False, "rule_id": self.rule_id,
            "bulk_id": self.bulk_id,
        }  # fmt: skip


Keep = Callable[[PendingMessage], bool]
"""Asked at delivery: whether a pending message still arrives (its bulk was not canceled…)."""


def _always(pending: PendingMessage) -> bool:
    return True


class Inbox:
    """Received messages of every user (bounded: `capacity` delivered plus `capacity` pending,
    the oldest dropped first)."""

    def __init__(self, clock: SandboxClock, capacity: int = 10_000, keep: Keep = _always) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._clock = clock
        self._keep = keep
        self._items: deque[ReceivedMessage] = deque(maxlen=capacity)
        self._pending: list[tuple[float, int, PendingMessage]] = []
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[float | None], None]] = []
        """Called with the due time of a newly scheduled message, or None after a deletion;
        empty unless something watches. Delivery itself is lazy (on read), so a watcher learns
        when to look from the due time."""

    def clear(self) -> None:
        """Forget everything and restart ids at 1 (the sandbox reset)."""
        self._items.clear()
        self._pending.clear()
        self._order = itertools.count()
        self._ids = itertools.count(1)
        self._changed(None)

    def _changed(self, due: float | None) -> None:
        for listener in self.listeners:
            listener(due)

    def due_times(self) -> Iterator[float]:
        """When each pending message arrives (in no particular order)."""
        return (due for due, _, _ in self._pending)

    def schedule(self, pending: PendingMessage) -> PendingMessage:
        """Receive `pending` when the clock reaches its due time (at once if it already has)."""
        if len(self._pending) >= self.capacity:
            heapq.heappop(self._pending)
        heapq.heappush(self._pending, (pending.due, next(self._order), pending))
        if self.listeners:
            self._changed(pending.due)
        return pending

    def deliver_due(self) -> None:
        """Move every pending message whose time has come into the inbox, in due order."""
        pending = self._pending
        if not pending:
            return
        now = self._clock.now()
        while pending and pending[0][0] <= now:
            _, _, item = heapq.heappop(pending)
            if not self._keep(item):
                continue
            message = ReceivedMessage(
                next(self._ids), item.user, item.sender, item.number, item.text, item.due,
                rule_id=item.rule_id, bulk_id=item.bulk_id,
            )  # fmt: skip
            item.delivered = message
            self._items.append(message)

    @property
    def pending(self) -> int:
        """Messages still due that will arrive (not those whose bulk or rule went since)."""
        return sum(1 for _, _, item in self._pending if self._keep(item))

    def __len__(self) -> int:
        return len(self._items)

    def messages(self) -> Iterable[ReceivedMessage]:
        """Delivered messages, newest first (after delivering what is due)."""
        self.deliver_due()
        return reversed(self._items)

    def oldest_first(self) -> Iterable[ReceivedMessage]:
        """Delivered messages in the order they arrived (after delivering what is due)."""
        self.deliver_due()
        return iter(self._items)

    def for_user(self, username: str, *, after_id: int = 0) -> list[ReceivedMessage]:
        """The user's messages with an id above `after_id`, newest first."""
        return [m for m in self.messages() if m.user == username and m.id > after_id]

    def read_page(
        self, username: str, *, after_id: int, page: int, per_page: int
    ) -> tuple[list[tuple[ReceivedMessage, bool]], int]:
        """One page of the user's messages with an id above `after_id`, newest first, each with
        whether it had been read before (reading marks it seen); and the total."""
        messages = self.for_user(username, after_id=after_id)
        window = messages[(page - 1) * per_page : page * per_page]
        result = [(message, message.seen) for message in window]
        for message in window:
            message.seen = True
        return result, len(messages)

    def get(self, message_id: int) -> ReceivedMessage | None:
        return next((m for m in self.messages() if m.id == message_id), None)

    def delete(self, message_id: int) -> bool:
        found = self.get(message_id)
        if found is None:
            return False
        self._items.remove(found)
        self._changed(None)
        return True

    def delete_all(self) -> int:
        """Drop every delivered and pending message (ids keep counting)."""
        count = len(self._items) + len(self._pending)
        self._items.clear()
        self._pending.clear()
        self._changed(None)
        return count
