"""Captured messages: what the sandbox would have delivered (stub: filled in by the tooling work)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CapturedMessage:
    id: int
    user: str
    sender: str
    recipient: str
    text: str
    bulk_id: int | None
    sending_type: str
    created_at: float


class MessageLog:
    def __init__(self, capacity: int = 10_000) -> None:
        self._items: deque[CapturedMessage] = deque(maxlen=capacity)
        self._ids = itertools.count(1)

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
        return msg

    def capture_many(
        self,
        *,
        user: str,
        sender: str,
        recipients: Iterable[str],
        text: str,
        bulk_id: int | None,
        sending_type: str,
        created_at: float,
    ) -> None:
        for r in recipients:
            self.capture(
                user=user,
                sender=sender,
                recipient=r,
                text=text,
                bulk_id=bulk_id,
                sending_type=sending_type,
                created_at=created_at,
            )

    def clear(self) -> None:
        self._items.clear()
