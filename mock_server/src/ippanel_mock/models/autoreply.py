"""Auto-reply rules: phones that answer the SMS a user sends them, for scripted conversations.

A rule names the number that answers, optionally a regex the received text must contain, the
reply (a template that may quote the received text or the regex's groups) and a delay. Rules are
tried in the order they were added; the first that matches answers, so a rule limited to
`times` answers can be followed by a catch-all ("NO" once, then "YES").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ippanel_mock.models.errors import InvalidFields, LimitReached
from ippanel_mock.models.inbox import PendingMessage
from ippanel_mock.models.outbox import OutboxBulk
from ippanel_mock.models.phones import (
    DELIVERED,
    NUMBER_WIDTH,
    InvalidRecipient,
    format_number,
    magic_final_status,
    national_number,
)

MAX_RULES = 100
MAX_PATTERN_LENGTH = 200
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)\}|[{}]")


class AutoReplyError(InvalidFields):
    """A rule the sandbox cannot use; `fields` names what is wrong."""


@dataclass(frozen=True, slots=True)
class ReplyTemplate:
    """`{text}` is the received text, `{0}` the regex's whole match, `{1}`… and `{name}` its
    groups (empty when a group did not take part); `{{` and `}}` are literal braces."""

    source: str
    pieces: tuple[str | tuple[str], ...]
    """Literal text, or a one-element tuple naming what to insert."""

    @classmethod
    def parse(cls, source: str, pattern: re.Pattern[str] | None) -> ReplyTemplate:
        pieces: list[str | tuple[str]] = []
        position = 0
        for found in _PLACEHOLDER.finditer(source):
            pieces.append(source[position : found.start()])
            position = found.end()
            token = found.group()
            if token in ("{{", "}}"):
                pieces.append(token[0])
                continue
            name = found.group(1)
            if name is None:
                raise AutoReplyError({"reply": ["a lone { or } (write {{ or }} for a brace)"]})
            if name != "text" and not _is_group(name, pattern):
                raise AutoReplyError(
                    {"reply": [f"{{{name}}} is neither {{text}} nor a group of `match`"]}
                )
            pieces.append((name,))
        pieces.append(source[position:])
        return cls(source, tuple(p for p in pieces if p != ""))

    def render(self, text: str, found: re.Match[str] | None) -> str:
        out = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            name = piece[0]
            if name == "text":
                out.append(text)
            elif found is not None:
                out.append(found.group(int(name) if name.isdigit() else name) or "")
        return "".join(out)


def _is_group(name: str, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None:
        return False
    if name.isdigit():
        return int(name) <= pattern.groups
    return name in pattern.groupindex


@dataclass(slots=True)
class AutoReplyRule:
    id: int
    number: str
    """The phone that answers, normalized (+989…)."""
    national: int
    reply: ReplyTemplate
    delay: float
    """Seconds on the sandbox clock from the SMS reaching the phone to its answer."""
    match: re.Pattern[str] | None = None
    times: int | None = None
    """How many answers it gives (None: every time)."""
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def answer(self, text: str) -> str | None:
        """The reply to `text`, or None when the rule does not match it."""
        found = None
        if self.match is not None:
            found = self.match.search(text)
            if found is None:
                return None
        return self.reply.render(text, found)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "number": self.number,
            "reply": self.reply.source,
            "delay": self.delay,
            "match": self.match.pattern if self.match is not None else None,
            "times": self.times,
            "fired": self.fired,
        }


@dataclass(slots=True)
class AutoReplies:
    """The rules in the order they were added; at most MAX_RULES."""

    rules: list[AutoReplyRule] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    listeners: list[Callable[[], None]] = field(default_factory=list)
    """Called after a rule is added or removed; empty unless something watches."""

    def _changed(self) -> None:
        for listener in self.listeners:
            listener()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def add(
        self,
        number: str,
        reply: str,
        *,
        delay: float = 0.0,
        match: str | None = None,
        times: int | None = None,
    ) -> AutoReplyRule:
        """A new rule; AutoReplyError naming the field when it cannot be used."""
        if not math.isfinite(delay) or delay < 0:
            raise AutoReplyError({"delay": ["must be a finite number of seconds >= 0"]})
        if len(self.rules) >= MAX_RULES:
            raise LimitReached(f"at most {MAX_RULES} auto-reply rules; delete some first")
        try:
            national = national_number(number)
        except (InvalidRecipient, TypeError):
            raise AutoReplyError({"number": ["not an Iranian mobile number"]}) from None
        pattern = None
        if match is not None:
            if len(match) > MAX_PATTERN_LENGTH:
                raise AutoReplyError({"match": [f"longer than {MAX_PATTERN_LENGTH} characters"]})
            try:
                pattern = re.compile(match)
            except (re.error, RecursionError, OverflowError) as exc:
                raise AutoReplyError({"match": [f"not a regular expression: {exc}"]}) from None
        template = ReplyTemplate.parse(reply, pattern)
        rule = AutoReplyRule(
            next(self._ids), format_number(national), national, template, delay, pattern, times
        )
        self.rules.append(rule)
        self._changed()
        return rule

    def get(self, rule_id: int) -> AutoReplyRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def remove(self, rule_id: int) -> bool:
        rule = self.get(rule_id)
        if rule is None:
            return False
        self.rules.remove(rule)
        self._changed()
        return True

    def clear(self) -> int:
        count = len(self.rules)
        self.rules.clear()
        self._changed()
        return count

    def reset(self) -> None:
        self.rules.clear()
        self._ids = itertools.count(1)
        self._changed()

    def numbers(self) -> set[int]:
        return {r.national for r in self.rules if not r.exhausted}

    def first_answer(self, national: int, text: str) -> tuple[AutoReplyRule, str] | None:
        """The rule that answers an SMS to `national`, and its reply (the answer is counted)."""
        for rule in self.rules:
            if rule.national != national or rule.exhausted:
                continue
            reply = rule.answer(text)
            if reply is not None:
                rule.fired += 1
                return rule, reply
        return None

    def replies_to(self, bulk: OutboxBulk) -> list[PendingMessage]:
        """The answers to a bulk: each recipient it reaches (final status delivered) that a rule
        covers answers once, the rule's delay after the SMS reached it."""
        received_at = bulk.start_at + bulk.delay
        replies = []
        for national in self.numbers():
            if magic_final_status(national) != DELIVERED or not bulk_contains(bulk, national):
                continue
            answer = self.first_answer(national, bulk.text)
            if answer is None:
                continue
            rule, reply = answer
            replies.append(
                PendingMessage(
                    bulk.username, format_number(national), bulk.sender, reply,
                    received_at + rule.delay, rule_id=rule.id, bulk_id=bulk.id,
                )
            )  # fmt: skip
        return replies


def bulk_contains(bulk: OutboxBulk, national: int) -> bool:
    """Whether a national number is among the bulk's recipients (a byte search, not a loop)."""
    needle = str(national).encode("ascii")
    if len(needle) != NUMBER_WIDTH:
        return False
    packed = bulk.packed
    at = packed.find(needle)
    while at != -1 and at % NUMBER_WIDTH:
        at = packed.find(needle, at + 1)
    return at != -1
