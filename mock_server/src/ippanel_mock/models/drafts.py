"""Draft groups and drafts: a user's pre-written messages (the docs call them "default
messages" kept under the name "draft"). Per user; another user's group or draft is not found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.errors import NotFound, RuleBroken
from ippanel_mock.models.users import User

MAX_GROUPS = 20
MAX_DRAFTS = 200
"""Per user, as documented."""
FIRST_GROUP_ID = 10_001
FIRST_DRAFT_ID = 30_001
MSG_GROUP_NOT_FOUND = "گروه پیش‌نویس مورد نظر یافت نشد"
MSG_DRAFT_NOT_FOUND = "پیش‌نویس مورد نظر یافت نشد"
MSG_TOO_MANY_GROUPS = f"حداکثر {MAX_GROUPS} گروه پیش‌نویس می‌توانید بسازید"
MSG_TOO_MANY_DRAFTS = f"حداکثر {MAX_DRAFTS} پیش‌نویس می‌توانید بسازید"


@dataclass(slots=True)
class DraftGroup:
    id: int
    user_id: int
    title: str
    time: int


@dataclass(slots=True)
class Draft:
    id: int
    group_id: int
    user_id: int
    message: str
    time: int


class DraftStore:
    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._groups: dict[str, dict[int, DraftGroup]] = {}
        self._drafts: dict[str, dict[int, Draft]] = {}
        self._next_group = FIRST_GROUP_ID
        self._next_draft = FIRST_DRAFT_ID

    def reset(self) -> None:
        self._groups.clear()
        self._drafts.clear()
        self._next_group = FIRST_GROUP_ID
        self._next_draft = FIRST_DRAFT_ID

    # -- groups ----------------------------------------------------------------------------

    def groups(self, user: User) -> list[DraftGroup]:
        return list(self._groups.get(user.username, {}).values())

    def add_group(self, user: User, title: str) -> DraftGroup:
        groups = self._groups.setdefault(user.username, {})
        if len(groups) >= MAX_GROUPS:
            raise RuleBroken(MSG_TOO_MANY_GROUPS)
        group = DraftGroup(self._next_group, user.id, title, int(self._clock.now()))
        self._next_group += 1
        groups[group.id] = group
        return group

    def rename_group(self, user: User, group_id: int, title: str) -> None:
        self._group(user, group_id).title = title

    def delete_group(self, user: User, group_id: int) -> None:
        """The group and every draft in it."""
        self._group(user, group_id)
        del self._groups[user.username][group_id]
        drafts = self._drafts.get(user.username, {})
        for draft_id in [d.id for d in drafts.values() if d.group_id == group_id]:
            del drafts[draft_id]

    def _group(self, user: User, group_id: int) -> DraftGroup:
        group = self._groups.get(user.username, {}).get(group_id)
        if group is None:
            raise NotFound(MSG_GROUP_NOT_FOUND)
        return group

    # -- drafts ----------------------------------------------------------------------------

    def drafts(self, user: User, group_id: int | None = None) -> list[Draft]:
        """The user's drafts, of one group when named (a group not found selects none)."""
        drafts = self._drafts.get(user.username, {}).values()
        return [d for d in drafts if group_id is None or d.group_id == group_id]

    def add_draft(self, user: User, group_id: int, message: str) -> Draft:
        self._group(user, group_id)
        drafts = self._drafts.setdefault(user.username, {})
        if len(drafts) >= MAX_DRAFTS:
            raise RuleBroken(MSG_TOO_MANY_DRAFTS)
        draft = Draft(self._next_draft, group_id, user.id, message, int(self._clock.now()))
        self._next_draft += 1
        drafts[draft.id] = draft
        return draft

    def edit_draft(self, user: User, draft_id: int, message: str) -> None:
        draft = self._drafts.get(user.username, {}).get(draft_id)
        if draft is None:
            raise NotFound(MSG_DRAFT_NOT_FOUND)
        draft.message = message

    def delete_drafts(self, user: User, draft_ids: Iterable[int]) -> None:
        """All of them, or none when one is not the user's."""
        drafts = self._drafts.get(user.username, {})
        wanted = set(draft_ids)
        if not wanted <= drafts.keys():
            raise NotFound(MSG_DRAFT_NOT_FOUND)
        for draft_id in wanted:
            del drafts[draft_id]
