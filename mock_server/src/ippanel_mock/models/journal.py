"""Request journal: every request the sandbox answered, newest kept, for QA to count and search."""

from __future__ import annotations

import fnmatch
import itertools
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ippanel_mock.models.wording import valid_unicode


@dataclass(frozen=True, slots=True)
class JournalEntry:
    method: str
    path: str
    query: str
    status: int
    api_key_hint: str | None
    at: float
    duration_ms: float
    id: int = field(default=0, compare=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "api_key_hint": self.api_key_hint,
            "at": self.at,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True, slots=True)
class JournalFilter:
    """`path` may be a glob (`/api/report/*`); `method` is case-insensitive."""

    method: str | None = None
    path: str | None = None
    status: int | None = None

    def matches(self, entry: JournalEntry) -> bool:
        if self.method is not None and entry.method.upper() != self.method.upper():
            return False
        if self.status is not None and entry.status != self.status:
            return False
        return self.path is None or fnmatch.fnmatchcase(entry.path, self.path)


def key_hint(secret: str | None) -> str | None:
    """A short, non-reversible hint of a credential for the journal: never the whole secret."""
    if not secret:
        return None
    if len(secret) <= 8:
        return "…"
    return valid_unicode(f"{secret[:4]}…{secret[-2:]}")


JournalRow = tuple[str, str, str, int, str | None, float, float, int]
"""A JournalEntry's fields in order, as stored: a tuple costs a tenth of a frozen dataclass on
the hot path; entries are built when read."""


SECRET_PARAM = re.compile(
    r"(?i)(^|&)([^=&]*(key|token|secret|pass|pwd|authorization|login_password)[^=&]*)=([^&]*)"
)
"""A query parameter whose name says it holds a credential (the URL form of a send carries
the API key or the password in the query string)."""
SECRET_WORDS = ("key", "token", "secret", "pass", "pwd", "authorization")
"""A cheap first look (substring tests, about 0.5 us; a regex scan costs ten times that): most
query strings (page=1&bulk_id=…) name no credential at all."""


def masked_query(query: str) -> str:
    """The query string with every credential replaced by its hint."""
    if not query:
        return query
    lowered = query.lower()
    for word in SECRET_WORDS:
        if word in lowered:
            break
    else:
        return query
    if SECRET_PARAM.search(query) is None:
        return query
    return SECRET_PARAM.sub(lambda m: f"{m[1]}{m[2]}={key_hint(m[4]) or ''}", query)


class RequestJournal:
    """Bounded deque of journal entries; the oldest drop out once `capacity` is reached."""

    def __init__(self, capacity: int = 1_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: deque[JournalRow] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[], None]] = []
        """Called after every change; empty unless something watches (one check per request)."""

    def __len__(self) -> int:
        return len(self._items)

    def record_request(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        api_key_hint: str | None,
        at: float,
        duration_ms: float,
    ) -> None:
        """Append one answered request (the hot path: one tuple, no entry object); credentials
        in the query string are kept only as hints."""
        self._items.append(
            (
                method,
                path,
                masked_query(query),
                status,
                api_key_hint,
                at,
                duration_ms,
                next(self._ids),
            )
        )
        if self.listeners:
            self._changed()

    def record(self, entry: JournalEntry) -> None:
        """Append an entry (numbered here unless it already has an id)."""
        entry_id = entry.id or next(self._ids)
        self._items.append(
            (
                entry.method,
                entry.path,
                masked_query(entry.query),
                entry.status,
                entry.api_key_hint,
                entry.at,
                entry.duration_ms,
                entry_id,
            )
        )
        self._changed()

    def query(
        self, flt: JournalFilter | None = None, *, page: int = 1, per_page: int = 50
    ) -> tuple[list[JournalEntry], int]:
        """One page of matching entries, newest first, and how many match in all."""
        if page < 1 or per_page < 1:
            raise ValueError("page and per_page must be at least 1")
        flt = flt or JournalFilter()
        entries = (JournalEntry(*row) for row in reversed(self._items))
        matching = [e for e in entries if flt.matches(e)]
        start = (page - 1) * per_page
        return matching[start : start + per_page], len(matching)

    def clear(self) -> None:
        self._items.clear()
        self._ids = itertools.count(1)
        self._changed()

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()
