"""Captured messages: what the sandbox would have delivered, for QA engineers to read back.

A bounded ring (oldest dropped first) with filters, newest-first pages and asyncio waiters so
the admin API can long-poll for "the next message to +989..." without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

MessagePredicate = Callable[["CapturedMessage"], bool]


class CapturedMessage(NamedTuple):
    """One SMS the sandbox "delivered". A named tuple, not a dataclass: a send makes one per
    recipient on the hot path, a tuple is built in a third of the time, and the garbage
    collector stops tracking tuples of plain values."""

    id: int
    user: str
    sender: str
    recipient: str
    text: str
    bulk_id: int | None
    sending_type: str
    created_at: float

    def as_dict(self) -> dict[str, object]:
        return self._asdict()


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """Conditions a message must all meet; `None` means "any". `text` is a substring match."""

    recipient: str | None = None
    sender: str | None = None
    text: str | None = None
    bulk_id: int | None = None
    user: str | None = None
    sending_type: str | None = None
    since: float | None = None
    until: float | None = None
    extra: MessagePredicate | None = None

    def matches(self, msg: CapturedMessage) -> bool:
        if self.recipient is not None and msg.recipient != self.recipient:
            return False
        if self.sender is not None and msg.sender != self.sender:
            return False
        if self.text is not None and self.text not in msg.text:
            return False
        if self.bulk_id is not None and msg.bulk_id != self.bulk_id:
            return False
        if self.user is not None and msg.user != self.user:
            return False
        if self.sending_type is not None and msg.sending_type != self.sending_type:
            return False
        if self.since is not None and msg.created_at < self.since:
            return False
        if self.until is not None and msg.created_at > self.until:
            return False
        return self.extra is None or self.extra(msg)


@dataclass(frozen=True, slots=True)
class MessagePage:
    items: list[CapturedMessage]
    total: int
    page: int
    per_page: int


@dataclass(slots=True)
class _Waiter:
    filter: MessageFilter
    future: asyncio.Future[CapturedMessage]


def _set_if_pending(future: asyncio.Future[CapturedMessage], msg: CapturedMessage) -> None:
    if not future.done():
        future.set_result(msg)


def _resolve(future: asyncio.Future[CapturedMessage], msg: CapturedMessage) -> None:
    """Wake a waiter, also when the capture happens outside the waiter's event loop thread."""
    loop = future.get_loop()
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        _set_if_pending(future, msg)
    else:
        loop.call_soon_threadsafe(_set_if_pending, future, msg)


class MessageLog:
    """Bounded log of captured messages (default 10,000; the oldest are dropped first)."""

    def __init__(self, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: deque[CapturedMessage] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._waiters: list[_Waiter] = []
        self.total_captured = 0
        self.listeners: list[Callable[[], None]] = []
        """Called once after every change (a capture, a batch, a delete, a clear); empty
        unless something watches, so a capture pays one check."""

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[CapturedMessage]:
        """Every kept message, oldest first."""
        return iter(self._items)

    def capture(
        self,
        *,
        user: str,
        sender: str,
        recipient: str,
        text: str,
        bulk_id: int | None,
        sending_type: str,
        created_at: float,
    ) -> CapturedMessage:
        msg = CapturedMessage(
            next(self._ids), user, sender, recipient, text, bulk_id, sending_type, created_at
        )
        self._items.append(msg)
        self.total_captured += 1
        self._notify(msg)
        if self.listeners:
            self._changed()
        return msg

    def capture_many(
        self,
        *,
        user: str,
        sender: str,
        recipients: Sequence[str],
        text: str,
        bulk_id: int | None,
        sending_type: str,
        created_at: float,
    ) -> None:
        """Capture one message per recipient; only the last `capacity` are built for huge sends."""
        skipped = len(recipients) - self.capacity
        if skipped > 0:
            self._ids = itertools.count(next(self._ids) + skipped)
            self.total_captured += skipped
            recipients = recipients[skipped:]
        ids, items = self._ids, self._items
        notify = self._notify if self._waiters else None
        for recipient in recipients:
            msg = CapturedMessage(
                next(ids), user, sender, recipient, text, bulk_id, sending_type, created_at
            )
            items.append(msg)
            if notify is not None:
                notify(msg)
        self.total_captured += len(recipients)
        if self.listeners:
            self._changed()

    def _newest_first(self, flt: MessageFilter) -> Iterator[CapturedMessage]:
        return (m for m in reversed(self._items) if flt.matches(m))

    def query(
        self, flt: MessageFilter | None = None, *, page: int = 1, per_page: int = 50
    ) -> MessagePage:
        """Matching messages, newest first, one page of them plus the total count."""
        if page < 1 or per_page < 1:
            raise ValueError("page and per_page must be at least 1")
        matching = list(self._newest_first(flt or MessageFilter()))
        start = (page - 1) * per_page
        return MessagePage(matching[start : start + per_page], len(matching), page, per_page)

    def latest(self, flt: MessageFilter | None = None) -> CapturedMessage | None:
        return next(self._newest_first(flt or MessageFilter()), None)

    async def wait_for(
        self, flt: MessageFilter | None = None, *, timeout: float, include_existing: bool = False
    ) -> CapturedMessage | None:
        """The first message matching `flt` captured after this call (or already there, with
        `include_existing`); `None` when `timeout` seconds pass first."""
        flt = flt or MessageFilter()
        if include_existing:
            found = self.latest(flt)
            if found is not None:
                return found
        waiter = _Waiter(flt, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), timeout)
        except TimeoutError:
            return None
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _notify(self, msg: CapturedMessage) -> None:
        if not self._waiters:
            return
        still_waiting: list[_Waiter] = []
        for waiter in self._waiters:
            if waiter.future.done():
                continue
            if waiter.filter.matches(msg):
                _resolve(waiter.future, msg)
            else:
                still_waiting.append(waiter)
        self._waiters = still_waiting

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def delete(self, flt: MessageFilter | None = None) -> int:
        """Remove matching messages (all without a filter); returns how many went."""
        if flt is None:
            count = len(self._items)
            self._items.clear()
        else:
            kept = [m for m in self._items if not flt.matches(m)]
            count = len(self._items) - len(kept)
            self._items = deque(kept, maxlen=self.capacity)
        self._changed()
        return count

    def clear(self) -> None:
        """Forget every message and restart ids at 1 (used by the sandbox reset)."""
        self._items.clear()
        self._ids = itertools.count(1)
        self.total_captured = 0
        self._changed()
