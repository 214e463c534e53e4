"""Make a phonebook hold exactly the numbers of a source (a CSV file or rows), declared once
for both clients (no network I/O here).

Reading the source (``read_phonebook_rows``) normalizes every number (any common form, Persian
digits), checks each row's fields, and sets aside bad rows (1-based) and repeated numbers (the
first row of a number wins). ``sync_phonebook`` then compares with what the phonebook holds
and writes only the difference: a second run with the same source writes nothing.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .api_books import phonebooks_page
from .api_contacts import MAX_PER_PAGE, ContactsApi, contacts_page
from .core import Operation
from .engine import operation
from .errors import InvalidRecipientsError
from .models import Page
from .phonebook_models import Contact, NewContact, Phonebook, StoreCounts
from .protocol import decode_object, write
from .recipients import normalize_recipient
from .stored import checked_id

FIELDS = {"pre": 50, "name": 100, "email": 100}
"""The fields a sync manages besides the number, and their longest value."""
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class SourceRow:
    """A good row: where it was (1-based), its number (``+989…``) and the fields it gives
    (only those its source has: a column left out of the file is left alone)."""

    row: int
    """Where the row was, 1-based (see ``PhonebookRows.unit``)."""
    number: str
    """The row's number, normalized to ``+989…``."""
    fields: Mapping[str, str] = field(default_factory=dict)
    """``pre``, ``name`` and ``email`` as the row gives them (only those its source has)."""


@dataclass(frozen=True)
class BadRow:
    """A row set aside: where it was and why (nothing of it is written)."""

    row: int
    """Where the row was, 1-based (see ``PhonebookRows.unit``)."""
    problem: str
    """What is wrong with it, e.g. ``'x' is not an Iranian mobile number``."""


