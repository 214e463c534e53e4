"""Recipient normalization: every form seen in the wild, all errors at once, and speed."""

from __future__ import annotations

import pytest
from ippanel_provider.client import (
    InvalidRecipientsError,
    normalize_recipient,
    normalize_recipients,
)
from ippanel_provider.client.recipients import chunked


@pytest.mark.parametrize(
    "raw",
    [
        "09121234567",
        "9121234567",
        "989121234567",
        "00989121234567",
        "+989121234567",
        "+98 912 123 4567",
        "0912-123-4567",
        "(0912) 123 4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷",
    ],
)
def test_every_accepted_form_becomes_e164(raw: str) -> None:
    assert normalize_recipient(raw) == "+989121234567"


@pytest.mark.parametrize(
    "raw", ["", "0212345678", "+19121234567", "091212345", "0912123456789", "0912abc4567", "9"]
)
def test_non_mobile_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidRecipientsError):
        normalize_recipient(raw)


def test_all_invalid_entries_are_reported_together_with_positions() -> None:
    values = ["09121234567", "nope", "09351234567", "0212345678", 9121234567]
    with pytest.raises(InvalidRecipientsError) as info:
        normalize_recipients(values)  # type: ignore[arg-type]
    assert [position for position, _ in info.value.invalid] == [2, 4, 5]  # 1-based
    assert info.value.total == 5
    assert "#2: 'nope'" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_duplicates_and_order_are_kept() -> None:
    assert normalize_recipients(["09121234567", "+989121234567", "9351234567"]) == [
        "+989121234567",
        "+989121234567",
        "+989351234567",
    ]


def test_empty_list_and_single_string_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least one"):
        normalize_recipients([])
    with pytest.raises(TypeError, match="single string"):
        normalize_recipients("09121234567")


def test_hundred_thousand_numbers_normalize_in_order() -> None:
    """Their speed is a benchmark figure (benchmarks/bench_bulk_send.py)."""
    numbers = [f"0912{i:07d}" for i in range(100_000)]
    result = normalize_recipients(numbers)
    assert len(result) == 100_000
    assert result[12345] == "+989120012345"


def test_chunks_cover_everything_in_order() -> None:
    items = list(range(2501))
    pieces = list(chunked(items, 1000))
    assert [len(p) for p in pieces] == [1000, 1000, 501]
    assert [x for p in pieces for x in p] == items
    with pytest.raises(ValueError, match="at least 1"):
        list(chunked(items, 0))


def test_unique_recipients_keeps_the_first_of_each_and_names_the_repeats() -> None:
    from ippanel_provider.client.recipients import unique_recipients

    numbers = normalize_recipients(["0912 123 4567", "09351234567", "۰۹۱۲۱۲۳۴۵۶۷", "+989121234567"])
    assert unique_recipients(numbers) == (["+989121234567", "+989351234567"], [3, 4])
    pairs = [("a", "x"), ("a", "y"), ("a", "x")]
    assert unique_recipients(pairs) == ([("a", "x"), ("a", "y")], [3])
