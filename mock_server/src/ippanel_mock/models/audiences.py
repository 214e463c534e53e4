"""Seeded audiences of the country and job banks: people, not just numbers.

An audience is the people of one area (or job category) on one operator. A seeded random.Random
gives each person a number with that operator's prefixes, a gender and a birth year, in one
draw; filters (gender, birth years, number prefix, no blacklisted numbers) keep whom they match,
and a send's {start, size} takes a window of what is left, so a count always equals what a send
of the whole audience draws. The same seed gives the same people. Audiences hold at most
MAX_PEOPLE; the last few are cached (bounded), the rest drawn again when asked for.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass
from functools import lru_cache

from ippanel_mock.models.history import AUDIENCE_PREFIXES
from ippanel_mock.models.phones import BLACKLISTED, Operator, magic_final_status

MAX_PEOPLE = 10_000
"""People per audience and operator (the postal-code audiences hold as many)."""
SIZES: dict[str, tuple[int, int]] = {
    "country": (8_000, 10_000),
    "province": (4_000, 10_000),
    "county": (1_000, 4_000),
    "city": (200, 1_500),
    "job": (2_000, 8_000),
    "sub": (300, 3_000),
}
"""Audience size ranges (mci and irancell) by the kind of key; other operators get a tenth."""
OTHER_SHARE = 10
BIRTH_YEARS = (1300, 1410)
GENDERS: dict[int, str] = {1: "مرد", 2: "زن", 3: "سازمانی- حقوقی"}
OPERATOR_IDS: dict[int, Operator] = {1: "mci", 2: "irancell", 13: "other"}
"""The operator ids of the job and geolocation sends."""


@dataclass(frozen=True, slots=True)
class PeopleFilter:
    gender: int = 0
    """0: everyone; 1 men, 2 women, 3 organisations."""
    born_from: int = BIRTH_YEARS[0]
    born_to: int = BIRTH_YEARS[1]
    prefix: str = ""
    """Digits the national number starts with (e.g. "938"); a leading 0 is ignored."""
    white: bool = False
    """Leave out blacklisted numbers (the magic ones whose final status is 4)."""


@dataclass(frozen=True, slots=True)
class People:
    numbers: array
    genders: bytes
    years: array


def audience_size(seed: int, key: str, operator: Operator) -> int:
    low, high = SIZES[key.split(":", 1)[0]]
    size = random.Random(f"size:{seed}:{key}:{operator}").randint(low, high)
    return size // OTHER_SHARE if operator == "other" else size


@lru_cache(maxsize=32)
def people(seed: int, key: str, operator: Operator) -> People:
    """Everyone of an audience, in its fixed order."""
    rng = random.Random(f"{seed}:{key}:{operator}")
    prefixes = AUDIENCE_PREFIXES[operator]
    count = len(prefixes)
    numbers, years = array("q"), array("H")
    genders = bytearray()
    for _ in range(audience_size(seed, key, operator)):
        bits = rng.getrandbits(64)
        bits, tail = divmod(bits, 10_000_000)
        bits, index = divmod(bits, count)
        bits, gender = divmod(bits, 100)
        numbers.append(prefixes[index] * 10_000_000 + tail)
        genders.append(1 if gender < 48 else 2 if gender < 96 else 3)
        years.append(BIRTH_YEARS[0] + bits % (BIRTH_YEARS[1] - BIRTH_YEARS[0] + 1))
    return People(numbers, bytes(genders), years)


def audience(seed: int, key: str, operator: Operator, flt: PeopleFilter) -> array:
    """National numbers of the people of `key` on `operator` whom `flt` keeps, in order."""
    everyone = people(seed, key, operator)
    prefix = flt.prefix.removeprefix("0")
    if prefix and not any(str(p).startswith(prefix[:3]) for p in AUDIENCE_PREFIXES[operator]):
        return array("q")
    if flt == PeopleFilter():
        return everyone.numbers
    kept = array("q")
    for number, gender, year in zip(
        everyone.numbers, everyone.genders, everyone.years, strict=True
    ):
        if flt.gender and gender != flt.gender:
            continue
        if not flt.born_from <= year <= flt.born_to:
            continue
        if prefix and not str(number).startswith(prefix):
            continue
        if flt.white and magic_final_status(number) == BLACKLISTED:
            continue
        kept.append(number)
    return kept


def window(numbers: array, start: int, size: int) -> array:
    """Numbers [start, start + size), clamped at the end (past it: nobody)."""
    return numbers[start : start + size]


def counts(
    seed: int,
    key: str | None,
    flt: PeopleFilter,
    *,
    operators: tuple[Operator, ...] = ("mci", "irancell", "other"),
    start: int = 0,
    size: int | None = None,
) -> dict[Operator, int]:
    """How many people a send of the window [start, start + size) would draw, per operator
    (0 for operators left out, and for a key that names nobody)."""
    result: dict[Operator, int] = {"mci": 0, "irancell": 0, "other": 0}
    if key is None:
        return result
    for operator in operators:
        total = len(audience(seed, key, operator, flt))
        left = max(0, total - start)
        result[operator] = left if size is None else min(left, size)
    return result
