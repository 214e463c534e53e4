"""Iranian mobile numbers: one normal form, ``+989XXXXXXXXX``, checked before any request.

``normalize_recipients`` keeps duplicates and order (IPPanel bills and delivers each entry);
``unique_recipients`` drops the repeats, which the operators and the notifier do by default.
``coerce_recipients`` turns a rendered template value (a string, a number, a list) into the list
of strings those functions take. Positions in messages count from 1.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from .errors import InvalidRecipientsError

T = TypeVar("T")

_DIGITS = "0123456789"
_TRANSLATION = str.maketrans(
    "۰۱۲۳۴۵۶۷۸۹" + "٠١٢٣٤٥٦٧٨٩",
    _DIGITS + _DIGITS,
    " \t\n\r-()./\u00a0\u200c\u200d\u200e\u200f\u2009\u202f",
)
_MOBILE = re.compile(r"(?:\+98|0098|98|0)?(9\d{9})")
_CANONICAL = re.compile(r"\+989[0-9]{9}")
"""Already in the normal form (ASCII digits only): kept as is, skipping the slower translate."""
_SEPARATORS = re.compile(r"[,;\n\r]+")


def _normalized_or_none(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    match = _MOBILE.fullmatch(value.translate(_TRANSLATION))
    return "+98" + match.group(1) if match else None


def normalize_recipient(value: str) -> str:
    """Return ``value`` as ``+989XXXXXXXXX`` or raise :class:`InvalidRecipientsError`.

    Accepts ``0912…``, ``912…``, ``98912…``, ``0098912…``, ``+98 912 …``, spaces, dashes,
    parentheses, and Persian or Arabic-Indic digits.
    """
    normalized = _normalized_or_none(value)
    if normalized is None:
        raise InvalidRecipientsError([(1, str(value))], 1)
    return normalized


def normalize_recipients(values: Iterable[str]) -> list[str]:
    """Normalize every entry; report all invalid entries together, with 1-based positions.

    Raises :class:`InvalidRecipientsError` when any entry is invalid, or when the list is empty.
    """
    items = values if isinstance(values, Sequence) else list(values)
    if isinstance(items, str):
        raise TypeError("recipients must be a list of numbers, not a single string")
    result: list[str] = []
    invalid: list[tuple[int, str]] = []
    canonical = _CANONICAL.fullmatch
    for position, value in enumerate(items, start=1):
        if type(value) is str and canonical(value):
            result.append(value)
            continue
        normalized = _normalized_or_none(value)
        if normalized is None:
            invalid.append((position, str(value)))
        else:
            result.append(normalized)
    if invalid:
        raise InvalidRecipientsError(invalid, len(items))
    if not result:
        raise ValueError("at least one recipient is required")
    return result


def unique_recipients(
    items: Sequence[T], key: Callable[[T], Hashable] = lambda item: item
) -> tuple[list[T], list[int]]:
    """``items`` without repeats (first one kept, order kept) and the 1-based positions dropped.

    Call it on normalized numbers (``0912 123 4567`` and ``+989121234567`` are one person), or
    with ``key`` on ``(number, message)`` pairs where each recipient has its own text.
    """
    seen: set[Hashable] = set()
    kept: list[T] = []
    dropped: list[int] = []
    for position, item in enumerate(items, start=1):
        marker = key(item)
        if marker in seen:
            dropped.append(position)
        else:
            seen.add(marker)
            kept.append(item)
    return kept, dropped


def coerce_recipients(value: Any, *, what: str = "recipients") -> list[str]:
    """A rendered recipients value as a list of strings (not yet normalized).

    Accepts one number, a comma/semicolon/newline separated string, or any iterable of numbers
    (``render_template_as_native_obj`` may turn a rendered number into an ``int``). A string
    that is a list literal is read as that list: without native rendering, a template such as
    ``"{{ params.numbers }}"`` renders a list param as ``"['0912...', '0935...']"``.
    """
    if isinstance(value, str):
        value = _list_literal(value)
    if value is None:
        raise ValueError(f"{what} is empty: give at least one mobile number")
    if isinstance(value, bool):
        raise TypeError(f"{what} must be phone numbers, got a boolean")
    if isinstance(value, str | int):
        items: list[Any] = [value]
    elif isinstance(value, Iterable) and not isinstance(value, Mapping):
        items = list(value)
    else:
        raise TypeError(f"{what} must be a number, a string or a list, got {type(value).__name__}")
    numbers: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise TypeError(f"{what} must contain phone numbers, got {item!r}")
        numbers += [part.strip() for part in _SEPARATORS.split(str(item)) if part.strip()]
    if not numbers:
        raise ValueError(f"{what} is empty: give at least one mobile number")
    return numbers


def coerce_recipient(value: Any) -> str:
    """Exactly one rendered recipient, as a string (pattern and VOTP sends)."""
    numbers = coerce_recipients(value, what="recipient")
    if len(numbers) != 1:
        raise ValueError(f"recipient must be exactly one number, got {len(numbers)}")
    return numbers[0]


def _list_literal(text: str) -> Any:
    """``text`` as a list/tuple when it is the repr of one, else ``text`` unchanged."""
    stripped = text.strip()
    if (stripped[:1], stripped[-1:]) not in (("[", "]"), ("(", ")")):
        return text
    try:
        parsed = ast.literal_eval(stripped)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text  # e.g. "(0912) 123 4567": an ordinary number with parentheses
    return parsed if isinstance(parsed, list | tuple) else text


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]
