"""ChangeFeed: which parts of the sandbox changed, for the open pages of the web UI.

It hooks the models' listener lists only while at least one event stream is open, so the API's
hot path pays nothing but an empty-list check when nobody watches. Delivery statuses and
received messages are not stored when they change but computed from the clock on read, so the
feed also keeps a heap of the sandbox times at which something becomes visible (a bulk's start,
half delay and full delay; a received message's due time) and wakes itself at the earliest one;
a clock move re-times that wake-up (and a move backwards rebuilds the heap).
"""

from __future__ import annotations

import asyncio
import heapq
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ippanel_mock.models.backend import SandboxBackend
from ippanel_mock.models.outbox import OutboxBulk

MESSAGES, BULKS, JOURNAL, CLOCK, INBOX = "messages", "bulks", "journal", "clock", "inbox"
TOPICS = (MESSAGES, BULKS, JOURNAL, CLOCK, INBOX)
LATE_BY = 0.005
"""Seconds after a transition the feed wakes, so the new phase is already in force."""
TOPICS_AT: dict[str, tuple[str, ...]] = {BULKS: (BULKS, MESSAGES), INBOX: (INBOX,)}
"""What a timed transition changes: a bulk's phase moves its messages' statuses too."""


def transition_times(bulk: OutboxBulk) -> tuple[float, ...]:
    """Sandbox times at which a bulk's state or its recipients' statuses change."""
    if bulk.final_state is not None:
        return ()
    start, delay = bulk.start_at, bulk.delay
    return (start, start + delay / 2, start + delay) if delay > 0 else (start,)


class FeedStream:
    """One open event stream: the topics changed since it last looked, and a wake-up."""

    def __init__(self) -> None:
        self.pending: set[str] = set()
        self.wake = asyncio.Event()

    def take(self) -> list[str]:
        topics, self.pending = sorted(self.pending), set()
        self.wake.clear()
        return topics


class ChangeFeed:
    """Fans model changes out to the open streams; attached to the models only while any is.

    Model listeners may run on any thread (a test resetting a ThreadedSandbox); they re-post
    themselves onto the server's loop, where every stream and timer lives.
    """

    def __init__(self, backend: SandboxBackend) -> None:
        self.backend = backend
        self.streams: set[FeedStream] = set()
        self.closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = 0
        self._due: list[tuple[float, str]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._offset = 0.0

    # -- streams ---------------------------------------------------------------------------

    def open(self) -> FeedStream:
        """A new stream (call on the server's loop); the first one attaches the feed."""
        stream = FeedStream()
        if not self.streams:
            self._attach()
        self.streams.add(stream)
        return stream

    def release(self, stream: FeedStream) -> None:
        self.streams.discard(stream)
        if not self.streams:
            self._detach()

    def shutdown(self) -> None:
        """Wake every stream so that it ends (the server is stopping)."""
        self.closed = True
        for stream in self.streams:
            stream.wake.set()

    @property
    def attached(self) -> bool:
        return self._loop is not None

    # -- model hooks -----------------------------------------------------------------------

    def _hooks(self) -> list[tuple[list[Any], Callable[..., None]]]:
        b = self.backend
        return [
            (b.messages.listeners, self._on_messages),
            (b.journal.listeners, self._on_journal),
            (b.outbox.listeners, self._on_bulk),
            (b.clock.listeners, self._on_clock),
            (b.inbox.listeners, self._on_inbox),
            (b.autoreplies.listeners, self._on_rules),
        ]

    def _attach(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        for listeners, hook in self._hooks():
            listeners.append(hook)
        self._offset = self.backend.clock.offset
        self._rebuild()

    def _detach(self) -> None:
        for listeners, hook in self._hooks():
            if hook in listeners:
                listeners.remove(hook)
        self._cancel_timer()
        self._due = []
        self._loop = None

    def _elsewhere(self, hook: Callable[..., None], *args: object) -> bool:
        """True (and `hook` re-posted onto the server's loop) when called off that loop."""
        loop = self._loop
        if loop is None:
            return True
        if threading.get_ident() == self._thread:
            return False
        loop.call_soon_threadsafe(hook, *args)
        return True

    def _on_messages(self) -> None:
        self.publish((MESSAGES,))

    def _on_journal(self) -> None:
        self.publish((JOURNAL,))

    def _on_rules(self) -> None:
        self.publish((INBOX,))

    def _on_bulk(self, bulk: OutboxBulk | None) -> None:
        if self._elsewhere(self._on_bulk, bulk):
            return
        if bulk is None:
            self._rebuild()
        else:
            self._push(BULKS, transition_times(bulk))
        self.publish((BULKS, MESSAGES))

    def _on_inbox(self, due: float | None) -> None:
        if self._elsewhere(self._on_inbox, due):
            return
        if due is None:
            self._rebuild()
        else:
            self._push(INBOX, (due,))
        self.publish((INBOX,))

    def _on_clock(self) -> None:
        if self._elsewhere(self._on_clock):
            return
        offset = self.backend.clock.offset
        if offset < self._offset:
            self._rebuild()  # back in time: finished bulks are in flight again
        else:
            self._pop_due()
        self._offset = offset
        self._schedule(force=True)
        self.publish((CLOCK, BULKS, MESSAGES, INBOX))

    def publish(self, topics: Iterable[str]) -> None:
        """Mark topics changed on every stream and wake them (from any thread)."""
        topics = tuple(topics)
        if self._elsewhere(self.publish, topics):
            return
        for stream in self.streams:
            stream.pending.update(topics)
            stream.wake.set()

    # -- timed transitions -----------------------------------------------------------------

    def _rebuild(self) -> None:
        """Every future transition: O(bulks + pending), only on attach, reset, a move back."""
        now = self.backend.clock.now()
        bulks = ((t, BULKS) for b in self.backend.outbox.all() for t in transition_times(b))
        inbox = ((t, INBOX) for t in self.backend.inbox.due_times())
        self._due = [(t, topic) for t, topic in (*bulks, *inbox) if t > now]
        heapq.heapify(self._due)
        self._schedule(force=True)

    def _push(self, topic: str, times: Iterable[float]) -> None:
        now = self.backend.clock.now()
        for at in times:
            if at > now:
                heapq.heappush(self._due, (at, topic))
        self._schedule()

    def _pop_due(self) -> set[str]:
        """The topics of every transition the clock has passed (removed from the heap)."""
        now = self.backend.clock.now()
        topics: set[str] = set()
        while self._due and self._due[0][0] <= now:
            topics.update(TOPICS_AT[heapq.heappop(self._due)[1]])
        return topics

    def _schedule(self, *, force: bool = False) -> None:
        """Wake at the earliest transition (kept if an earlier wake-up is already set)."""
        if self._loop is None or not self._due:
            self._cancel_timer()
            return
        at = self._due[0][0]
        if not force and self._timer_at is not None and self._timer_at <= at:
            return
        self._cancel_timer()
        delay = max(0.0, at - self.backend.clock.now()) + LATE_BY
        self._timer = self._loop.call_later(delay, self._on_timer)
        self._timer_at = at

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._timer_at = None

    def _on_timer(self) -> None:
        self._timer = self._timer_at = None
        topics = self._pop_due()
        if topics:
            self.publish(topics)
        self._schedule()
