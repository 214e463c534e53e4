"""Blocking client over ``requests``: pooled session, timeouts always set, no urllib3 retries."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.retry import Retry

from . import core, protocol
from .api import IPPanelApi
from .deadlines import DeadlineAdapter, request_deadline
from .engine import SyncDriver, normalize_timeout
from .errors import IPPanelError, IPPanelTLSError, IPPanelTransportError
from .protocol import ApiRequest
from .retry import Sleep

__all__ = ["IPPanelClient", "certificate_failure", "never_sent", "normalize_timeout"]

T = TypeVar("T")
CHUNK_BYTES = 64 * 1024


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        item = stack.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += [item.__cause__, item.__context__, getattr(item, "reason", None)]
        stack += [a for a in item.args if isinstance(a, BaseException)]


def read_at_most(response: requests.Response, limit: int) -> bytes | None:
    """The answer's body, or None as soon as it is known to be longer than ``limit`` bytes
    (a larger ``Content-Length``, or that many bytes read)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def certificate_failure(exc: requests.RequestException) -> str | None:
    """What failed when the server's certificate did not verify, else None."""
    for item in _chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            return f"{type(exc).__name__}: {item.verify_message or item.reason or item}"
    return None


def never_sent(exc: requests.RequestException) -> bool:
    """True when ``requests`` failed before the request could reach the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return False
    return any(isinstance(e, NewConnectionError | ConnectTimeoutError) for e in _chain(exc))


class IPPanelClient(SyncDriver, IPPanelApi[Sleep, requests.Session]):
    """IPPanel Edge API client (blocking). Its methods are declared in ``api.py``.

    Authenticate with ``api_key`` or ``credentials``; a login token is cached and renewed before
    its 10 hours run out, and once more after a 401. Re-sending a send after a 401 is safe:
    IPPanel rejects an unauthenticated request before acting on it.
    """

    def _open_transport(
        self,
        timeout: tuple[float, float],
        verify: bool | str,
        proxy: str | None,
        sleep: Sleep | None,
        session: requests.Session | None,
    ) -> None:
        self.timeout = timeout
        self._sleep = sleep or time.sleep
        self._login_lock = threading.Lock()
        self._session = session or requests.Session()
        adapter = DeadlineAdapter(max_retries=Retry(total=0, read=False, redirect=False))
        self._session.mount("https://", adapter)
        self._session.mount("http://", adapter)
        self._session.verify = verify
        self._proxies = {"http": proxy, "https": proxy} if proxy else None
        if self._proxies:
            self._session.proxies = dict(self._proxies)
        self._session.headers.update({"Accept": "application/json"})

    def __enter__(self) -> IPPanelClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session (also on leaving a ``with`` block)."""
        self._session.close()

    def _attempt(self, request: ApiRequest[T], authorization: str | None, seconds: float) -> T:
        headers = {"Authorization": authorization} if authorization else {}
        files: list[tuple[str, tuple[str | None, str | bytes, str]]] | None = None
        data: list[tuple[str, str | bytes]] | None = None
        if request.files is not None:
            files = [
                (f.name, (f.filename, f.value, f.content_type or "application/octet-stream"))
                for f in request.files
                if f.filename is not None
            ]
            data = [(f.name, f.value) for f in request.files if f.filename is None]
        try:
            with request_deadline(seconds) as deadline:
                response = self._session.request(
                    request.method,
                    request.url(self.base_url),
                    params=request.params,
                    json=request.json if files is None else None,
                    files=files,
                    data=data,
                    headers=headers,
                    timeout=self.timeout,
                    # Per request: requests lets REQUESTS_CA_BUNDLE override a Session's verify,
                    # and HTTP(S)_PROXY override a Session's proxies.
                    verify=self._session.verify,
                    proxies=self._proxies,
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    content = read_at_most(response, self.max_response_bytes)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            bad_certificate = certificate_failure(exc)
            if bad_certificate is not None:
                raise IPPanelTLSError(bad_certificate, request_summary=request.summary) from exc
            if never_sent(exc):
                raise IPPanelTransportError(
                    f"could not reach IPPanel ({reason})", request_summary=request.summary
                ) from exc
            if deadline.expired:
                raise core.deadline_passed(request, seconds) from exc
            raise core.lost_answer(request, reason) from exc
        if deadline.expired:
            raise core.deadline_passed(request, seconds)
        if content is None:
            raise core.too_large(request, response.status_code, self.max_response_bytes)
        try:
            return protocol.parse_response(request, response.status_code, response.headers, content)
        except IPPanelError as exc:
            raise core.answer_error(request, exc) from exc
