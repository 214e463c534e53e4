"""The sandbox clock: real time plus an offset a test can move."""

from __future__ import annotations

import time
from collections.abc import Callable


class SandboxClock:
    """Unix time that tests advance instead of sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self.listeners: list[Callable[[], None]] = []
        """Called after every move (advance, set, reset); empty unless something watches."""

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move forward (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += seconds
        self._moved()
        return self.now()

    def set(self, at: float) -> float:
        """Jump to an absolute unix time (forward or backward)."""
        self._offset = at - time.time()
        self._moved()
        return self.now()

    def reset(self) -> None:
        self._offset = 0.0
        self._moved()

    def _moved(self) -> None:
        for listener in self.listeners:
            listener()

    @property
    def offset(self) -> float:
        return self._offset
