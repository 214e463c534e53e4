"""Recipient normalization, operators, message parts and costs."""

from __future__ import annotations

from array import array

import pytest
from ippanel_mock.models.parts import cost_of, message_parts
from ippanel_mock.models.phones import (
    SMALL_BULK,
    FormattedNumbers,
    InvalidRecipient,
    count_by_operator_and_status,
    magic_final_status,
    normalize_recipient,
    operator_of,
    pack_numbers,
)


@pytest.mark.parametrize(
    "raw",
    ["+989121234567", "09121234567", "9121234567", "989121234567", "00989121234567",
     "+98 912 123 4567", "۰۹۱۲۱۲۳۴۵۶۷"],
)  # fmt: skip
def test_every_accepted_form_normalizes_to_e164(raw: str) -> None:
    assert normalize_recipient(raw) == "+989121234567"


@pytest.mark.parametrize(
    "raw", ["", "12345", "+982112345678", "0912123456", "+9891212345678", "abc"]
)
def test_non_mobile_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidRecipient):
        normalize_recipient(raw)


@pytest.mark.parametrize(
    ("number", "operator"),
    [("+989121234567", "mci"), ("+989901234567", "mci"), ("+989351234567", "irancell"),
     ("+989011234567", "irancell"), ("+989201234567", "other")],
)  # fmt: skip
def test_operator_of(number: str, operator: str) -> None:
    assert operator_of(number) == operator


@pytest.mark.parametrize(("last4", "status"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 2)])
def test_magic_final_status(last4: int, status: int) -> None:
    assert magic_final_status(9_121_230_000 + last4) == status
    assert magic_final_status(9_121_231_000 + last4) == 2


@pytest.mark.parametrize(
    ("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_persian_uses_ucs2_70_then_67(length: int, parts: int) -> None:
    assert message_parts("س" * length) == (parts, "fa")


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3)])
def test_latin_uses_gsm7_160_then_153(length: int, parts: int) -> None:
    assert message_parts("a" * length) == (parts, "en")


def test_one_persian_letter_makes_the_whole_message_ucs2() -> None:
    assert message_parts("a" * 100 + "ب") == (2, "fa")


def test_gsm7_extension_characters_count_twice() -> None:
    assert message_parts("€" * 80) == (1, "en")
    assert message_parts("€" * 81) == (2, "en")
    assert message_parts("[" + "a" * 159) == (2, "en")


def test_persian_is_billed_at_its_cheaper_tariff() -> None:
    _, _, fa_cost = cost_of("سلام", 3)
    _, _, en_cost = cost_of("hello", 3)
    assert fa_cost == 3 * 1330
    assert en_cost == 3 * 3325
    assert cost_of("س" * 71, 2)[2] == 2 * 2 * 1330


COUNTED = [9121234567, 9351230000, 9901230001, 9201230003, 9121230004, 9051230002, 9391234567]
"""mci delivered, irancell 0000, mci 0001, other 0003, mci 0004, irancell 0002, irancell."""


def test_counts_by_operator_and_final_status() -> None:
    assert count_by_operator_and_status(array("q", COUNTED)) == {
        "mci": (0, 1, 1, 0, 1),
        "irancell": (1, 0, 2, 0, 0),
        "other": (0, 0, 0, 1, 0),
    }


def test_small_and_large_bulks_are_counted_alike() -> None:
    times = SMALL_BULK // len(COUNTED) + 1
    small = count_by_operator_and_status(array("q", COUNTED))
    large = count_by_operator_and_status(array("q", COUNTED * times))
    assert len(COUNTED) * times > SMALL_BULK
    assert large == {op: tuple(n * times for n in row) for op, row in small.items()}


@pytest.mark.parametrize("count", [0, 1, 2, 1_000, 1_001, 2_500])
def test_formatted_view_of_stored_numbers(count: int) -> None:
    national = [9_120_000_000 + i for i in range(count)]
    view = FormattedNumbers(pack_numbers(array("q", national)))
    expected = [f"+98{n}" for n in national]
    assert len(view) == count
    assert list(view) == expected
    assert view[1:] == expected[1:]
    assert view[::2] == expected[::2]
    if count:
        assert (view[0], view[-1]) == (expected[0], expected[-1])
    with pytest.raises(IndexError):
        view[count]


def test_only_ten_digit_numbers_are_stored() -> None:
    with pytest.raises(ValueError, match="10 digits"):
        pack_numbers(array("q", [9121234567, 912123456]))
