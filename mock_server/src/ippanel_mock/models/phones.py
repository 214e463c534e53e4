"""Iranian mobile numbers: normal form, compact storage form (and a formatted view of it),
operator."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from typing import Literal, overload

Operator = Literal["mci", "irancell", "other"]

# Three-digit prefixes after the leading 9 of the national number (0912 -> "912").
# Sources disagree at the edges; unknown prefixes are "other".
OPERATOR_PREFIXES: dict[str, Operator] = {
    **{f"91{d}": "mci" for d in range(10)},
    "990": "mci",
    "991": "mci",
    **dict.fromkeys(("930", "933", "935", "936", "937", "938", "939", "941"), "irancell"),
    **{f"90{d}": "irancell" for d in range(6)},
}

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_SEPARATORS = re.compile(r"[\s\-().\u200c\u200e\u200f]")
_NATIONAL = re.compile(r"9\d{9}")


class InvalidRecipient(ValueError):
    """The text is not an Iranian mobile number in any accepted form."""


def national_number(raw: str) -> int:
    """Return the 10-digit national number (9XXXXXXXXX) as an int, or raise."""
    if type(raw) is str and len(raw) == 13 and raw.startswith("+989"):
        national = raw[3:]
        if national.isascii() and national.isdigit():
            return int(national)
    text = _SEPARATORS.sub("", raw.translate(_DIGITS))
    for prefix in ("+98", "0098", "98", "0"):
        if text.startswith(prefix) and len(text) == len(prefix) + 10:
            text = text[len(prefix) :]
            break
    if not _NATIONAL.fullmatch(text):
        raise InvalidRecipient("not an Iranian mobile number")
    return int(text)


def normalize_recipient(raw: str) -> str:
    """Accept +989…, 09…, 9…, 989…, 00989… (also Persian digits) and return +989XXXXXXXXX."""
    return format_number(national_number(raw))


def format_number(national: int) -> str:
    return f"+98{national}"


def operator_of(number: str | int) -> Operator:
    """Operator of a normalized number or a national number int."""
    national = str(number)[-10:]
    return OPERATOR_PREFIXES.get(national[:3], "other")


def magic_final_status(national: int) -> int:
    """Final delivery status: numbers ending 000N (N in 0..4) end at N, all others at 2."""
    last4 = national % 10_000
    return last4 if last4 <= 4 else 2


class FormattedNumbers(Sequence[str]):
    """A lazy "+98…" view of an array of national numbers: slicing never copies the whole."""

    def __init__(self, numbers: array | memoryview) -> None:
        self._numbers = numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return map(format_number, self._numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [format_number(n) for n in self._numbers[index]]
        return format_number(self._numbers[index])
