"""Request journal (stub: filled in by the tooling work)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class JournalEntry:
    method: str
    path: str
    query: str
    status: int
    api_key_hint: str | None
    at: float
    duration_ms: float


class RequestJournal:
    def __init__(self, capacity: int = 1_000) -> None:
        self._items: deque[JournalEntry] = deque(maxlen=capacity)

    def record(self, entry: JournalEntry) -> None:
        self._items.append(entry)

    def clear(self) -> None:
        self._items.clear()
