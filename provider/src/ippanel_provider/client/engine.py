"""How any operation is executed, written once for both transports (sans-I/O).

An operation (``api.py``) yields :class:`ApiRequest` values. The engine turns each request into
*steps*: :class:`Attempt` (one HTTP exchange), :class:`Sleep` (a retry's wait) and
:class:`Locked` (the login, run under the client's login lock). Here live the rules: which
``Authorization`` a request carries, logging in when the token is missing or near expiry, logging
in again once after a 401, and which retry policy applies (tenacity decides, the engine waits
and attempts). A transport only performs steps: :class:`SyncDriver` blocking,
:class:`AsyncDriver` awaiting; both drive with ``core.drive`` / ``core.drive_async``.

The ``operation`` and ``paged`` descriptors turn one declared generator method into a blocking
method on a :class:`SyncDriver` client and a coroutine method on an :class:`AsyncDriver` client,
with the declared name, signature and docstring.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Generator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from tenacity import DoAttempt, DoSleep, RetryCallState

from .core import (
    Operation,
    TokenState,
    drive,
    drive_async,
    login_operation,
    missing_auth_error,
)
from .errors import IPPanelAuthError, IPPanelError
from .models import Page
from .protocol import ApiRequest
from .retry import RetryPolicy, controller

T = TypeVar("T")
P = ParamSpec("P")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Attempt(Generic[T]):
    """Perform ``request`` once over the wire, all of it (connect, send, every read of the
    answer) within ``seconds``; the result is its decoded answer."""

    request: ApiRequest[T]
    authorization: str | None
    seconds: float


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait before the next attempt."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Locked:
    """Run ``operation`` (its requests executed as usual) while holding the client's login
    lock; the result is the operation's."""

    operation: Operation[Any]


Step = Attempt[Any] | Sleep | Locked
Steps = Generator[Step, Any, T]


def normalize_timeout(timeout: float | tuple[float, float]) -> tuple[float, float]:
    """``(connect, read)`` seconds from one number or a pair; both must be positive."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if connect <= 0 or read <= 0:
        raise ValueError(f"timeouts must be positive, got {timeout!r}")
    return float(connect), float(read)


MIN_ATTEMPT_SECONDS = 0.1
"""An attempt the policy's total time still allows gets at least this long."""


class Engine:
    """Token state, retry policies and the rules that turn requests into steps."""

    _auth: TokenState
    read_retry: RetryPolicy
    send_retry: RetryPolicy
    total_timeout: float
    """The most one attempt may take, from connecting to the answer's last byte."""

    def _execute(self, request: ApiRequest[T]) -> Steps[T]:
        """One request with its retry policy; after a 401 on a login token, log in again and
        repeat it once (safe even for a send: a 401 means IPPanel did not act)."""
        authorization = yield from self._authorization(request)
        try:
            return (yield from self._retried(request, authorization))
        except IPPanelAuthError as exc:
            if not (request.authenticated and self._auth.can_login and exc.http_status == 401):
                raise
            self._auth.invalidate()
            authorization = yield from self._authorization(request)
            return (yield from self._retried(request, authorization))

    def _authorization(self, request: ApiRequest[Any]) -> Steps[str | None]:
        if not request.authenticated:
            return None
        value = self._auth.header()
        if value is None:
            if not self._auth.credentials:
                raise missing_auth_error(request)
            value = yield Locked(self._log_in())
        return value

    def _log_in(self) -> Operation[str | None]:
        """Log in unless another caller did while this one waited for the lock."""
        value = self._auth.header()
        if value is None and self._auth.credentials is not None:
            token = yield from login_operation(self._auth.credentials)
            self._auth.store(token)
            value = self._auth.header()
        return value

    def _retried(self, request: ApiRequest[T], authorization: str | None) -> Steps[T]:
        """Attempts of ``request`` under its policy: reads retry on anything transient, sends
        and other unrepeatable requests only where IPPanel certainly did not act. Each attempt
        ends within ``total_timeout``, and all of them within the policy's total time."""
        safe_to_repeat = request.idempotent and not request.is_send
        policy = self.read_retry if safe_to_repeat else self.send_retry
        loop = controller(policy, send=not safe_to_repeat)
        loop.begin()
        state = RetryCallState(loop, fn=None, args=(), kwargs={})
        while True:
            action = loop.iter(state)
            if isinstance(action, DoAttempt):
                left = policy.max_total_seconds - (time.monotonic() - state.start_time)
                seconds = min(self.total_timeout, max(left, MIN_ATTEMPT_SECONDS))
                try:
                    result = yield Attempt(request, authorization, seconds)
                except IPPanelError as exc:
                    state.set_exception((type(exc), exc, exc.__traceback__))
                else:
                    state.set_result(result)
            elif isinstance(action, DoSleep):
                state.prepare_for_next_attempt()
                yield Sleep(float(action))
            else:
                return action


