"""A deadline for a whole blocking request: connect, send, and every read of the answer.

``requests`` (urllib3) applies its read timeout to each socket read, so an answer trickled a
byte at a time never times out. Here one daemon thread keeps the deadlines of the requests in
flight and, when one passes, shuts down that request's socket: the blocked read returns at once
and ``requests`` raises. The request's connection is found through urllib3's connection classes
(``DeadlineAdapter`` mounts pools that use them), which attach the deadline of the request the
current thread is making. Used by ``sync.py`` only; asyncio has ``asyncio.timeout``.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3.poolmanager
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class Deadline:
    """One request's deadline; ``expired`` once the watchdog has cut its connection."""

    __slots__ = ("at", "done", "expired", "sock")

    def __init__(self, at: float) -> None:
        self.at = at
        self.sock: Any = None
        self.done = False
        self.expired = False

    def attach(self, connection: HTTPConnection) -> None:
        # Keep the socket itself: http.client drops ``connection.sock`` once the headers of a
        # ``Connection: close`` answer are read, and goes on reading the body through it.
        if connection.sock is not None:
            self.sock = connection.sock
        if self.expired:
            _shut(self.sock)

    def expire(self) -> None:
        self.expired = True
        _shut(self.sock)


def _shut(sock: Any) -> None:
    raw = sock if isinstance(sock, socket.socket) else getattr(sock, "socket", None)
    if isinstance(raw, socket.socket):
        # The plain socket's shutdown, also for an SSLSocket: it acts on the descriptor, so the
        # thread blocked reading it wakes up. A closed socket has nothing left to cut.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(raw, socket.SHUT_RDWR)


class Watchdog:
    """A heap of deadlines and the thread that enforces them (started on first use)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, seconds: float) -> Deadline:
        deadline = Deadline(time.monotonic() + seconds)
        with self._wake:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ippanel-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._wake.notify()
        return deadline

    def finish(self, deadline: Deadline) -> bool:
        """Stop watching; True when the deadline passed (the answer may be cut short)."""
        with self._wake:
            deadline.done = True
            deadline.sock = None  # the heap may hold it until its time; not the socket
            return deadline.expired

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].done or self._heap[0][0] <= now):
                    _, _, deadline = heapq.heappop(self._heap)
                    if not deadline.done:
                        deadline.expire()
                self._wake.wait(self._heap[0][0] - now if self._heap else None)


WATCHDOG = Watchdog()
_current = threading.local()


def _forget_after_fork() -> None:
    global WATCHDOG
    WATCHDOG = Watchdog()  # the parent's thread does not exist in a forked child


os.register_at_fork(after_in_child=_forget_after_fork)


@contextmanager
def request_deadline(seconds: float) -> Iterator[Deadline]:
    """Everything this thread does over a watched connection within the block must end
    within ``seconds``. After the block, ``deadline.expired`` tells whether it did not."""
    deadline = WATCHDOG.watch(seconds)
    _current.deadline = deadline
    try:
        yield deadline
    finally:
        _current.deadline = None
        WATCHDOG.finish(deadline)


class _Watched:
    """Attach the current request's deadline to the connection it goes out on."""

    sock: Any

    def _watched(self) -> None:
        deadline: Deadline | None = getattr(_current, "deadline", None)
        if deadline is not None and isinstance(self, HTTPConnection):
            deadline.attach(self)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._watched()

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._watched()
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


WATCHED_POOLS = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections (direct or through an HTTP proxy) honour
    :func:`request_deadline`. A SOCKS proxy keeps urllib3's own connections (no deadline)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = WATCHED_POOLS
        return manager
