"""Operations on the numbers (contacts) in an account's phonebooks, declared once (no I/O
here): list, show, store, update, delete, import and export, and the requests for IPPanel's
own export and import sample.

A mixin of :class:`~ippanel_provider.client.api.IPPanelApi`. Large books never sit in memory
twice: storing, deleting and importing go out in requests of a bounded size, each built as the
previous one is answered, and reading a book back (``iter_contacts``, ``export_phonebook``)
fetches a page at a time.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from .core import Operation
from .engine import PageRequests, operation, paged
from .errors import IPPanelError
from .models import Page
from .phonebook_models import Contact, ImportResult, NewContact, StoreCounts
from .protocol import (
    ApiRequest,
    MultipartField,
    decode_nothing,
    decode_object,
    decode_page,
    page_query,
    read,
    write,
)
from .recipients import normalize_recipient
from .stored import checked_id, checked_ids

MAX_PER_PAGE = 1000
MAX_LIST = 1000
"""Numbers a store or delete request carries at most (the API's limit)."""
BASE_COLUMNS = ("number", "pre", "name", "email")
"""The phonebook file's columns besides one per option id (the sandbox README's format)."""
ContactLike = NewContact | str | Mapping[str, Any]


def new_contact(value: ContactLike) -> NewContact:
    """A number to store from a :class:`NewContact`, a number, or a mapping with ``number``
    (and ``pre``, ``name``, ``email``, ``options``); the number normalized to ``+989…``."""
    if isinstance(value, NewContact):
        contact = value
    elif isinstance(value, str):
        contact = NewContact(value)
    elif isinstance(value, Mapping):
        unknown = set(value) - {*BASE_COLUMNS, "options"}
        if unknown:
            raise ValueError(f"unknown contact field(s) {sorted(unknown)}")
        contact = NewContact(**{k: v for k, v in value.items() if v is not None})
    else:
        raise TypeError(f"a contact is a number, a mapping or a NewContact, not {value!r}")
    number = normalize_recipient(contact.number)
    if number == contact.number:
        return contact
    return NewContact(number, contact.pre, contact.name, contact.email, contact.options)


def contact_filters(
    phonebook_id: int | None, number: str | None, phonebook_title: str | None, since: int | None
) -> dict[str, str]:
    params: dict[str, str] = {}
    if phonebook_id is not None:
        params["phonebook_id"] = str(checked_id(phonebook_id, "phonebook_id"))
    if number is not None:
        params["number"] = normalize_recipient(number)
    if phonebook_title:
        params["phonebook_title"] = phonebook_title
    if since is not None:
        params["from_created_at"] = str(int(since))
    return params


def contacts_page(
    page: int, per_page: int, filters: Mapping[str, str]
) -> ApiRequest[Page[Contact]]:
    params = {**page_query(page, per_page, MAX_PER_PAGE), **filters}
    decode = decode_page(Contact.from_json, page, per_page)
    path = "/api/phonebooks/numbers/contact-list"
    return read("GET", path, decode, "list phonebook numbers", params=params)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _rows_of_file(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.reader(handle)


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _contact_rows(contacts: list[NewContact]) -> tuple[list[str], list[list[str]]]:
    options = sorted({str(k) for c in contacts for k in c.options}, key=int)
    rows = []
    for contact in contacts:
        values = {str(k): str(v) for k, v in contact.options.items()}
        rows.append([contact.number, contact.pre, contact.name, contact.email,
                     *(values.get(o, "") for o in options)])  # fmt: skip
    return [*BASE_COLUMNS, *options], rows


def import_files(
    source: str | os.PathLike[str] | Iterable[ContactLike], rows_per_file: int
) -> Iterator[tuple[bytes, int]]:
    """The import as files of at most ``rows_per_file`` rows (each with the header), and the
    rows each holds, made one at a time: a file on disk is read as the files go out."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"phonebook file not found: {path}")
        rows = _rows_of_file(path)
        header = next(rows, None)
        if not header or "number" not in [c.strip().lower() for c in header]:
            raise ValueError(f"{path}: the first row must name the columns, one of them 'number'")
        for chunk in _chunks((r for r in rows if any(c.strip() for c in r)), rows_per_file):
            yield _csv(header, chunk), len(chunk)
        return
    for chunk in _chunks(map(new_contact, source), rows_per_file):
        header, body = _contact_rows(chunk)
        yield _csv(header, body), len(chunk)


class ContactsApi:
    """The numbers in an account's phonebooks: a mixin of ``IPPanelApi``."""

    @operation
    def list_contacts(
        self,
        *,
        phonebook_id: int | None = None,
        number: str | None = None,
        phonebook_title: str | None = None,
        created_since: int | None = None,
        page: int = 1,
        per_page: int = 100,
    ) -> Operation[Page[Contact]]:
        """One page of the numbers in the account's phonebooks.

        :param phonebook_id: (int or None, default None) only this phonebook's numbers.
        :param number: (str or None, default None) only this number (any common form).
        :param phonebook_title: (str or None, default None) only phonebooks whose title
            contains it.
        :param created_since: (int or None, default None) unix seconds: only numbers added
            at or after it.
        :param page: (int, default 1) the page, from 1.
        :param per_page: (int, default 100, at most 1000) numbers a page.
        """
        filters = contact_filters(phonebook_id, number, phonebook_title, created_since)
        return (yield contacts_page(page, per_page, filters))

    @paged
    def iter_contacts(
        self,
        *,
        phonebook_id: int | None = None,
        number: str | None = None,
        phonebook_title: str | None = None,
        created_since: int | None = None,
        per_page: int = 1000,
    ) -> PageRequests[Contact]:
        """Every number of the account's phonebooks (or the filtered ones), a page at a time:
        how to read a large phonebook without holding it.

        :param phonebook_id: (int or None, default None) only this phonebook's numbers.
        :param number: (str or None, default None) only this number (any common form).
        :param phonebook_title: (str or None, default None) only phonebooks whose title
            contains it.
        :param created_since: (int or None, default None) unix seconds: only numbers added
            at or after it.
        :param per_page: (int, default 1000, at most 1000) numbers a request.
        """
        filters = contact_filters(phonebook_id, number, phonebook_title, created_since)
        page_query(1, per_page, MAX_PER_PAGE)
        return lambda page: contacts_page(page, per_page, filters)

    @operation
    def get_contact(self, contact_id: int) -> Operation[Contact]:
        """One number of the account's phonebooks by its id.

        :param contact_id: (int) the number's id (``Contact.id``).
        """
        contact = checked_id(contact_id, "contact_id")
        path = f"/api/phonebooks/numbers/contact-list/{contact}"
        decode = decode_object(Contact.from_json)
        return (yield read("GET", path, decode, f"show phonebook number {contact}"))

    @operation
    def add_contacts(
        self, phonebook_id: int, contacts: Iterable[ContactLike]
    ) -> Operation[StoreCounts]:
        """Store numbers in a phonebook, 1000 a request; numbers already there are counted
        in ``existences`` and left unchanged, so storing the same numbers again adds none.

        Every number is checked (and normalized) before the first request. A failure after
        some requests were answered names how many were stored.

        :param phonebook_id: (int) the phonebook's id.
        :param contacts: (iterable of ``NewContact``, numbers, or mappings with ``number``,
            ``pre``, ``name``, ``email``, ``options``) the numbers to store.
        :returns: :class:`StoreCounts` summed over the requests.
        """
        book = checked_id(phonebook_id, "phonebook_id")
        items = [new_contact(c).to_json(book) for c in contacts]
        if not items:
            raise ValueError("add_contacts: give at least one number")
        counts = StoreCounts()
        decode = decode_object(StoreCounts.from_json)
        path = "/api/phonebooks/numbers/add-list-new"
        for start in range(0, len(items), MAX_LIST):
            chunk = items[start : start + MAX_LIST]
            summary = f"store {len(chunk)} number(s) in phonebook {book}"
            try:
                counts += yield write("POST", path, decode, summary, json={"list": chunk})
            except IPPanelError as exc:
                if start:
                    exc.add_note(f"numbers 1 to {start} were stored first: {counts}")
                raise
        return counts

    @operation
    def update_contact(
        self, contact_id: int, contact: ContactLike, *, phonebook_id: int
    ) -> Operation[None]:
        """Replace a number's fields (the fields left out become empty); naming another of
        the account's phonebooks moves it there.

        :param contact_id: (int) the number's id (``Contact.id``).
        :param contact: (``NewContact``, a number, or a mapping) its fields from now on.
        :param phonebook_id: (int) the phonebook it is in from now on.
        """
        entry = checked_id(contact_id, "contact_id")
        body = new_contact(contact).to_json(checked_id(phonebook_id, "phonebook_id"))
        path = f"/api/phonebooks/numbers/update-new/{entry}"
        yield write("PUT", path, decode_nothing, f"update phonebook number {entry}", json=body)

    @operation
    def delete_contacts(self, contact_ids: Iterable[int]) -> Operation[None]:
        """Delete numbers from the account's phonebooks, 1000 a request (each request all of
        its numbers, or none when one is not the account's).

        :param contact_ids: (iterable of int) the numbers' ids (``Contact.id``).
        """
        ids = checked_ids(contact_ids, "contact_ids")
        path = "/api/phonebooks/numbers/delete-list"
        for start in range(0, len(ids), MAX_LIST):
            chunk = ids[start : start + MAX_LIST]
            summary = f"delete {len(chunk)} phonebook number(s)"
            try:
                yield write("POST", path, decode_nothing, summary, json={"listNumbers": chunk})
            except IPPanelError as exc:
                if start:
                    exc.add_note(f"the first {start} number(s) were deleted before this failure")
                raise

    @operation
    def import_contacts(
        self,
        phonebook_id: int,
        source: str | os.PathLike[str] | Iterable[ContactLike],
        *,
        rows_per_file: int = 5000,
    ) -> Operation[ImportResult]:
        """Import numbers into a phonebook as CSV files (multipart), ``rows_per_file`` rows a
        request; each file is made as the previous one is answered, so a large file is never
        held whole. Numbers already in the phonebook are skipped, so importing the same rows
        again adds nothing.

        :param phonebook_id: (int) the phonebook's id.
        :param source: (path, or iterable of ``NewContact``/numbers/mappings) a CSV file whose
            first row names the columns (``number``, optionally ``pre``, ``name``, ``email``
            and the phonebook's option ids), or the numbers themselves.
        :param rows_per_file: (int, default 5000) rows a request.
        :returns: :class:`ImportResult`: rows uploaded and requests made.
        :raises IPPanelValidationError: a file had a bad row (IPPanel names its line; that
            file added nothing, earlier files were imported).
        """
        book = checked_id(phonebook_id, "phonebook_id")
        if rows_per_file < 1:
            raise ValueError(f"rows_per_file must be at least 1, got {rows_per_file}")
        rows = files = 0
        path = f"/api/phonebooks/{book}/import"
        for content, count in import_files(source, rows_per_file):
            part = MultipartField("file", content, "phonebook.csv", "text/csv")
            summary = f"import {count} row(s) into phonebook {book}"
            try:
                yield write("POST", path, decode_nothing, summary, files=(part,))
            except IPPanelError as exc:
                exc.add_note(
                    f"file {files + 1} (rows {rows + 1} to {rows + count}) was refused; "
                    f"{files} earlier file(s) with {rows} row(s) were imported"
                )
                raise
            rows, files = rows + count, files + 1
        if not files:
            raise ValueError("import_contacts: the source has no rows")
        return ImportResult(rows, files)

    @operation
    def export_phonebook(
        self, phonebook_id: int, path: str | os.PathLike[str], *, per_page: int = 1000
    ) -> Operation[int]:
        """Write a phonebook's numbers to a CSV file in the import format (columns
        ``number,pre,name,email``), a page at a time; returns how many rows it wrote.

        :param phonebook_id: (int) the phonebook's id.
        :param path: (path) the file to write (replaced if it exists).
        :param per_page: (int, default 1000, at most 1000) numbers a request.
        """
        filters = contact_filters(phonebook_id, None, None, None)
        page_query(1, per_page, MAX_PER_PAGE)
        written, page = 0, 1
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(BASE_COLUMNS)
            while True:
                result: Page[Contact] = yield contacts_page(page, per_page, filters)
                writer.writerows((c.number, c.pre, c.name, c.email) for c in result.items)
                written += len(result.items)
                if not (result.has_next and result.items):
                    return written
                page += 1

    @operation
    def request_phonebook_export(self, phonebook_id: int) -> Operation[None]:
        """Ask IPPanel to prepare its export of a phonebook's members (IPPanel delivers the
        file in its panel; :meth:`export_phonebook` writes one here).

        :param phonebook_id: (int) the phonebook's id.
        """
        book = checked_id(phonebook_id, "phonebook_id")
        path = f"/api/phonebooks/{book}/export"
        yield read("GET", path, decode_nothing, f"export phonebook {book}")

    @operation
    def request_contacts_export(
        self,
        *,
        phonebook_id: int | None = None,
        number: str | None = None,
        phonebook_title: str | None = None,
        created_since: int | None = None,
    ) -> Operation[None]:
        """Ask IPPanel to prepare its export of the numbers these filters select, across the
        account's phonebooks (delivered in its panel, like :meth:`request_phonebook_export`).

        :param phonebook_id: (int or None, default None) only this phonebook's numbers.
        :param number: (str or None, default None) only this number (any common form).
        :param phonebook_title: (str or None, default None) only phonebooks whose title
            contains it.
        :param created_since: (int or None, default None) unix seconds: only numbers added
            at or after it.
        """
        filters = contact_filters(phonebook_id, number, phonebook_title, created_since)
        path = "/api/phonebooks/numbers/contact-list/export"
        yield read("GET", path, decode_nothing, "export phonebook numbers", params=filters)

    @operation
    def request_import_sample(self, phonebook_id: int) -> Operation[None]:
        """Ask IPPanel for the sample import file of a phonebook (delivered in its panel;
        :meth:`import_contacts` writes the files it uploads itself).

        :param phonebook_id: (int) the phonebook's id.
        """
        book = checked_id(phonebook_id, "phonebook_id")
        path = f"/api/phonebooks/{book}/import/get-sample"
        yield read("GET", path, decode_nothing, f"import sample of phonebook {book}")