@dataclass(frozen=True)
class PhonebookRows:
    """A source read: good rows, bad ones, rows repeating an earlier number, and columns a
    sync does not manage (ignored). ``unit`` names what ``row`` counts: ``line`` of a file
    (the header is line 1) or ``item`` of a list."""

    rows: list[SourceRow]
    """The good rows, in source order (the first row of a number)."""
    bad: list[BadRow]
    """The rows set aside, with what is wrong with each."""
    duplicates: list[int]
    """The rows (1-based) repeating the number of an earlier row."""
    ignored_columns: tuple[str, ...]
    """Columns of the source a sync does not manage."""
    unit: str
    """What a row position counts: ``line`` of a file (the header is line 1) or ``item``
    of a list.
    """

    def describe_bad(self) -> str:
        """The first bad rows with their problems, in one line, for an error or a log."""
        shown = "; ".join(f"{self.unit} {b.row}: {b.problem}" for b in self.bad[:SHOWN_PROBLEMS])
        more = len(self.bad) - SHOWN_PROBLEMS
        return shown + (f"; and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class SyncCounts:
    """What a sync did. ``not_in_source``: numbers the phonebook keeps that the source does
    not list (removed instead with ``remove_missing``)."""

    phonebook_id: int
    """The phonebook synced."""
    phonebook_title: str
    """Its title."""
    created: bool
    """Whether the sync created the phonebook."""
    added: int
    """Numbers stored anew."""
    updated: int
    """Numbers whose ``pre``, ``name`` or ``email`` changed."""
    unchanged: int
    """Numbers already as the source has them."""
    removed: int
    """Numbers deleted because the source does not list them (``remove_missing``)."""
    not_in_source: int
    """Numbers kept that the source does not list (without ``remove_missing``)."""

    def to_dict(self) -> dict[str, Any]:
        """The counts as a plain dict (what the sync operator's XCom is built from)."""
        return asdict(self)


def _row_of(position: int, values: Mapping[str, Any], number_key: str) -> SourceRow | BadRow:
    raw = values.get(number_key)
    raw = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else ""
    if not raw:
        return BadRow(position, "no number")
    try:
        number = normalize_recipient(raw)
    except InvalidRecipientsError:
        return BadRow(position, f"{raw[:32]!r} is not an Iranian mobile number")
    fields: dict[str, str] = {}
    for name, most in FIELDS.items():
        if name not in values:
            continue
        value = "" if values[name] is None else str(values[name]).strip()
        if len(value) > most:
            return BadRow(position, f"{name} is longer than {most} characters")
        if name == "email" and value and not EMAIL.fullmatch(value):
            return BadRow(position, f"{value[:64]!r} is not an e-mail address")
        fields[name] = value
    return SourceRow(position, number, fields)


def _file_rows(
    path: Path, number_column: str
) -> tuple[Iterator[tuple[int, dict[str, Any]]], set[str]]:
    handle = path.open(newline="", encoding="utf-8-sig")
    reader = csv.reader(handle)
    header = [cell.strip().lower() for cell in next(reader, [])]
    if number_column not in header:
        handle.close()
        raise ValueError(
            f"{path}: the first line must name the columns, one of them {number_column!r}"
        )

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with handle:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    if len(cells) != len(header):
                        yield reader.line_num, {"__width__": len(cells)}
                    else:
                        yield reader.line_num, dict(zip(header, cells, strict=True))

    return rows(), set(header)


def read_phonebook_rows(
    source: str | os.PathLike[str] | Iterable[Any], *, number_column: str = "number"
) -> PhonebookRows:
    """Read a sync's source: a CSV file (a header naming ``number_column`` and optionally
    ``pre``, ``name``, ``email``) or rows (numbers, mappings with ``number`` and those
    fields, or :class:`NewContact` values)."""
    number_column = number_column.strip().lower()
    unit = "item"
    items: Iterable[tuple[int, Any]]
    columns: set[str] = set()
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"phonebook source not found: {path}")
        items, columns = _file_rows(path, number_column)
        unit = "line"
    elif isinstance(source, Mapping | bytes):
        raise TypeError("the source must be a CSV path or a list of rows")
    else:
        items = enumerate(source, start=1)
    rows: list[SourceRow] = []
    bad: list[BadRow] = []
    duplicates: list[int] = []
    seen: set[str] = set()
    for position, item in items:
        if isinstance(item, NewContact):
            item = {"number": item.number, "pre": item.pre, "name": item.name, "email": item.email}
        if isinstance(item, Mapping):
            if "__width__" in item:
                bad.append(BadRow(position, "it does not have one cell per column"))
                continue
            values = {str(k).strip().lower(): v for k, v in item.items()}
            columns.update(values)
            key = number_column if number_column in values else "number"
        else:
            values, key = {"number": item}, "number"
        result = _row_of(position, values, key)
        if isinstance(result, BadRow):
            bad.append(result)
        elif result.number in seen:
            duplicates.append(position)
        else:
            seen.add(result.number)
            rows.append(result)
    ignored = tuple(sorted(columns - {number_column, "number", *FIELDS}))
    return PhonebookRows(rows, bad, duplicates, ignored, unit)


def _changed(contact: Contact, row: SourceRow) -> NewContact | None:
    """The contact's fields from now on, or None when the row changes nothing."""
    current = {"pre": contact.pre, "name": contact.name, "email": contact.email}
    wanted = {**current, **row.fields}
    if wanted == current:
        return None
    return NewContact(row.number, wanted["pre"], wanted["name"], wanted["email"])


