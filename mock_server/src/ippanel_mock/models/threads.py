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


INCOMING_RANK = 1 << 62
"""Added to an incoming message's id in `Thread.last_rank`: at one instant it comes after the
outgoing SMS it answers."""


@dataclass(slots=True)
class Thread:
    phone: str
    last: ThreadMessage
    last_time: float
    last_rank: int
    """Orders messages of the same instant (ids of outgoing, INCOMING_RANK + ids of incoming)."""
    outgoing: int = 0
    incoming: int = 0
    last_outgoing: CapturedMessage | None = None

    @property
    def count(self) -> int:
        return self.outgoing + self.incoming


def threads(
    captured: Iterable[CapturedMessage], received: Iterable[ReceivedMessage]
) -> list[Thread]:
    """One thread per phone number, the newest activity first; both logs oldest first.

    Plain comparisons in the loops and a C key for the sort (at 20,000 numbers a Python key
    function costs a third of the time): the logs are in arrival order, so a later message of
    the same instant wins with `>=`, and an incoming one beats the outgoing one it answers.
    """
    found: dict[str, Thread] = {}
    for out in captured:
        thread = found.get(out.recipient)
        if thread is None:
            thread = Thread(out.recipient, out, out.created_at, out.id, 0, 0, out)
            found[out.recipient] = thread
        elif out.created_at >= thread.last_time:
            thread.last = thread.last_outgoing = out
            thread.last_time, thread.last_rank = out.created_at, out.id
        thread.outgoing += 1
    for came in received:
        thread = found.get(came.sender)
        if thread is None:
            thread = Thread(came.sender, came, came.time, INCOMING_RANK + came.id)
            found[came.sender] = thread
        elif came.time >= thread.last_time:
            thread.last, thread.last_time = came, came.time
            thread.last_rank = INCOMING_RANK + came.id
        thread.incoming += 1
    return sorted(found.values(), key=attrgetter("last_time", "last_rank"), reverse=True)


def conversation(
    phone: str, captured: Iterable[CapturedMessage], received: Iterable[ReceivedMessage]
) -> list[ThreadMessage]:
    """Every SMS to and from `phone` (normalized, +989…), the newest first."""
    found: list[ThreadMessage] = [m for m in captured if m.recipient == phone]
    found.extend(m for m in received if m.sender == phone)
    found.sort(key=_order, reverse=True)
    return found
