"""Phone threads: the captured and received SMS of each phone number, as its phone shows them.

A thread is every captured SMS to a number and every received SMS from it. Nothing is indexed
on the send path: a read groups the two bounded logs (10,000 each by default) in one pass, so
the API pays nothing while nobody looks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from ippanel_mock.models.inbox import ReceivedMessage
from ippanel_mock.models.messages import CapturedMessage

ThreadMessage = CapturedMessage | ReceivedMessage
"""Outgoing (captured, ours) or incoming (received from the phone)."""


def time_of(message: ThreadMessage) -> float:
    return message.created_at if isinstance(message, CapturedMessage) else message.time


def _order(message: ThreadMessage) -> tuple[float, int, int]:
    """Time order; at one instant an outgoing SMS comes before the answer to it."""
    incoming = isinstance(message, ReceivedMessage)
    return (time_of(message), incoming, message.id)


@dataclass(slots=True)
class Thread:
    phone: str
    last: ThreadMessage
    last_time: float
    outgoing: int = 0
    incoming: int = 0
    last_outgoing: CapturedMessage | None = None

    @property
    def count(self) -> int:
        return self.outgoing + self.incoming

    @property
    def order(self) -> tuple[float, int, int]:
        return _order(self.last)


def threads(
    captured: Iterable[CapturedMessage], received: Iterable[ReceivedMessage]
) -> list[Thread]:
    """One thread per phone number, the newest activity first; both logs oldest first.

    Plain float comparisons in the loops (at 10,000 numbers a key function per message would
    double the time): the logs are in arrival order, so a later message at the same instant
    wins with `>=`, and an incoming one after the outgoing one it answers.
    """
    found: dict[str, Thread] = {}
    for out in captured:
        thread = found.get(out.recipient)
        if thread is None:
            thread = found[out.recipient] = Thread(out.recipient, out, out.created_at, 0, 0, out)
        elif out.created_at >= thread.last_time:
            thread.last = thread.last_outgoing = out
            thread.last_time = out.created_at
        thread.outgoing += 1
    for came in received:
        thread = found.get(came.sender)
        if thread is None:
            thread = found[came.sender] = Thread(came.sender, came, came.time)
        elif came.time >= thread.last_time:
            thread.last, thread.last_time = came, came.time
        thread.incoming += 1
    return sorted(found.values(), key=attrgetter("order"), reverse=True)


def conversation(
    phone: str, captured: Iterable[CapturedMessage], received: Iterable[ReceivedMessage]
) -> list[ThreadMessage]:
    """Every SMS to and from `phone` (normalized, +989…), the newest first."""
    found: list[ThreadMessage] = [m for m in captured if m.recipient == phone]
    found.extend(m for m in received if m.sender == phone)
    found.sort(key=_order, reverse=True)
    return found
