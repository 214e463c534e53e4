"""Operations on an account's phonebooks and their options (custom fields), and the sends to
phonebooks, declared once (no I/O here). A mixin of
:class:`~ippanel_provider.client.api.IPPanelApi`; the numbers in a phonebook are in
``api_contacts.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from . import sends
from .api_contacts import MAX_LIST, MAX_PER_PAGE
from .core import Operation, send_operation
from .engine import PageRequests, operation, paged
from .models import Page, SendResult
from .parts import message_parts
from .phonebook_models import OPTION_TYPES, Phonebook, PhonebookOption
from .protocol import (
    ApiRequest,
    decode_nothing,
    decode_object,
    decode_page,
    page_query,
    read,
    write,
)
from .schedule import Clock
from .stored import checked_id, checked_ids

SendTime = datetime | str | None


def phonebooks_page(
    page: int, per_page: int, title: str | None, phonebook_id: int | None
) -> ApiRequest[Page[Phonebook]]:
    params = page_query(page, per_page, MAX_PER_PAGE)
    if title:
        params["title"] = title
    if phonebook_id is not None:
        params["id"] = str(checked_id(phonebook_id, "phonebook_id"))
    decode = decode_page(Phonebook.from_json, page, per_page)
    return read("GET", "/api/phonebooks/list-new", decode, "list phonebooks", params=params)


def options_page(
    page: int, per_page: int, kind: str | None, title: str | None
) -> ApiRequest[Page[PhonebookOption]]:
    params = page_query(page, per_page, MAX_PER_PAGE)
    if kind is not None:
        params["type"] = _option_type(kind)
    if title:
        params["title"] = title
    decode = decode_page(PhonebookOption.from_json, page, per_page)
    return read("GET", "/api/phonebooks/options/list-new", decode, "list options", params=params)


def _option_type(kind: str) -> str:
    if kind not in OPTION_TYPES:
        raise ValueError(f"an option's type is one of {OPTION_TYPES}, got {kind!r}")
    return kind


class PhonebooksApi:
    """Phonebooks, their options, and sends to them: a mixin of ``IPPanelApi``."""

    default_sender: str | None
    _now: Clock

    # ------------------------------------------------------------ phonebooks

    @operation
    def list_phonebooks(
        self,
        *,
        page: int = 1,
        per_page: int = 10,
        title: str | None = None,
        phonebook_id: int | None = None,
    ) -> Operation[Page[Phonebook]]:
        """One page of the account's phonebooks.

        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 1000) phonebooks a page.
        :param title: (str or None, default None) only phonebooks whose title contains it.
        :param phonebook_id: (int or None, default None) only this phonebook.
        """
        return (yield phonebooks_page(page, per_page, title, phonebook_id))

    @paged
    def iter_phonebooks(
        self, *, title: str | None = None, per_page: int = 100
    ) -> PageRequests[Phonebook]:
        """Every phonebook of the account, ``per_page`` a request.

        :param title: (str or None, default None) only phonebooks whose title contains it.
        :param per_page: (int, default 100, at most 1000) phonebooks a request.
        """
        phonebooks_page(1, per_page, title, None)
        return lambda page: phonebooks_page(page, per_page, title, None)

    @operation
    def create_phonebook(
        self, title: str, *, option_ids: Iterable[int] = ()
    ) -> Operation[Phonebook]:
        """Create a phonebook. Not repeated after an unknown outcome (it would make two):
        look for it with :meth:`list_phonebooks` (``title=``) first.

        :param title: (str) the phonebook's title.
        :param option_ids: (iterable of int, default none) options its numbers carry.
        :returns: the new :class:`Phonebook`, with its ``id``.
        """
        body: dict[str, Any] = {"title": sends.checked_text(title, "title")}
        options = list(dict.fromkeys(checked_id(i, "option id") for i in option_ids))
        if options:
            body["options"] = options
        decode = decode_object(Phonebook.from_json)
        return (yield write("POST", "/api/phonebooks", decode, "create phonebook", json=body))

    @operation
    def update_phonebook(
        self,
        phonebook_id: int,
        *,
        title: str | None = None,
        option_ids: Iterable[int] | None = None,
    ) -> Operation[None]:
        """Change a phonebook's title or its options.

        :param phonebook_id: (int) the phonebook's id.
        :param title: (str or None, default None: unchanged) the new title.
        :param option_ids: (iterable of int or None, default None: unchanged) its options
            from now on.
        """
        book = checked_id(phonebook_id, "phonebook_id")
        body: dict[str, Any] = {}
        if title is not None:
            body["title"] = sends.checked_text(title, "title")
        if option_ids is not None:
            body["options"] = list(dict.fromkeys(checked_id(i, "option id") for i in option_ids))
        if not body:
            raise ValueError("update_phonebook: give title= or option_ids=")
        path = f"/api/phonebooks/{book}"
        yield write("PUT", path, decode_nothing, f"update phonebook {book}", json=body)

    @operation
    def delete_phonebooks(self, phonebook_ids: Iterable[int]) -> Operation[None]:
        """Delete phonebooks with their numbers: all of them, or none when one is not the
        account's.

        :param phonebook_ids: (iterable of int) the phonebooks' ids, at most 1000.
        """
        ids = checked_ids(phonebook_ids, "phonebook_ids", MAX_LIST)
        body = {"listPhonebooks": ids}
        summary = f"delete {len(ids)} phonebook(s)"
        yield write("POST", "/api/phonebooks/delete-list", decode_nothing, summary, json=body)

    # ------------------------------------------------------------ options

    @operation
    def list_options(
        self,
        *,
        page: int = 1,
        per_page: int = 10,
        type: str | None = None,
        title: str | None = None,
    ) -> Operation[Page[PhonebookOption]]:
        """One page of the account's options (custom fields of phonebook numbers).

        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 10, at most 1000) options a page.
        :param type: (str or None, default None) only ``int``, ``string`` or ``date`` ones.
        :param title: (str or None, default None) only options whose title contains it.
        """
        return (yield options_page(page, per_page, type, title))

    @paged
    def iter_options(self, *, per_page: int = 200) -> PageRequests[PhonebookOption]:
        """Every option of the account, ``per_page`` a request.

        :param per_page: (int, default 200, at most 1000) options a request.
        """
        page_query(1, per_page, MAX_PER_PAGE)
        return lambda page: options_page(page, per_page, None, None)

    @operation
    def create_option(self, title: str, type: str = "string") -> Operation[PhonebookOption]:
        """Create an option (a custom field). Not repeated after an unknown outcome.

        :param title: (str) the option's title.
        :param type: (str, default ``string``) ``int``, ``string`` or ``date``.
        :returns: the new :class:`PhonebookOption`, with its ``id``.
        """
        body = {"title": sends.checked_text(title, "title"), "type": _option_type(type)}
        decode = decode_object(PhonebookOption.from_json)
        return (yield write("POST", "/api/phonebooks/options", decode, "create option", json=body))

    @operation
    def rename_option(self, option_id: int, title: str) -> Operation[None]:
        """Rename an option.

        :param option_id: (int) the option's id.
        :param title: (str) its new title.
        """
        option = checked_id(option_id, "option_id")
        path = f"/api/phonebooks/options/{option}"
        body = {"title": sends.checked_text(title, "title")}
        yield write("PUT", path, decode_nothing, f"rename option {option}", json=body)

    @operation
    def delete_options(self, option_ids: Iterable[int]) -> Operation[None]:
        """Delete options (from every phonebook too): all of them, or none when one is not
        the account's.

        :param option_ids: (iterable of int) the options' ids, at most 200.
        """
        ids = checked_ids(option_ids, "option_ids", 200)
        body = {"listOptions": ids}
        path = "/api/phonebooks/options/delete-list"
        yield write("POST", path, decode_nothing, f"delete {len(ids)} option(s)", json=body)

    # ------------------------------------------------------------ sends

    @operation
    def send_phonebook(
        self,
        message: str,
        phonebook_ids: Iterable[int] = (),
        *,
        contact_ids: Mapping[int, Iterable[int]] | None = None,
        start: int | None = None,
        size: int | None = None,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """One message to the numbers of phonebooks (each number once). Never repeated
        unless IPPanel certainly did not act. ``SendResult.recipients`` is 0: IPPanel counts
        the numbers.

        :param message: (str) the text.
        :param phonebook_ids: (iterable of int, default none) every number of these
            phonebooks (windowed by ``start`` and ``size``).
        :param contact_ids: (mapping phonebook id -> number ids, default None) chosen
            numbers of phonebooks (``Contact.id``).
        :param start: (int or None, default None: 0) how many numbers of ``phonebook_ids``
            to skip, over the phonebooks in the order given.
        :param size: (int or None, default None: all) how many numbers to take.
        :param sender: (str or None, default None: the client's ``default_sender``) the line.
        :param send_time: (datetime, ``YYYY-MM-DD HH:MM:SS`` UTC, or None: now) when to send.
        """
        text = sends.checked_text(message)
        params: list[dict[str, Any]] = []
        books = list(dict.fromkeys(checked_id(i, "phonebook id") for i in phonebook_ids))
        if books:
            entry: dict[str, Any] = {"type": "all", "phonebook_ids": books}
            for name, value in (("start", start), ("size", size)):
                if value is not None:
                    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
                    entry[name] = value
            params.append(entry)
        elif start is not None or size is not None:
            raise ValueError("start and size window phonebook_ids: give phonebook_ids too")
        for book, numbers in (contact_ids or {}).items():
            chosen = checked_ids(numbers, f"contact ids of phonebook {book}")
            params.append(
                {
                    "type": "detail",
                    "phonebook_id": checked_id(book, "phonebook id"),
                    "number_ids": chosen,
                }
            )
        if not params:
            raise ValueError("send_phonebook: give phonebook_ids or contact_ids")
        summary = f"phonebook send to {len(params)} selection(s)"
        plan = sends.plan_single(
            "phonebook",
            {"message": text, "params": params},
            sender=sender or self.default_sender,
            send_time=send_time,
            now=self._now,
            summary=summary,
            recipients=0,
            parts=message_parts(text).parts,
        )
        return (yield from send_operation(plan))

    @operation
    def send_keyword_phonebook(
        self,
        message: str,
        phonebook_ids: Iterable[int],
        *,
        sender: str | None = None,
        send_time: SendTime = None,
    ) -> Operation[SendResult]:
        """Each number of phonebooks gets the message with its own option values in the
        ``{ex_<option id>}`` slots (each number once). Never repeated unless IPPanel
        certainly did not act. ``SendResult.recipients`` is 0: IPPanel counts the numbers.

        :param message: (str) the text, e.g. ``"Your balance: {ex_46001}"``.
        :param phonebook_ids: (iterable of int) the phonebooks.
        :param sender: (str or None, default None: the client's ``default_sender``) the line.
        :param send_time: (datetime, ``YYYY-MM-DD HH:MM:SS`` UTC, or None: now) when to send.
        """
        text = sends.checked_text(message)
        books = checked_ids(phonebook_ids, "phonebook_ids")
        plan = sends.plan_single(
            "keyword_phonebook",
            {"message": text, "params": [{"phonebook_id": b} for b in books]},
            sender=sender or self.default_sender,
            send_time=send_time,
            now=self._now,
            summary=f"keyword_phonebook send to {len(books)} phonebook(s)",
            recipients=0,
            parts=message_parts(text).parts,
        )
        return (yield from send_operation(plan))
