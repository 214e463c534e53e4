"""The access log (`--access-log`): Apache's combined format with credentials masked.

aiohttp's own logger writes the raw query string, and the URL form of a send
(`GET /api/send/webservice?apikey=…`) carries the API key or the password there.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

from ippanel_mock.models.journal import masked_query


class MaskingAccessLogger(AbstractAccessLogger):
    """One line per request: client, request line (credentials masked), status, bytes, time."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        query = masked_query(request.query_string)
        target = f"{request.path}?{query}" if query else request.path
        version = request.version
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.6fs',
            request.remote or "-",
            request.method,
            target,
            version.major,
            version.minor,
            response.status,
            response.body_length,
            time,
        )
