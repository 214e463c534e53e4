"""IPPanel's loosely typed answer values read as Python values: numbers that arrive as strings
become numbers, flags that arrive as ``"1"`` become booleans."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def to_int(value: Any) -> int | None:
    """``"12"``, ``12`` and ``12.0`` → 12; ``None`` and ``""`` → None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    return int(float(value))


def to_float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def to_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def required_int(data: Mapping[str, Any], key: str) -> int:
    """``data[key]`` as an int; a row without it is not a row of this answer."""
    value = to_int(data.get(key))
    if value is None:
        raise ValueError(f"answer row without {key}")
    return value


def text(value: Any) -> str:
    """A string field that may be absent or null: ``""`` then."""
    return "" if value is None else str(value)
