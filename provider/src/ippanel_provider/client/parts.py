"""How many SMS parts a text takes, as the operators bill it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# GSM 03.38 default alphabet and its extension table (extension characters take two septets).
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True, slots=True)
class MessageParts:
    """``parts`` billed, ``encoding`` (``gsm7`` or ``ucs2``) and ``units`` counted."""

    parts: int
    encoding: Literal["gsm7", "ucs2"]
    units: int

    @property
    def language(self) -> Literal["en", "fa"]:
        """IPPanel's name for the encoding: ``en`` (GSM-7) or ``fa`` (UCS-2)."""
        return "en" if self.encoding == "gsm7" else "fa"


def message_parts(text: str) -> MessageParts:
    """Count parts: GSM-7 160 single / 153 each, UCS-2 70 single / 67 each.

    One character outside GSM-7 (any Persian letter) makes the whole message UCS-2. UCS-2 units
    are UTF-16 code units, so characters beyond the BMP (emoji) count two.
    """
    encoding: Literal["gsm7", "ucs2"]
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text):
        units = sum(2 if ch in _GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "ucs2"
    parts = (1 if units else 0) if units <= single else -(-units // multi)
    return MessageParts(parts, encoding, units)
