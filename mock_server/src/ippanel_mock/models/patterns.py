"""Message patterns (templates with %variable% slots): the shared ones every user may send
(the shipped demo patterns and those the admin API adds) and each user's own, created through
the API and reviewed on the sandbox clock.

A user's pattern is `pending` from its creation (or last update) until `review_delay` seconds
have passed, then `active`, or `inactive` (rejected) when its description contains "reject".
Only active patterns send. Codes are unique over all patterns; another user's pattern is not
found.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ippanel_mock.models.errors import (
    AlreadyExists,
    LimitReached,
    NotFound,
    RuleBroken,
    SandboxError,
    UnknownPattern,
)
from ippanel_mock.models.users import User

_VARIABLE = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%")

DEMO_PATTERNS: dict[str, str] = {
    "sandbox-otp": "کد تایید شما: %code%",
    "sandbox-welcome": "%name% عزیز، به سامانه خوش آمدید.",
    "sandbox-order": "سفارش %order_id% ثبت شد. مبلغ: %amount% ریال",
}
MAX_USER_PATTERNS = 1_000
MAX_SHARED_PATTERNS = 1_000
"""Shared patterns at most, the demo ones included; a reset removes those the admin API added."""
VARIABLE_LEN = 40
"""Characters a value may have, as the docs' answers show for new variables."""
REVIEW_DELAY = 2.0
REJECT_MARK = "reject"
ACCEPTED_COMMENT = "متن پترن مورد تائید است."
REJECTED_COMMENT = (
    "لطفا نام مجموعه را در متن پترن درج نمایید تا گیرنده متوجه مرجع پیام باشد.\n"
    "لطفا آدرس سایت را در متن یا توضیحات پترن درج نمایید تا پترن قابل بررسی باشد.\n"
)
MSG_PATTERN_NOT_FOUND = "پترن مورد نظر یافت نشد"
MSG_UNKNOWN_PATTERN = "الگوی مورد نظر یافت نشد"
MSG_PENDING = "پترن مورد نظر هنوز تایید نشده است"
MSG_REJECTED = "پترن مورد نظر رد شده است"
MSG_TOO_MANY = f"حداکثر {MAX_USER_PATTERNS} پترن می‌توانید بسازید"
CODE_ALPHABET = string.ascii_lowercase + string.digits


class PatternError(SandboxError, ValueError):
    """A pattern definition is invalid."""


class PatternExists(AlreadyExists):
    """A pattern with that code exists already."""


class PatternParamsError(ValueError):
    """The params of a pattern send do not fit its variables."""

    def __init__(
        self, missing: list[str], extra: list[str], invalid: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"missing: {missing}, extra: {extra}")
        self.missing = missing
        self.extra = extra
        self.invalid = dict(invalid or {})
        """Variable name -> what is wrong with its value (type or length)."""


def _fill(text: str, names: Iterable[str], params: Mapping[str, object]) -> str:
    known = set(names)
    return _VARIABLE.sub(
        lambda m: str(params[m.group(1)]) if m.group(1) in known else m.group(0), text
    )


@dataclass(frozen=True, slots=True)
class Pattern:
    """A shared pattern: every user may send it; it is always active."""

    code: str
    text: str
    variables: tuple[str, ...]

    def render(self, params: Mapping[str, object]) -> str:
        """Fill every variable; raises PatternParamsError naming missing and unknown params."""
        missing = [v for v in self.variables if v not in params]
        extra = [k for k in params if k not in self.variables]
        if missing or extra:
            raise PatternParamsError(missing, extra)
        return _fill(self.text, self.variables, params)


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    type: str
    """"string", or "integer" ("number" in the update docs): digits only."""
    len: int = VARIABLE_LEN

    def problem(self, value: object) -> str | None:
        text = str(value)
        if self.type != "string" and not (text.isascii() and text.isdigit()):
            return f"گزینه {self.name} باید از نوع عدد صحیح باشد"
        if len(text) > self.len:
            return f"گزینه {self.name} نباید بیشتر از {self.len} نویسه باشد"
        return None


@dataclass(frozen=True, slots=True)
class PatternDraft:
    """What a create or update request says about a pattern."""

    description: str
    message: str
    is_share: bool
    variables: tuple[Variable, ...]
    title: str | None = None
    website: str | None = None


@dataclass(slots=True)
class UserPattern:
    id: str
    code: str
    username: str
    user_id: int
    draft: PatternDraft
    submitted_at: float
    review_delay: float
    forced_status: str | None = field(default=None)
    """A review decided through the admin API ("active" or "inactive"), else by the clock."""

    @property
    def text(self) -> str:
        return self.draft.message

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.draft.variables)

    def status(self, now: float) -> str:
        """ "pending", "active" or "inactive" (rejected) at sandbox time `now`."""
        if self.forced_status is not None:
            return self.forced_status
        if now < self.submitted_at + self.review_delay:
            return "pending"
        return "inactive" if REJECT_MARK in self.draft.description.lower() else "active"

    def render(self, params: Mapping[str, object]) -> str:
        """Fill every declared variable; PatternParamsError names missing, unknown and bad
        values (a non-digit integer, a value longer than its `len`)."""
        declared = {v.name: v for v in self.draft.variables}
        missing = [name for name in declared if name not in params]
        extra = [name for name in params if name not in declared]
        invalid = {
            name: problem
            for name, value in params.items()
            if name in declared and (problem := declared[name].problem(value)) is not None
        }
        if missing or extra or invalid:
            raise PatternParamsError(missing, extra, invalid)
        return _fill(self.text, declared, params)


