"""Sender lines: the numbers users send from (and receive on), and how they are reassigned.

Which lines a user holds lives on the user (`User.lines`: number -> LineGrant); this module keeps
each line's public facts (its id and operator) and the rules of the Numbers endpoints and of
sending: a send names a line the caller may send from, or the shared audience line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ippanel_mock.models.errors import NotFound, RuleBroken, invalid
from ippanel_mock.models.users import LineGrant, User, UserStore
from ippanel_mock.models.wording import required_attribute

FIRST_LINE_ID = 10_001
AUDIENCE_LINES = {
    "+98BANK": frozenset({"postal_code", "country", "geolocation", "job"}),
    "+98PRO": frozenset({"job"}),
}
"""IPPanel's shared lines for audience sends, as the documentation's examples use them (postal
code, country and its second form with +98BANK; jobs with +98PRO, described as +98BANK too):
nobody holds them, and only these sending types may use them."""
MSG_NOT_YOUR_LINE = "شماره فرستنده به حساب شما تخصیص داده نشده است"
MSG_LINE_NOT_FOUND = "شماره مورد نظر یافت نشد"
MSG_USER_NOT_FOUND = "کاربر مورد نظر یافت نشد"
MSG_ALREADY_ASSIGNED = "number already assigned to user"
MSG_NOT_ASSIGNED = "number not assigned to user"


@dataclass(frozen=True, slots=True)
class SenderLine:
    id: int
    number: str
    operator_id: int
    """The digit after +98 for the operators' ranges (1000 MCI, 2000 Irancell, 3000, 5000…),
    else 0."""


@dataclass(frozen=True, slots=True)
class LineChange:
    """An assign or unassign request: each of the line and the target user named by id, by
    name, or both (then both must match)."""

    number_id: int | None
    number: str | None
    target_user_id: int | None
    target_user: str | None
    grant: LineGrant = field(default_factory=LineGrant)


def sender_problem(user: User, sending_type: str, from_number: object) -> str | None:
    """Why `user` may not send `sending_type` from `from_number` (None: it may, or no line
    was named)."""
    if not isinstance(from_number, str):
        return None
    if sending_type in AUDIENCE_LINES.get(from_number, ()):
        return None
    grant = user.lines.get(from_number)
    return None if grant is not None and grant.send else MSG_NOT_YOUR_LINE


class SenderLines:
    """Line ids are handed out in the order lines are first seen, from 10001; a reset sees the
    default accounts' lines first, so `+983000505` is 10001 and `+9810001` is 10002."""

    def __init__(self, users: UserStore) -> None:
        self._users = users
        self._by_number: dict[str, SenderLine] = {}
        self._by_id: dict[int, SenderLine] = {}

    def reset(self) -> None:
        self._by_number.clear()
        self._by_id.clear()
        for user in self._users.all():
            self.held_by(user)

    def line(self, number: str) -> SenderLine:
        found = self._by_number.get(number)
        if found is None:
            digit = number[3:4]
            operator = int(digit) if digit in ("1", "2", "3", "5", "9") else 0
            found = SenderLine(FIRST_LINE_ID + len(self._by_number), number, operator)
            self._by_number[number] = found
            self._by_id[found.id] = found
        return found

    def held_by(self, user: User) -> list[tuple[SenderLine, LineGrant]]:
        return [(self.line(number), grant) for number, grant in user.lines.items()]

    def assign(self, caller: User, change: LineChange) -> None:
        """Give a line the caller holds to a user; RuleBroken if that user holds it already."""
        line, target = self._resolve(caller, change)
        if line.number in target.lines:
            raise RuleBroken(MSG_ALREADY_ASSIGNED)
        target.lines[line.number] = change.grant

    def unassign(self, caller: User, change: LineChange) -> None:
        """Take a line the caller holds back from a user (the caller too, if named)."""
        line, target = self._resolve(caller, change)
        if line.number not in target.lines:
            raise RuleBroken(MSG_NOT_ASSIGNED)
        del target.lines[line.number]

    def _resolve(self, caller: User, change: LineChange) -> tuple[SenderLine, User]:
        missing: dict[str, list[str]] = {}
        if change.number_id is None and change.number is None:
            missing["number_id"] = [required_attribute("number id")]
            missing["number"] = [required_attribute("number")]
        if change.target_user_id is None and change.target_user is None:
            missing["target_user_id"] = [required_attribute("target user id")]
            missing["target_user"] = [required_attribute("target user")]
        if missing:
            raise invalid(missing)
        lines = [
            line
            for line, _ in self.held_by(caller)
            if change.number_id in (None, line.id) and change.number in (None, line.number)
        ]
        if not lines:
            raise NotFound(MSG_LINE_NOT_FOUND)
        targets = [
            user
            for user in self._users.all()
            if change.target_user_id in (None, user.id)
            and change.target_user in (None, user.username)
        ]
        if not targets:
            raise NotFound(MSG_USER_NOT_FOUND)
        return lines[0], targets[0]
