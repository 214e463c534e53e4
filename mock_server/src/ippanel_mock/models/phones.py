"""Iranian mobile numbers: normal form, compact storage form (and a formatted view of it),
operator."""

from __future__ import annotations

import re
import struct
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
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


DELIVERED = 2
BLACKLISTED = 4
"""Final `message_status` values the sandbox's rules name (a number ending 0004 is blacklisted)."""


def magic_final_status(national: int) -> int:
    """Final delivery status: numbers ending 000N (N in 0..4) end at N, all others delivered."""
    last4 = national % 10_000
    return last4 if last4 <= 4 else DELIVERED


OPERATORS: tuple[Operator, ...] = ("mci", "irancell", "other")
PREFIX_DIVISOR = 10_000_000
"""national // PREFIX_DIVISOR is the three-digit operator prefix (9121234567 -> 912)."""
SMALL_BULK = 64
"""Up to this many recipients a plain loop beats counting prefixes (the common API send)."""


OPERATOR_BY_PREFIX: dict[int, Operator] = {int(p): op for p, op in OPERATOR_PREFIXES.items()}
"""operator_of() keyed by national // PREFIX_DIVISOR, for counting without text."""


def count_by_operator_and_status(numbers: array) -> dict[str, tuple[int, ...]]:
    """counts[operator][final status]: one C-speed pass per prefix, Python only for 000N numbers
    (national numbers of 10 digits, as stored)."""
    counts = {op: [0] * 5 for op in OPERATORS}
    if len(numbers) <= SMALL_BULK:
        operator_by_prefix = OPERATOR_BY_PREFIX
        for national in numbers:
            last4 = national % 10_000
            row = counts[operator_by_prefix.get(national // PREFIX_DIVISOR, "other")]
            row[last4 if last4 <= 4 else DELIVERED] += 1  # magic_final_status, inlined
        return {op: tuple(row) for op, row in counts.items()}
    by_prefix = Counter(map(PREFIX_DIVISOR.__rfloordiv__, numbers))
    for prefix, count in by_prefix.items():
        counts[OPERATOR_BY_PREFIX.get(prefix, "other")][DELIVERED] += count
    for national in numbers:
        if national % 10_000 <= 4:
            row = counts[operator_of(national)]
            row[DELIVERED] -= 1
            row[magic_final_status(national)] += 1
    return {op: tuple(row) for op, row in counts.items()}


NUMBER_WIDTH = 10
"""Digits of a national number (9XXXXXXXXX): stored numbers are this many ASCII bytes each."""
MAX_STRUCT_ITEMS = 1000
"""Up to this many numbers are cut out by one compiled struct (a report page); more by slices."""


def pack_numbers(numbers: Sequence[int]) -> bytes:
    """National numbers as fixed-width ASCII digits: bytes is not tracked by the garbage
    collector, and a page of numbers is cut out as text without converting a number."""
    packed = "".join(map(str, numbers)).encode("ascii")
    if len(packed) != NUMBER_WIDTH * len(numbers):
        raise ValueError("stored numbers must be national numbers (10 digits, 9XXXXXXXXX)")
    return packed


def packed_digits(packed: bytes, offset: int, limit: int) -> Sequence[bytes]:
    """The digits of numbers offset..offset+limit-1 of a packed sequence (fewer at its end)."""
    count = max(0, min(limit, len(packed) // NUMBER_WIDTH - offset))
    start = offset * NUMBER_WIDTH
    if count > MAX_STRUCT_ITEMS:
        stop = start + count * NUMBER_WIDTH
        return [packed[i : i + NUMBER_WIDTH] for i in range(start, stop, NUMBER_WIDTH)]
    return _page_struct(count).unpack_from(packed, start) if count else ()


@lru_cache(maxsize=16)
def _page_struct(count: int) -> struct.Struct:
    """`count` fixed-width fields; a few sizes are in use at a time (32 KB each at 1,000)."""
    return struct.Struct(f"{NUMBER_WIDTH}s" * count)


class FormattedNumbers(Sequence[str]):
    """A lazy "+98…" view of packed national numbers: slicing never copies the whole."""

    def __init__(self, packed: bytes) -> None:
        self._packed = packed

    def __len__(self) -> int:
        return len(self._packed) // NUMBER_WIDTH

    def __iter__(self) -> Iterator[str]:
        packed, width = self._packed, NUMBER_WIDTH
        if len(packed) > MAX_STRUCT_ITEMS * width:  # lazily: a bulk may hold millions
            return (f"+98{packed[i : i + width].decode()}" for i in range(0, len(packed), width))
        text = packed.decode("ascii")
        return iter(["+98" + text[i : i + width] for i in range(0, len(text), width)])

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            digits = packed_digits(self._packed, start, stop - start)
            return [f"+98{d.decode()}" for d in digits]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("number index out of range")
        start = index * NUMBER_WIDTH
        return f"+98{self._packed[start : start + NUMBER_WIDTH].decode()}"
