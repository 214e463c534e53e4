"""Typed records of what an account keeps at IPPanel besides its phonebooks: patterns, sender
lines, drafts; and the checks of the ids that name them. Numbers that arrive as strings become
numbers here; each record keeps the row it was read from in ``raw`` (not compared, not shown).

The phonebook records live in ``phonebook_models.py`` and are importable from here too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .convert import required_int, text, to_bool, to_int
from .phonebook_models import (  # noqa: F401  (importable from here, as before they moved)
    OPTION_TYPES,
    Contact,
    ImportResult,
    NewContact,
    Phonebook,
    PhonebookOption,
    StoreCounts,
)

PATTERN_VARIABLE_TYPES = ("string", "integer", "number")


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
            message=text(data.get("pattern_message")),
            status=text(data.get("pattern_status")),
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
            id=required_int(data, "id"),
            number=text(data.get("number")),
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
            id=required_int(data, "draft_group_id"),
            title=text(data.get("title")),
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
            id=required_int(data, "draft_id"),
            group_id=required_int(data, "draft_group_id"),
            message=text(data.get("message")),
            time=to_int(data.get("time")),
        )
