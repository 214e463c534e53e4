"""Operations on an account's patterns (message templates), declared once (no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``. Reads are retried on anything transient; every change is a
``write()``, retried only where IPPanel certainly did not act, so a create is never made twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from .core import Operation
from .engine import PageRequests, operation, paged
from .models import Page
from .protocol import ApiRequest, decode_nothing, decode_page, page_query, read, write
from .stored import Pattern, PatternVariable, pattern_variables

PATTERN_STATES = ("active", "inactive", "pending")
PATTERN_KINDS = ("normal", "systemic")


def _pattern(data: Any, meta: Mapping[str, Any]) -> Pattern:
    return Pattern.from_json(data)


def _code(code: str) -> str:
    if not isinstance(code, str) or not code.strip():
        raise ValueError("a pattern code must be a non-empty string")
    return quote(code.strip(), safe="")


def _pattern_body(
    message: str,
    description: str,
    variables: Mapping[str, str] | Iterable[str | PatternVariable],
    title: str | None,
    is_share: bool,
    website: str | None,
) -> dict[str, Any]:
    for name, value in (("message", message), ("description", description)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"a pattern's {name} must be a non-empty string")
    body: dict[str, Any] = {
        "message": message,
        "description": description,
        "is_share": bool(is_share),
        "variable": pattern_variables(variables),
    }
    if title is not None:
        body["title"] = title
    if website is not None:
        body["website"] = website
    return body


def patterns_page(
    page: int, per_page: int, filters: Mapping[str, str]
) -> ApiRequest[Page[Pattern]]:
    params = page_query(page, per_page, 100)
    params.update({f"filter[{k}]": v for k, v in filters.items()})
    decode = decode_page(Pattern.from_json, page, per_page)
    return read("GET", "/api/patterns", decode, "list patterns", params=params)


def _pattern_filters(
    code: str | None, title: str | None, state: str | None, kind: str | None
) -> dict[str, str]:
    if state is not None and state not in PATTERN_STATES:
        raise ValueError(f"state must be one of {PATTERN_STATES}, got {state!r}")
    if kind is not None and kind not in PATTERN_KINDS:
        raise ValueError(f"kind must be one of {PATTERN_KINDS}, got {kind!r}")
    given = {"code": code, "title": title, "state": state, "type": kind}
    return {k: v for k, v in given.items() if v}


class PatternsApi:
    """Patterns: a mixin of ``IPPanelApi``."""

    @operation
    def create_pattern(
        self,
        message: str,
        *,
        description: str,
        variables: Mapping[str, str] | Iterable[str | PatternVariable] = (),
        title: str | None = None,
        is_share: bool = False,
        website: str | None = None,
    ) -> Operation[Pattern]:
        """Create a pattern; IPPanel reviews it before it may be sent (``status`` ``pending``).

        Not repeated after an unknown outcome (it would make a second pattern): look it up
        with :meth:`list_patterns` (``title=``) first.

        :param message: (str) the text, with a ``%name%`` slot per variable.
        :param description: (str) what the pattern is for, for the reviewer.
        :param variables: (mapping name -> type, or names, or ``PatternVariable``; default
            none) the slots; type ``string`` (a plain name), ``integer`` or ``number``.
        :param title: (str or None, default None) a title to find it by.
        :param is_share: (bool, default False) may the account's sub-users use it.
        :param website: (str or None, default None) the site the messages are about.
        :returns: the saved :class:`Pattern`, with its ``code``.
        """
        body = _pattern_body(message, description, variables, title, is_share, website)
        return (yield write("POST", "/api/user/pattern", _pattern, "create pattern", json=body))

    @operation
    def list_patterns(
        self,
        *,
        page: int = 1,
        per_page: int = 10,
        code: str | None = None,
        title: str | None = None,
        state: str | None = None,
        kind: str | None = None,
    ) -> Operation[Page[Pattern]]:
        """One page of the account's patterns (newest first), then the shared ones.

        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 100) patterns a page.
        :param code: (str or None, default None) only the pattern with this code.
        :param title: (str or None, default None) only patterns whose title contains it.
        :param state: (str or None, default None) ``active``, ``inactive`` or ``pending``.
        :param kind: (str or None, default None) ``normal`` (own) or ``systemic`` (shared).
        """
        return (yield patterns_page(page, per_page, _pattern_filters(code, title, state, kind)))

    @paged
    def iter_patterns(
        self,
        *,
        title: str | None = None,
        state: str | None = None,
        kind: str | None = None,
        per_page: int = 100,
    ) -> PageRequests[Pattern]:
        """Every pattern (the account's, then the shared ones), ``per_page`` a request.

        :param title: (str or None, default None) only patterns whose title contains it.
        :param state: (str or None, default None) ``active``, ``inactive`` or ``pending``.
        :param kind: (str or None, default None) ``normal`` (own) or ``systemic`` (shared).
        :param per_page: (int, default 100, at most 100) patterns a request.
        """
        filters = _pattern_filters(None, title, state, kind)
        page_query(1, per_page, 100)
        return lambda page: patterns_page(page, per_page, filters)

    @operation
    def get_pattern(self, code: str) -> Operation[Pattern]:
        """One pattern by its code (the account's own or a shared one).

        :param code: (str) the pattern's code.
        :raises IPPanelNotFoundError: no such pattern for this account.
        """
        path = f"/api/patterns/{_code(code)}"
        return (yield read("GET", path, _pattern, f"get pattern {code.strip()}"))

    @operation
    def update_pattern(
        self,
        code: str,
        message: str,
        *,
        description: str,
        variables: Mapping[str, str] | Iterable[str | PatternVariable] = (),
        title: str | None = None,
        is_share: bool = False,
        website: str | None = None,
    ) -> Operation[Pattern]:
        """Replace one of the account's patterns; it is reviewed again (``pending``).

        :param code: (str) the pattern's code.
        :param message: (str) the new text, with a ``%name%`` slot per variable.
        :param description: (str) what the pattern is for, for the reviewer.
        :param variables: (mapping name -> type, or names; default none) the slots.
        :param title: (str or None, default None) the new title.
        :param is_share: (bool, default False) may the account's sub-users use it.
        :param website: (str or None, default None) the site the messages are about.
        """
        body = _pattern_body(message, description, variables, title, is_share, website)
        path = f"/api/patterns/normal/{_code(code)}"
        return (yield write("PUT", path, _pattern, f"update pattern {code.strip()}", json=body))

    @operation
    def delete_pattern(self, code: str) -> Operation[None]:
        """Delete one of the account's patterns (shared ones cannot be deleted).

        :param code: (str) the pattern's code.
        """
        path = f"/api/patterns/normal/{_code(code)}"
        yield write("DELETE", path, decode_nothing, f"delete pattern {code.strip()}")