Sendable = Pattern | UserPattern


class PatternStore:
    def __init__(self, *, seed: int = 0, review_delay: float = REVIEW_DELAY) -> None:
        self._seed = seed
        self.review_delay = review_delay
        self.max_shared = MAX_SHARED_PATTERNS
        self._rng = random.Random(f"patterns:{seed}")
        self._patterns: dict[str, Pattern] = {}
        self._owned: dict[str, dict[str, UserPattern]] = {}
        self._owner_of: dict[str, str] = {}

    def reset(self) -> None:
        self._rng = random.Random(f"patterns:{self._seed}")
        self._patterns.clear()
        self._owned.clear()
        self._owner_of.clear()
        for code, text in DEMO_PATTERNS.items():
            self.add(code, text)

    # -- shared patterns ---------------------------------------------------------------

    def add(self, code: str, text: str) -> Pattern:
        """Add or replace a shared pattern; its variables are the %name% slots of the text."""
        if not isinstance(code, str) or not code.strip():
            raise PatternError("code must be a non-empty string")
        if not isinstance(text, str) or not text:
            raise PatternError("text must be a non-empty string")
        if code in self._owner_of:
            raise PatternExists(f"pattern {code!r} already exists")
        if code not in self._patterns and len(self._patterns) >= self.max_shared:
            raise LimitReached(
                f"at most {self.max_shared} shared patterns; a reset removes the added ones"
            )
        variables = tuple(dict.fromkeys(_VARIABLE.findall(text)))
        pattern = Pattern(code, text, variables)
        self._patterns[code] = pattern
        return pattern

    def create(self, code: str, text: str) -> Pattern:
        """Add a new shared pattern; PatternExists if the code is taken, PatternError if
        invalid."""
        if code in self._patterns:
            raise PatternExists(f"pattern {code!r} already exists")
        return self.add(code, text)

    def get(self, code: str) -> Pattern | None:
        return self._patterns.get(code)

    def remove(self, code: str) -> bool:
        return self._patterns.pop(code, None) is not None

    def all(self) -> list[Pattern]:
        return list(self._patterns.values())

    # -- a user's own patterns ---------------------------------------------------------

    def own(self, user: User) -> list[UserPattern]:
        """The user's patterns, newest first."""
        return list(reversed(self._owned.get(user.username, {}).values()))

    def submit(self, user: User, draft: PatternDraft, now: float) -> UserPattern:
        """A new pattern of the user, pending review from `now`."""
        owned = self._owned.setdefault(user.username, {})
        if len(owned) >= MAX_USER_PATTERNS:
            raise RuleBroken(MSG_TOO_MANY)
        code = self._new_code()
        pattern = UserPattern(
            f"{self._rng.getrandbits(96):024x}",
            code,
            user.username,
            user.id,
            draft,
            now,
            self.review_delay,
        )
        owned[code] = pattern
        self._owner_of[code] = user.username
        return pattern

    def mine(self, user: User, code: str) -> UserPattern:
        """One of the user's own patterns (a shared or another user's is not found)."""
        pattern = self._owned.get(user.username, {}).get(code)
        if pattern is None:
            raise NotFound(MSG_PATTERN_NOT_FOUND)
        return pattern

    def visible(self, user: User, code: str) -> Sendable:
        """The user's own pattern or a shared one (NotFound otherwise)."""
        shared = self._patterns.get(code)
        return shared if shared is not None else self.mine(user, code)

    def revise(self, user: User, code: str, draft: PatternDraft, now: float) -> UserPattern:
        """New content for the user's pattern: it is reviewed again from `now`."""
        pattern = self.mine(user, code)
        pattern.draft = draft
        pattern.submitted_at = now
        pattern.review_delay = self.review_delay
        pattern.forced_status = None
        return pattern

    def delete(self, user: User, code: str) -> None:
        self.mine(user, code)
        del self._owned[user.username][code]
        del self._owner_of[code]

    def for_send(self, user: User, code: str, now: float) -> Sendable:
        """The pattern a send by `code` uses: shared, or the user's own when active."""
        try:
            pattern = self.visible(user, code)
        except NotFound:
            raise UnknownPattern(MSG_UNKNOWN_PATTERN) from None
        if isinstance(pattern, UserPattern):
            status = pattern.status(now)
            if status != "active":
                raise RuleBroken(MSG_PENDING if status == "pending" else MSG_REJECTED)
        return pattern

    def force_review(self, code: str, status: str | None) -> UserPattern | None:
        """Decide a user pattern's review now ("active"/"inactive"), or None to follow the
        clock again; None if no user pattern has that code."""
        owner = self._owner_of.get(code)
        if owner is None:
            return None
        pattern = self._owned[owner][code]
        pattern.forced_status = status
        return pattern

    def _new_code(self) -> str:
        while True:
            code = "".join(self._rng.choices(CODE_ALPHABET, k=14))
            if code not in self._owner_of and code not in self._patterns:
                return code
