"""Operations on an account's patterns, sender lines and drafts, declared once (no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``. Reads are retried on anything transient; every change is a
``write()``, retried only where IPPanel certainly did not act, so a create is never made twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote

from . import sends
from .core import Operation
from .engine import PageRequests, operation, paged
from .models import Page
from .protocol import ApiRequest, decode_nothing, decode_page, page_query, read, write
from .stored import (
    Draft,
    DraftGroup,
    Pattern,
    PatternVariable,
    SenderLine,
    checked_id,
    checked_ids,
    pattern_variables,
)

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


def lines_page(page: int, per_page: int) -> ApiRequest[Page[SenderLine]]:
    decode = decode_page(SenderLine.from_json, page, per_page)
    params = page_query(page, per_page, 1000)
    return read("GET", "/api/number/numbers", decode, "list sender lines", params=params)


def groups_page(page: int, per_page: int) -> ApiRequest[Page[DraftGroup]]:
    decode = decode_page(DraftGroup.from_json, page, per_page)
    params = page_query(page, per_page, 100)
    return read("GET", "/api/user/draft/group/list", decode, "list draft groups", params=params)


def drafts_page(group_id: int | None, page: int, per_page: int) -> ApiRequest[Page[Draft]]:
    params = page_query(page, per_page, 200)
    if group_id is not None:
        params["draft_group_id"] = str(checked_id(group_id, "group_id"))
    decode = decode_page(Draft.from_json, page, per_page)
    return read("GET", "/api/user/draft/list", decode, "list drafts", params=params)


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


class PatternsApi:
    """Patterns, sender lines and drafts: a mixin of ``IPPanelApi``."""

    # ------------------------------------------------------------ patterns

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

    # ------------------------------------------------------------ sender lines

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

    # ------------------------------------------------------------ drafts

    @operation
    def create_draft_group(self, title: str) -> Operation[None]:
        """Create a draft group (IPPanel answers without its id: find it with
        :meth:`list_draft_groups`). Not repeated after an unknown outcome.

        :param title: (str) the group's title.
        """
        body = {"title": sends.checked_text(title, "title")}
        path = "/api/user/draft/group"
        yield write("POST", path, decode_nothing, "create draft group", json=body)

    @operation
    def list_draft_groups(
        self, *, page: int = 1, per_page: int = 10
    ) -> Operation[Page[DraftGroup]]:
        """One page of the account's draft groups.

        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 100) groups a page.
        """
        return (yield groups_page(page, per_page))

    @paged
    def iter_draft_groups(self, *, per_page: int = 100) -> PageRequests[DraftGroup]:
        """Every draft group of the account, ``per_page`` a request.

        :param per_page: (int, default 100, at most 100) groups a request.
        """
        page_query(1, per_page, 100)
        return lambda page: groups_page(page, per_page)

    @operation
    def rename_draft_group(self, group_id: int, title: str) -> Operation[None]:
        """Rename a draft group.

        :param group_id: (int) the group's id.
        :param title: (str) its new title.
        """
        body = {
            "draft_group_id": checked_id(group_id, "group_id"),
            "title": sends.checked_text(title, "title"),
        }
        summary = f"rename draft group {body['draft_group_id']}"
        yield write("PUT", "/api/user/draft/group", decode_nothing, summary, json=body)

    @operation
    def delete_draft_group(self, group_id: int) -> Operation[None]:
        """Delete a draft group with its drafts.

        :param group_id: (int) the group's id.
        """
        body = {"draft_group_id": checked_id(group_id, "group_id")}
        summary = f"delete draft group {body['draft_group_id']}"
        yield write("POST", "/api/user/draft/group/delete", decode_nothing, summary, json=body)

    @operation
    def create_draft(self, group_id: int, message: str) -> Operation[None]:
        """Save a message text in a draft group (answered without its id: find it with
        :meth:`list_drafts`). Not repeated after an unknown outcome.

        :param group_id: (int) the group's id.
        :param message: (str) the text.
        """
        body = {
            "draft_group_id": checked_id(group_id, "group_id"),
            "message": sends.checked_text(message, "message"),
        }
        yield write("POST", "/api/user/draft", decode_nothing, "create draft", json=body)

    @operation
    def list_drafts(
        self, *, group_id: int | None = None, page: int = 1, per_page: int = 10
    ) -> Operation[Page[Draft]]:
        """One page of the account's drafts.

        :param group_id: (int or None, default None) only this group's drafts.
        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 200) drafts a page.
        """
        return (yield drafts_page(group_id, page, per_page))

    @paged
    def iter_drafts(
        self, *, group_id: int | None = None, per_page: int = 200
    ) -> PageRequests[Draft]:
        """Every draft of the account (or of one group), ``per_page`` a request.

        :param group_id: (int or None, default None) only this group's drafts.
        :param per_page: (int, default 200, at most 200) drafts a request.
        """
        drafts_page(group_id, 1, per_page)
        return lambda page: drafts_page(group_id, page, per_page)

    @operation
    def update_draft(self, draft_id: int, message: str) -> Operation[None]:
        """Change a draft's text.

        :param draft_id: (int) the draft's id.
        :param message: (str) the new text.
        """
        body = {
            "draft_id": checked_id(draft_id, "draft_id"),
            "message": sends.checked_text(message, "message"),
        }
        summary = f"update draft {body['draft_id']}"
        yield write("PUT", "/api/user/draft", decode_nothing, summary, json=body)

    @operation
    def delete_drafts(self, draft_ids: Iterable[int]) -> Operation[None]:
        """Delete drafts: all of them, or none when one is not the account's.

        :param draft_ids: (iterable of int) the drafts' ids, at most 200.
        """
        body = {"draft_ids": checked_ids(draft_ids, "draft_ids", 200)}
        summary = f"delete {len(body['draft_ids'])} draft(s)"
        yield write("POST", "/api/user/draft/delete", decode_nothing, summary, json=body)
