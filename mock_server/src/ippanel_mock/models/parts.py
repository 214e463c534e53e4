"""How many SMS parts a text needs, and whether it is billed as Persian (UCS-2)."""

from __future__ import annotations

from typing import Literal

Encoding = Literal["fa", "en"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7 = GSM7_BASIC | GSM7_EXTENSION

UCS2_SINGLE, UCS2_MULTI = 70, 67
GSM7_SINGLE, GSM7_MULTI = 160, 153

TARIFF_PER_PART: dict[Encoding, int] = {"fa": 1330, "en": 3325}
"""Rial per part per recipient (the reference's published example)."""


def encoding_of(text: str) -> Encoding:
    return "en" if GSM7.issuperset(text) else "fa"


def message_parts(text: str) -> tuple[int, Encoding]:
    """Return (parts, encoding); an empty text still costs one part."""
    encoding = encoding_of(text)
    if encoding == "fa":
        # UTF-16 code units: characters outside the BMP take two.
        length = len(text.encode("utf-16-le")) // 2
        single, multi = UCS2_SINGLE, UCS2_MULTI
    else:
        length = len(text)
        if not GSM7_EXTENSION.isdisjoint(text):  # one pass; counting each takes ten
            length += sum(map(text.count, GSM7_EXTENSION))
        single, multi = GSM7_SINGLE, GSM7_MULTI
    if length <= single:
        return 1, encoding
    return -(-length // multi), encoding


def cost_of(text: str, recipients: int) -> tuple[int, Encoding, int]:
    """Return (parts, encoding, cost in Rial) for sending text to that many recipients."""
    parts, encoding = message_parts(text)
    return parts, encoding, parts * recipients * TARIFF_PER_PART[encoding]
