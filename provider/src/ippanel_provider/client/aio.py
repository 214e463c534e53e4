"""Asyncio client over ``aiohttp``: same methods as :class:`IPPanelClient`, awaited."""

from __future__ import annotations

import asyncio
import ssl
from types import TracebackType
from typing import Any, TypeVar

import aiohttp

from . import core, protocol
from .api import IPPanelApi
from .core import drive_async
from .engine import AsyncDriver
from .errors import IPPanelError, IPPanelTLSError, IPPanelTransportError
from .protocol import ApiRequest
from .retry import AsyncSleep

__all__ = ["AsyncIPPanelClient", "drive_async"]

T = TypeVar("T")
CHUNK_BYTES = 64 * 1024

NOT_SENT_ERRORS = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
"""Failures before the request was written: DNS, refused, TLS handshake, connect timeout."""


async def read_at_most(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The answer's body, or None as soon as it is known to be longer than ``limit`` bytes
    (a larger ``Content-Length``, or that many bytes read)."""
    if response.content_length is not None and response.content_length > limit:
        return None
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _ssl_option(verify: bool | str) -> ssl.SSLContext | bool:
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return bool(verify)


class AsyncIPPanelClient(AsyncDriver, IPPanelApi[AsyncSleep, aiohttp.ClientSession]):
    """IPPanel Edge API client for asyncio: the methods of :class:`IPPanelClient`, awaited."""

    def _open_transport(
        self,
        timeout: tuple[float, float],
        verify: bool | str,
        proxy: str | None,
        sleep: AsyncSleep | None,
        session: aiohttp.ClientSession | None,
    ) -> None:
        connect, read = timeout
        self.timeout = aiohttp.ClientTimeout(
            total=None, connect=connect, sock_connect=connect, sock_read=read
        )
        self.proxy = proxy
        self._ssl = _ssl_option(verify)
        self._sleep = sleep or asyncio.sleep
        self._login_lock = asyncio.Lock()
        self._session = session
        self._owns_session = session is None

    async def __aenter__(self) -> AsyncIPPanelClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if the client opened it (also on leaving ``async with``)."""
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"Accept": "application/json"})
            # aiohttp silently repeats an idempotent request once when a pooled connection
            # drops; switch that off (as aiohttp's own test client does) so retry.py's policy
            # is the only retry logic.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
            self._owns_session = True
        return self._session

    async def _attempt(
        self, request: ApiRequest[T], authorization: str | None, seconds: float
    ) -> T:
        headers = {"Authorization": authorization} if authorization else {}
        body: dict[str, Any] = {}
        if request.files is not None:
            form = aiohttp.FormData()
            for part in request.files:
                form.add_field(
                    part.name, part.value, filename=part.filename, content_type=part.content_type
                )
            body["data"] = form
        elif request.json is not None:
            body["json"] = request.json
        deadline = asyncio.timeout(seconds)
        try:
            async with (
                deadline,
                self._get_session().request(
                    request.method,
                    request.url(self.base_url),
                    params=request.params,
                    headers=headers,
                    timeout=self.timeout,
                    proxy=self.proxy,
                    ssl=self._ssl,
                    allow_redirects=False,
                    **body,
                ) as response,
            ):
                status, answer_headers = response.status, response.headers
                content = await read_at_most(response, self.max_response_bytes)
        except aiohttp.ClientConnectorCertificateError as exc:
            detail = f"{type(exc).__name__}: {exc.certificate_error}"
            raise IPPanelTLSError(detail, request_summary=request.summary) from exc
        except NOT_SENT_ERRORS as exc:
            raise IPPanelTransportError(
                f"could not reach IPPanel ({type(exc).__name__})", request_summary=request.summary
            ) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            if deadline.expired():
                raise core.deadline_passed(request, seconds) from exc
            raise core.lost_answer(request, type(exc).__name__) from exc
        if content is None:
            raise core.too_large(request, status, self.max_response_bytes)
        try:
            return protocol.parse_response(request, status, answer_headers, content)
        except IPPanelError as exc:
            raise core.answer_error(request, exc) from exc
