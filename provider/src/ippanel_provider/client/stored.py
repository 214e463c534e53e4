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
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class Pattern:
    """A pattern (message template with ``%name%`` slots) as IPPanel lists or saves it.

    ``status`` is ``pending`` (in review), ``active`` (may be sent) or ``inactive`` (rejected);
    ``kind`` is ``normal`` (the account's own) or ``systemic`` (shared, read-only), None when
    the answer (a create or update) does not say.
    """

    code: str
    message: str = field(repr=False)
    status: str
    title: str | None
    description: str | None
    is_share: bool
    variables: tuple[PatternVariable, ...]
    kind: str | None
    admin_comment: str | None
    time: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pattern:
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
    title: str
    type: str
    created_at: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PhonebookOption:
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
    title: str
    count: int
    options: tuple[PhonebookOption, ...]
    created_at: str | None
    updated_at: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Phonebook:
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
    phonebook_id: int
    number: str
    pre: str
    name: str
    email: str
    phonebook_title: str | None
    created_at: str | None
    updated_at: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contact:
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
    errors: int = 0
    existences: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StoreCounts:
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
    requests: int


@dataclass(frozen=True)
class SenderLine:
    """A sender line the account holds; ``gets``: it receives replies."""

    id: int
    number: str
    operator_id: int | None
    alias: str | None
    gets: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SenderLine:
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
    title: str
    time: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftGroup:
        return cls(
            id=_required_int(data, "draft_group_id"),
            title=_text(data.get("title")),
            time=to_int(data.get("time")),
        )


@dataclass(frozen=True)
class Draft:
    """A saved message text in a draft group."""

    id: int
    group_id: int
    message: str
    time: int | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        return cls(
            id=_required_int(data, "draft_id"),
            group_id=_required_int(data, "draft_group_id"),
            message=_text(data.get("message")),
            time=to_int(data.get("time")),
        )
