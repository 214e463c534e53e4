"""Operations on the sender lines an account holds, declared once (no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``. Reads are retried on anything transient; assigning and
unassigning are ``write()``s, retried only where IPPanel certainly did not act.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .core import Operation
from .engine import PageRequests, operation, paged
from .models import Page
from .protocol import ApiRequest, decode_nothing, decode_page, page_query, read, write
from .stored import SenderLine, checked_id


def lines_page(page: int, per_page: int) -> ApiRequest[Page[SenderLine]]:
    decode = decode_page(SenderLine.from_json, page, per_page)
    params = page_query(page, per_page, 1000)
    return read("GET", "/api/number/numbers", decode, "list sender lines", params=params)


def _line_change(
    line: int | str, user: int | str, grant: Mapping[str, bool] | None
) -> dict[str, Any]:
    """A line by id (int) or number (str), a user by id (int) or username (str)."""
    body: dict[str, Any] = dict(grant or {})
    if isinstance(line, str) and not line.strip().isdigit():
        body["number"] = line.strip()
    else:
        body["number_id"] = checked_id(line, "line")
    if isinstance(user, str) and not user.strip().isdigit():
        body["target_user"] = user.strip()
    else:
        body["target_user_id"] = checked_id(user, "user")
    return body


class LinesApi:
    """Sender lines: a mixin of ``IPPanelApi``."""

    @operation
    def list_lines(self, *, page: int = 1, per_page: int = 10) -> Operation[Page[SenderLine]]:
        """One page of the sender lines the account holds.

        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 1000) lines a page.
        """
        return (yield lines_page(page, per_page))

    @paged
    def iter_lines(self, *, per_page: int = 100) -> PageRequests[SenderLine]:
        """Every sender line the account holds, ``per_page`` a request.

        :param per_page: (int, default 100, at most 1000) lines a request.
        """
        page_query(1, per_page, 1000)
        return lambda page: lines_page(page, per_page)

    @operation
    def assign_line(
        self, line: int | str, user: int | str, *, send: bool = True, gets: bool = True
    ) -> Operation[None]:
        """Give a line the account holds to a (sub-)user.

        :param line: (int or str) the line's id (an int, from :meth:`list_lines`) or its
            number (a str such as ``"+983000505"``).
        :param user: (int or str) the user's id (an int) or username (a str).
        :param send: (bool, default True) the user may send from the line.
        :param gets: (bool, default True) the user receives on the line.
        :raises IPPanelValidationError: the user holds the line already (``400-1``).
        """
        body = _line_change(line, user, {"send": bool(send), "gets": bool(gets)})
        yield write("POST", "/api/numbers/assign", decode_nothing, "assign line", json=body)

    @operation
    def unassign_line(self, line: int | str, user: int | str) -> Operation[None]:
        """Take a line the account holds back from a user.

        :param line: (int or str) the line's id (an int) or number (a str).
        :param user: (int or str) the user's id (an int) or username (a str).
        """
        body = _line_change(line, user, None)
        yield write("POST", "/api/numbers/unassign", decode_nothing, "unassign line", json=body)
