"""Iranian mobile numbers: one normal form, ``+989XXXXXXXXX``, checked before any request.

Duplicates are kept on purpose: the list is sent as the caller gave it (IPPanel bills and
delivers each entry), so de-duplicate before calling if that is what you want.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

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
        raise InvalidRecipientsError([(0, str(value))], 1)
    return normalized


def normalize_recipients(values: Iterable[str]) -> list[str]:
    """Normalize every entry; report all invalid entries together, with their positions.

    Raises :class:`InvalidRecipientsError` when any entry is invalid, or when the list is empty.
    """
    items = values if isinstance(values, Sequence) else list(values)
    if isinstance(items, str):
        raise TypeError("recipients must be a list of numbers, not a single string")
    result: list[str] = []
    invalid: list[tuple[int, str]] = []
    canonical = _CANONICAL.fullmatch
    for position, value in enumerate(items):
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


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]
