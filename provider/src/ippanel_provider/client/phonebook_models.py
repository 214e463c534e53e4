"""Typed records of an account's phonebooks: a phonebook, its options (custom fields), its
numbers (contacts), a number to store, and what storing and importing numbers did. Each record
read from an answer keeps that row in ``raw`` (not compared, not shown)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .convert import required_int, text, to_int

OPTION_TYPES = ("int", "string", "date")


@dataclass(frozen=True)
class PhonebookOption:
    """A custom field that a phonebook's numbers carry (``int``, ``string`` or ``date``)."""

    id: int
    """The option's id (the key of a contact's ``options``)."""
    title: str
    """The option's name, as the panel shows it."""
    type: str
    """The type of its values: ``int``, ``string`` or ``date``."""
    created_at: str | None = None
    """When it was created, as IPPanel writes it; None when not given."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PhonebookOption:
        """Read one option of IPPanel's answer.

        :param data: the option's object in the answer.
        """
        return cls(
            id=required_int(data, "id"),
            title=text(data.get("title")),
            type=text(data.get("type")),
            created_at=data.get("created_at"),
        )


@dataclass(frozen=True)
class Phonebook:
    """A phonebook: ``count`` numbers; ``options`` are the custom fields its numbers carry."""

    id: int
    """The phonebook's id (what sends and syncs name)."""
    title: str
    """The phonebook's title."""
    count: int
    """How many numbers it holds."""
    options: tuple[PhonebookOption, ...]
    """The custom fields its numbers carry."""
    created_at: str | None
    """When it was created, as IPPanel writes it; None when not given."""
    updated_at: str | None
    """When it last changed, as IPPanel writes it; None when not given."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The object IPPanel answered with, as given (not compared, not shown)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phonebook:
        """Read one phonebook of IPPanel's answer.

        :param data: the phonebook's object in the answer.
        """
        return cls(
            id=required_int(data, "id"),
            title=text(data.get("title")),
            count=to_int(data.get("count")) or 0,
            options=tuple(PhonebookOption.from_json(o) for o in data.get("options") or []),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class Contact:
    """A number in a phonebook, as IPPanel lists it (``number`` as ``+989…``)."""

    id: int
    """The contact's id in IPPanel."""
    phonebook_id: int
    """The phonebook it belongs to."""
    number: str
    """The mobile number, as ``+989…``."""
    pre: str
    """A title before the name (``آقای``, ``Ms.``); empty when none."""
    name: str
    """The contact's name; empty when none."""
    email: str
    """The contact's e-mail address; empty when none."""
    phonebook_title: str | None
    """The title of its phonebook, when the answer gives it."""
    created_at: str | None
    """When it was stored, as IPPanel writes it; None when not given."""
    updated_at: str | None
    """When it last changed, as IPPanel writes it; None when not given."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The object IPPanel answered with, as given (not compared, not shown)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
        """Read one contact of IPPanel's answer.

        :param data: the contact's object in the answer.
        """
        return cls(
            id=required_int(data, "id"),
            phonebook_id=required_int(data, "phonebook_id"),
            number=text(data.get("number")),
            pre=text(data.get("pre")),
            name=text(data.get("name")),
            email=text(data.get("email")),
            phonebook_title=data.get("phonebook_title"),
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            raw=dict(data),
        )


@dataclass(frozen=True)
class NewContact:
    """A number to store in a phonebook.

    :param number: an Iranian mobile number in any common form (normalized to ``+989…``).
    :param pre: a title before the name (``آقای``, ``Ms.``); default empty.
    :param name: the contact's name; default empty.
    :param email: an e-mail address; default empty.
    :param options: option id -> value (``int``: digits, ``date``: ``YYYY/MM/DD``); default none.
    """

    number: str
    pre: str = ""
    name: str = ""
    email: str = ""
    options: Mapping[int | str, str | int] = field(default_factory=dict)

    def to_json(self, phonebook_id: int) -> dict[str, Any]:
        """The body that stores this number (empty fields left out).

        :param phonebook_id: the phonebook to store it in.
        """
        body: dict[str, Any] = {"number": self.number, "phonebook_id": int(phonebook_id)}
        for key in ("pre", "name", "email"):
            if getattr(self, key):
                body[key] = getattr(self, key)
        if self.options:
            body["options"] = {str(k): str(v) for k, v in self.options.items()}
        return body


@dataclass(frozen=True)
class StoreCounts:
    """What storing numbers did: ``added`` new ones, ``errors`` refused ones (bad field,
    phonebook full), ``existences`` already in their phonebook (left unchanged)."""

    added: int = 0
    """Numbers stored anew."""
    errors: int = 0
    """Numbers refused (a bad field, a full phonebook)."""
    existences: int = 0
    """Numbers already in their phonebook, left unchanged."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoreCounts:
        """Read the counts of a store answer (numbers may come as strings).

        :param data: the answer's ``data`` object.
        """
        return cls(
            added=to_int(data.get("added")) or 0,
            errors=to_int(data.get("errors")) or 0,
            existences=to_int(data.get("existences")) or 0,
        )

    def __add__(self, other: StoreCounts) -> StoreCounts:
        return StoreCounts(
            self.added + other.added,
            self.errors + other.errors,
            self.existences + other.existences,
        )


@dataclass(frozen=True)
class ImportResult:
    """An import: ``rows`` uploaded in ``requests`` files (each file all-or-nothing)."""

    rows: int
    """How many rows were uploaded."""
    requests: int
    """How many files (requests) carried them; each file is stored all or nothing."""
