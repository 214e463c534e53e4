"""Message patterns (templates with %variable% slots) that ship with the sandbox."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ippanel_mock.models.errors import AlreadyExists, SandboxError

_VARIABLE = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%")

DEMO_PATTERNS: dict[str, str] = {
    "sandbox-otp": "کد تایید شما: %code%",
    "sandbox-welcome": "%name% عزیز، به سامانه خوش آمدید.",
    "sandbox-order": "سفارش %order_id% ثبت شد. مبلغ: %amount% ریال",
}


class PatternError(SandboxError, ValueError):
    """A pattern definition is invalid."""


class PatternExists(AlreadyExists):
    """A pattern with that code exists already."""


class PatternParamsError(ValueError):
    """The params of a pattern send do not fit its variables."""

    def __init__(self, missing: list[str], extra: list[str]) -> None:
        super().__init__(f"missing: {missing}, extra: {extra}")
        self.missing = missing
        self.extra = extra


@dataclass(frozen=True, slots=True)
class Pattern:
    code: str
    text: str
    variables: tuple[str, ...]

    def render(self, params: Mapping[str, object]) -> str:
        """Fill every variable; raises PatternParamsError naming missing and unknown params."""
        missing = [v for v in self.variables if v not in params]
        extra = [k for k in params if k not in self.variables]
        if missing or extra:
            raise PatternParamsError(missing, extra)
        return _VARIABLE.sub(lambda m: str(params[m.group(1)]), self.text)


class PatternStore:
    def __init__(self) -> None:
        self._patterns: dict[str, Pattern] = {}

    def reset(self) -> None:
        self._patterns.clear()
        for code, text in DEMO_PATTERNS.items():
            self.add(code, text)

    def add(self, code: str, text: str) -> Pattern:
        """Add or replace a pattern; its variables are the %name% slots of the text."""
        if not isinstance(code, str) or not code.strip():
            raise PatternError("code must be a non-empty string")
        if not isinstance(text, str) or not text:
            raise PatternError("text must be a non-empty string")
        variables = tuple(dict.fromkeys(_VARIABLE.findall(text)))
        pattern = Pattern(code, text, variables)
        self._patterns[code] = pattern
        return pattern

    def create(self, code: str, text: str) -> Pattern:
        """Add a new pattern; PatternExists if the code is taken, PatternError if invalid."""
        if code in self._patterns:
            raise PatternExists(f"pattern {code!r} already exists")
        return self.add(code, text)

    def get(self, code: str) -> Pattern | None:
        return self._patterns.get(code)

    def remove(self, code: str) -> bool:
        return self._patterns.pop(code, None) is not None

    def all(self) -> list[Pattern]:
        return list(self._patterns.values())
