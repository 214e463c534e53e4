"""Typed records of what an account keeps at IPPanel: patterns, phonebooks and their numbers
and options, sender lines, drafts. Numbers that arrive as strings become numbers here; each
record keeps the row it was read from in ``raw`` (not compared, not shown)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import to_bool, to_int

PATTERN_VARIABLE_TYPES = ("string", "integer", "number")
OPTION_TYPES = ("int", "string", "date")


def _required_int(data: Mapping[str, Any], key: str) -> int:
    value = to_int(data.get(key))
    if value is None:
        raise ValueError(f"answer row without {key}")
    return value


def checked_id(value: Any, what: str) -> int:
    """A positive integer id (an int, or a string of digits)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"{what} must be an integer id, got {type(value).__name__}")
    if isinstance(value, str) and not value.strip().isdigit():
        raise ValueError(f"{what} must be a positive id, got {value!r}")
    number = int(value)
    if number < 1:
        raise ValueError(f"{what} must be a positive id, got {value!r}")
    return number


def checked_ids(values: Iterable[Any], what: str, most: int | None = None) -> list[int]:
    """At least one id (and at most ``most``), each once, in order."""
    if isinstance(values, str | bytes | int):
        raise TypeError(f"{what} must be a list of ids")
    ids = list(dict.fromkeys(checked_id(v, what) for v in values))
    if not ids:
        raise ValueError(f"{what}: give at least one id")
    if most is not None and len(ids) > most:
        raise ValueError(f"{what}: at most {most} ids a call, got {len(ids)}")
    return ids


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class PatternVariable:
    """A ``%name%`` slot of a pattern.

    :param name: the slot's name (letters, digits and ``_``; not starting with a digit).
    :param type: ``string`` (default), ``integer`` or ``number`` (the last two take digits only).
    """

    name: str
    type: str = "string"

    def to_json(self) -> dict[str, str]:
        """The slot as the API takes it: ``{"name", "type"}``."""
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class Pattern:
    """A pattern (message template with ``%name%`` slots) as IPPanel lists or saves it.

    ``status`` is ``pending`` (in review), ``active`` (may be sent) or ``inactive`` (rejected);
    ``kind`` is ``normal`` (the account's own) or ``systemic`` (shared, read-only), None when
    the answer (a create or update) does not say.
    """

    code: str
    """``pattern_code``: the code a pattern send names."""
    message: str = field(repr=False)
    """The template text with its ``%name%`` slots (hidden from ``repr``)."""
    status: str
    """``pending`` (in review), ``active`` (may be sent) or ``inactive`` (rejected)."""
    title: str | None
    """The pattern's title; None when it has none."""
    description: str | None
    """The description given when it was saved; None when none."""
    is_share: bool
    """Whether the account's sub users may use it too."""
    variables: tuple[PatternVariable, ...]
    """Its ``%name%`` slots, in the order IPPanel lists them."""
    kind: str | None
    """``normal`` (the account's own) or ``systemic`` (shared, read-only); None when the
    answer (a create or update) does not say.
    """
    admin_comment: str | None
    """The reviewer's note (why it was rejected, or that it is approved); None when none."""
    time: int | None
    """When it was saved, unix seconds; None when the answer does not say."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The object IPPanel answered with, as given (not compared, not shown)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pattern:
        """Read one pattern of IPPanel's answer.

        :param data: the pattern's object in the answer.
        """
        code = data.get("pattern_code")
        if not code:
            raise ValueError("pattern without pattern_code")
        variables = tuple(
            PatternVariable(str(v["name"]), str(v.get("type") or "string"))
            for v in data.get("variable") or []
        )
        return cls(
            code=str(code),
            message=_text(data.get("pattern_message")),
            status=_text(data.get("pattern_status")),
            title=data.get("title"),
            description=data.get("pattern_description"),
            is_share=to_bool(data.get("pattern_is_share")),
            variables=variables,
            kind=data.get("pattern_type"),
            admin_comment=data.get("admin_comment"),
            time=to_int(data.get("time")),
            raw=dict(data),
        )

    @property
    def is_active(self) -> bool:
        """Approved: a pattern send may use it."""
        return self.status == "active"


def pattern_variables(
    variables: Mapping[str, str] | Iterable[str | PatternVariable],
) -> list[dict[str, str]]:
    """A pattern's slots as the API takes them: from ``{name: type}``, names (type
    ``string``) or :class:`PatternVariable` values; each checked."""
    if isinstance(variables, str):
        raise TypeError("variables must be a list of names or a mapping of name -> type")
    items: Iterable[PatternVariable]
    if isinstance(variables, Mapping):
        items = (PatternVariable(str(k), str(v)) for k, v in variables.items())
    else:
        items = (v if isinstance(v, PatternVariable) else PatternVariable(v) for v in variables)
    result = []
    for variable in items:
        if not variable.name.isidentifier() or not variable.name.isascii():
            raise ValueError(f"pattern variable name {variable.name!r} is not a plain identifier")
        if variable.type not in PATTERN_VARIABLE_TYPES:
            raise ValueError(
                f"pattern variable {variable.name!r} has type {variable.type!r}; "
                f"use one of {PATTERN_VARIABLE_TYPES}"
            )
        result.append(variable.to_json())
    return result


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
            id=_required_int(data, "id"),
            title=_text(data.get("title")),
            type=_text(data.get("type")),
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
            id=_required_int(data, "id"),
            title=_text(data.get("title")),
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
            id=_required_int(data, "id"),
            phonebook_id=_required_int(data, "phonebook_id"),
            number=_text(data.get("number")),
            pre=_text(data.get("pre")),
            name=_text(data.get("name")),
            email=_text(data.get("email")),
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


@dataclass(frozen=True)
class SenderLine:
    """A sender line the account holds; ``gets``: it receives replies."""

    id: int
    """The line's id in IPPanel."""
    number: str
    """The line's number, as a send's sender takes it."""
    operator_id: int | None
    """IPPanel's id of the line's operator; None when not given."""
    alias: str | None
    """The name the account gave the line; None when none."""
    gets: bool
    """Whether the line receives replies (they arrive in the inbox)."""
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    """The object IPPanel answered with, as given (not compared, not shown)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SenderLine:
        """Read one line of IPPanel's answer.

        :param data: the line's object in the answer.
        """
        return cls(
            id=_required_int(data, "id"),
            number=_text(data.get("number")),
            operator_id=to_int(data.get("operator_id")),
            alias=data.get("alias"),
            gets=to_bool(data.get("gets")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class DraftGroup:
    """A group of drafts (saved message texts)."""

    id: int
    """``draft_group_id``: the group's id."""
    title: str
    """The group's title."""
    time: int | None
    """When it was created, unix seconds; None when not given."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftGroup:
        """Read one draft group of IPPanel's answer.

        :param data: the draft group's object in the answer.
        """
        return cls(
            id=_required_int(data, "draft_group_id"),
            title=_text(data.get("title")),
            time=to_int(data.get("time")),
        )


@dataclass(frozen=True)
class Draft:
    """A saved message text in a draft group."""

    id: int
    """``draft_id``: the draft's id."""
    group_id: int
    """The draft group it belongs to."""
    message: str
    """The saved text."""
    time: int | None
    """When it was saved, unix seconds; None when not given."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        """Read one draft of IPPanel's answer.

        :param data: the draft's object in the answer.
        """
        return cls(
            id=_required_int(data, "draft_id"),
            group_id=_required_int(data, "draft_group_id"),
            message=_text(data.get("message")),
            time=to_int(data.get("time")),
        )