class SyncDriver(Engine):
    """Runs operations blocking: a transport supplies ``_attempt``, ``_sleep`` and a lock.

    Each request of an operation is executed by driving its steps (:meth:`Engine._execute`);
    a request's failure is thrown back into the operation (a send records its chunk).
    """

    _sleep: Callable[[float], None]
    _login_lock: AbstractContextManager[Any]

    def _attempt(self, request: ApiRequest[T], authorization: str | None, seconds: float) -> T:
        raise NotImplementedError

    def _run(self, operation: Operation[T]) -> T:
        return drive(operation, self._execute_request)

    def _execute_request(self, request: ApiRequest[T]) -> T:
        return drive(self._execute(request), self._perform)

    def _perform(self, step: Step) -> Any:
        if isinstance(step, Attempt):
            return self._attempt(step.request, step.authorization, step.seconds)
        if isinstance(step, Sleep):
            return self._sleep(step.seconds)
        with self._login_lock:
            return self._run(step.operation)


class AsyncDriver(Engine):
    """Runs operations awaiting: a transport supplies ``_attempt``, ``_sleep`` and a lock."""

    _sleep: Callable[[float], Awaitable[None]]
    _login_lock: AbstractAsyncContextManager[Any]

    async def _attempt(
        self, request: ApiRequest[T], authorization: str | None, seconds: float
    ) -> T:
        raise NotImplementedError

    async def _run(self, operation: Operation[T]) -> T:
        return await drive_async(operation, self._execute_request)

    async def _execute_request(self, request: ApiRequest[T]) -> T:
        return await drive_async(self._execute(request), self._perform)

    async def _perform(self, step: Step) -> Any:
        if isinstance(step, Attempt):
            return await self._attempt(step.request, step.authorization, step.seconds)
        if isinstance(step, Sleep):
            return await self._sleep(step.seconds)
        async with self._login_lock:
            return await self._run(step.operation)


# ------------------------------------------------------------------ declared methods


class _Declared(Generic[F]):
    """A method declared once in ``api.py`` and bound to each client by its driver."""

    returns = "{}"
    """How a blocking and an awaited method's result shows in their signatures."""
    returns_awaited = "{}"

    def __init__(self, function: F) -> None:
        self.function = function
        self.name: str = getattr(function, "__name__", "")
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def _blocking(self, client: Any) -> Callable[..., Any]:
        raise NotImplementedError

    def _awaited(self, client: Any) -> Callable[..., Any]:
        raise NotImplementedError

    def _bind(self, client: Any) -> Callable[..., Any]:
        awaited = isinstance(client, AsyncDriver)
        method = self._awaited(client) if awaited else self._blocking(client)
        functools.update_wrapper(method, self.function)
        del method.__wrapped__  # type: ignore[attr-defined]
        signature = inspect.signature(self.function)
        declared = str(signature.return_annotation)  # e.g. "Operation[SendResult]"
        result = declared[declared.find("[") + 1 : -1]
        method.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=list(signature.parameters.values())[1:],
            return_annotation=(self.returns_awaited if awaited else self.returns).format(result),
        )
        client.__dict__[self.name] = method  # bound once per client
        return method


class operation(_Declared[Callable[Concatenate[Any, P], Operation[T]]]):
    """A client method declared as a generator of requests: a blocking client's method
    returns its result, an async client's returns a coroutine. ``.function`` is the bare
    generator function."""

    returns_awaited = "Coroutine[Any, Any, {}]"

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: SyncDriver, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(
        self, client: AsyncDriver, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(self, client: Any, owner: type[Any]) -> Any:
        return self if client is None else self._bind(client)

    def _blocking(self, client: SyncDriver) -> Callable[..., Any]:
        function = self.function

        def method(*args: Any, **kwargs: Any) -> Any:
            return client._run(function(client, *args, **kwargs))

        return method

    def _awaited(self, client: AsyncDriver) -> Callable[..., Any]:
        function = self.function

        async def method(*args: Any, **kwargs: Any) -> Any:
            return await client._run(function(client, *args, **kwargs))

        return method


PageRequests = Callable[[int], ApiRequest[Page[T]]]
"""Page number (from 1) -> the request for that page."""


def _single(request: ApiRequest[T]) -> Operation[T]:
    result: T = yield request
    return result


def _next_page(result: Page[Any], page: int) -> int | None:
    return page + 1 if result.has_next and result.items else None


class paged(_Declared[Callable[Concatenate[Any, P], PageRequests[T]]]):
    """A client method declared as page requests: it iterates every item of every page (an
    iterator, or an async iterator), one request per page as the caller advances."""

    returns = "Iterator[{}]"
    returns_awaited = "AsyncIterator[{}]"

    @overload
    def __get__(self, client: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, client: SyncDriver, owner: type[Any]) -> Callable[P, Iterator[T]]: ...
    @overload
    def __get__(self, client: AsyncDriver, owner: type[Any]) -> Callable[P, AsyncIterator[T]]: ...
    def __get__(self, client: Any, owner: type[Any]) -> Any:
        return self if client is None else self._bind(client)

    def _blocking(self, client: SyncDriver) -> Callable[..., Any]:
        function = self.function

        def method(*args: Any, **kwargs: Any) -> Iterator[Any]:
            request_for = function(client, *args, **kwargs)
            page: int | None = 1
            while page is not None:
                result = client._run(_single(request_for(page)))
                yield from result.items
                page = _next_page(result, page)

        return method

    def _awaited(self, client: AsyncDriver) -> Callable[..., Any]:
        function = self.function

        async def method(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            request_for = function(client, *args, **kwargs)
            page: int | None = 1
            while page is not None:
                result = await client._run(_single(request_for(page)))
                for item in result.items:
                    yield item
                page = _next_page(result, page)

        return method
