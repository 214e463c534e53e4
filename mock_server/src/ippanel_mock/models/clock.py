"""The sandbox clock: real time plus an offset a test can move, within 1970 to 3000."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from ippanel_mock.models.errors import SandboxError

EARLIEST = 0.0
LATEST = 32503680000.0
"""Unix seconds of 1970-01-01 and 3000-01-01 (UTC): every moment the clock may be moved to, so
every time the sandbox renders stays inside what a date can hold (year 9999 is not far)."""
RANGE_TEXT = "from 1970-01-01T00:00:00Z (unix 0) to 3000-01-01T00:00:00Z (unix 32503680000)"


def plain(seconds: float) -> str:
    """Seconds in plain digits (63072000, 0.5), not 6.3072e+07."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".")


class ClockOutOfRange(SandboxError):
    """A move would take the clock outside EARLIEST..LATEST; the clock stays where it was."""


class SandboxClock:
    """Unix time that tests advance instead of sleeping."""

    def __init__(self) -> None:
        self._offset = 0.0
        self.listeners: list[Callable[[], None]] = []
        """Called after every move (advance, set, reset); empty unless something watches."""

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move forward (never backward, never past LATEST) and return the new time."""
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ClockOutOfRange("the sandbox clock only moves forward, by a finite number")
        now = self.now()
        if seconds > 0 and now + seconds > LATEST:
            raise ClockOutOfRange(
                f"the sandbox clock stays {RANGE_TEXT}: it is at unix {now:.0f} and "
                f"{plain(seconds)} s more would pass the end; set it with /__sandbox/clock/set "
                "instead"
            )
        self._offset += seconds
        self._moved()
        return self.now()

    def set(self, at: float) -> float:
        """Jump to an absolute unix time (forward or backward) within EARLIEST..LATEST."""
        if not (math.isfinite(at) and EARLIEST <= at <= LATEST):
            raise ClockOutOfRange(f"the sandbox clock can be set {RANGE_TEXT}")
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