class PhonebookSyncApi:
    """Phonebook sync: a mixin of ``IPPanelApi`` (it drives the declared operations)."""

    def _find_phonebook(
        self, phonebook: int | str, create_missing: bool
    ) -> Operation[tuple[Phonebook, bool]]:
        if isinstance(phonebook, int) or (isinstance(phonebook, str) and phonebook.isdigit()):
            book_id = checked_id(phonebook, "phonebook")
            found: Page[Phonebook] = yield phonebooks_page(1, 1, None, book_id)
            if not found.items:
                raise ValueError(f"the account has no phonebook with id {book_id}")
            return found.items[0], False
        title = str(phonebook).strip()
        if not title:
            raise ValueError("phonebook must be an id or a title")
        matches: list[Phonebook] = []
        page = 1
        while True:
            listed: Page[Phonebook] = yield phonebooks_page(page, MAX_PER_PAGE, title, None)
            matches += [b for b in listed.items if b.title == title]
            if not (listed.has_next and listed.items):
                break
            page += 1
        if len(matches) > 1:
            ids = ", ".join(str(b.id) for b in matches)
            raise ValueError(
                f"{len(matches)} phonebooks are titled {title!r} (ids {ids}); name one by id"
            )
        if matches:
            return matches[0], False
        if not create_missing:
            raise ValueError(
                f"the account has no phonebook titled {title!r} (create_missing=False)"
            )
        decode = decode_object(Phonebook.from_json)
        body = {"title": title}
        created: Phonebook = yield write(
            "POST", "/api/phonebooks", decode, "create phonebook", json=body
        )
        return created, True

    def _current(self, phonebook_id: int) -> Operation[dict[str, Contact]]:
        current: dict[str, Contact] = {}
        filters = {"phonebook_id": str(phonebook_id)}
        page = 1
        while True:
            listed: Page[Contact] = yield contacts_page(page, MAX_PER_PAGE, filters)
            for contact in listed.items:
                try:
                    current[normalize_recipient(contact.number)] = contact
                except InvalidRecipientsError:
                    current[contact.number] = contact
            if not (listed.has_next and listed.items):
                return current
            page += 1

    @operation
    def sync_phonebook(
        self,
        phonebook: int | str,
        source: PhonebookRows | str | os.PathLike[str] | Iterable[Any],
        *,
        remove_missing: bool = False,
        create_missing: bool = True,
    ) -> Operation[SyncCounts]:
        """Make a phonebook hold the source's numbers: add the new ones, update those whose
        ``pre``, ``name`` or ``email`` differ (only fields the source has), leave the rest;
        remove numbers the source does not list only with ``remove_missing``. A second run
        with the same source writes nothing.

        :param phonebook: (int or str) the phonebook's id, or its exact title.
        :param source: (``PhonebookRows``, CSV path, or rows) what it should hold; see
            :func:`read_phonebook_rows`. A source with bad rows is refused before any request;
            the good rows of a ``PhonebookRows`` are synced (its bad ones are the caller's).
        :param remove_missing: (bool, default False) delete numbers the source does not list.
        :param create_missing: (bool, default True) create the phonebook when no phonebook
            has that title.
        :returns: :class:`SyncCounts`.
        """
        if isinstance(source, PhonebookRows):
            rows = source  # read by the caller, who chose what to do with its bad rows
        else:
            rows = read_phonebook_rows(source)
            if rows.bad:
                raise ValueError(f"{len(rows.bad)} bad row(s) in the source: {rows.describe_bad()}")
        book, created = yield from self._find_phonebook(phonebook, create_missing)
        current = yield from self._current(book.id)
        wanted = {row.number for row in rows.rows}
        missing = [c.id for number, c in current.items() if number not in wanted]
        updates: list[tuple[int, NewContact]] = []
        additions: list[NewContact] = []
        for row in rows.rows:
            contact = current.get(row.number)
            if contact is None:
                pre, name, email = (row.fields.get(f, "") for f in FIELDS)
                additions.append(NewContact(row.number, pre, name, email))
            elif (change := _changed(contact, row)) is not None:
                updates.append((contact.id, change))
        if remove_missing and missing:
            yield from ContactsApi.delete_contacts.function(self, missing)
        for contact_id, change in updates:
            yield from ContactsApi.update_contact.function(
                self, contact_id, change, phonebook_id=book.id
            )
        if additions:
            stored: StoreCounts = yield from ContactsApi.add_contacts.function(
                self, book.id, additions
            )
            if stored.errors or stored.added != len(additions):
                raise ValueError(
                    f"IPPanel stored {stored.added} of {len(additions)} new number(s) "
                    f"({stored.errors} refused, {stored.existences} already there); run the sync "
                    "again to retry: it only writes what still differs"
                )
        return SyncCounts(
            phonebook_id=book.id,
            phonebook_title=book.title,
            created=created,
            added=len(additions),
            updated=len(updates),
            unchanged=len(rows.rows) - len(additions) - len(updates),
            removed=len(missing) if remove_missing else 0,
            not_in_source=0 if remove_missing else len(missing),
        )
