"""Message part counting and send_time conversion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pendulum
import pytest
from ippanel_provider.client import message_parts, to_send_time

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def fixed_now() -> datetime:
    return NOW


@pytest.mark.parametrize(
    ("text", "parts", "encoding"),
    [
        ("a" * 160, 1, "gsm7"),
        ("a" * 161, 2, "gsm7"),
        ("a" * 306, 2, "gsm7"),
        ("a" * 307, 3, "gsm7"),
        ("س" * 70, 1, "ucs2"),
        ("س" * 71, 2, "ucs2"),
        ("س" * 134, 2, "ucs2"),
        ("س" * 135, 3, "ucs2"),
        ("a" * 159 + "€", 2, "gsm7"),
        ("a" * 158 + "€", 1, "gsm7"),
        ("a" * 100 + "س", 2, "ucs2"),
    ],
)
def test_parts(text: str, parts: int, encoding: str) -> None:
    result = message_parts(text)
    assert (result.parts, result.encoding) == (parts, encoding)
    assert result.language == ("en" if encoding == "gsm7" else "fa")


def test_extension_characters_count_two() -> None:
    assert message_parts("[]{}").units == 8


def test_aware_datetime_is_converted_to_utc() -> None:
    tehran = timezone(timedelta(hours=3, minutes=30))
    value = datetime(2026, 1, 2, 10, 0, 0, tzinfo=tehran)
    assert to_send_time(value, now=fixed_now) == "2026-01-02 06:30:00"


def test_pendulum_datetime_is_accepted() -> None:
    value = pendulum.datetime(2026, 1, 2, 10, 0, 0, tz="Asia/Tehran")
    assert to_send_time(value, now=fixed_now) == "2026-01-02 06:30:00"


def test_string_is_read_as_utc() -> None:
    assert to_send_time("2026-01-01 12:30:00", now=fixed_now) == "2026-01-01 12:30:00"


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="no timezone"):
        to_send_time(datetime(2026, 1, 2, 10, 0), now=fixed_now)


@pytest.mark.parametrize("value", ["2025-12-31 23:59:59", NOW])
def test_past_or_present_time_is_rejected(value: datetime | str) -> None:
    with pytest.raises(ValueError, match="not in the future"):
        to_send_time(value, now=fixed_now)


@pytest.mark.parametrize("value", ["2026-01-02T10:00:00", "tomorrow", "2026-13-01 00:00:00"])
def test_malformed_string_is_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD HH:MM:SS"):
        to_send_time(value, now=fixed_now)
