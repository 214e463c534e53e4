"""Operations on an account's draft groups and drafts (saved message texts), declared once
(no I/O here).

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`: each method is a generator of
requests like those of ``api.py``. Reads are retried on anything transient; every change is a
``write()``, retried only where IPPanel certainly did not act, so a create is never made twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import sends
from .core import Operation
from .engine import PageRequests, operation, paged
from .models import Page
from .protocol import ApiRequest, decode_nothing, decode_page, page_query, read, write
from .stored import Draft, DraftGroup, checked_id, checked_ids


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


class DraftsApi:
    """Draft groups and drafts: a mixin of ``IPPanelApi``."""

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
