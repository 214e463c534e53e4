"""Domain errors: what the backend refuses and why, in words the caller sees.

The backend raises these; each route declares which ones it may meet and the answer each becomes
(http/operations.py), so a status is never chosen by reading an error's text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ippanel_mock.models.wording import summary

FieldErrors = dict[str, list[str]]
MSG_INVALID_INPUT = "اطلاعات ارسالی معتبر نیست"
MSG_BULK_NOT_FOUND = "پیام مورد نظر یافت نشد"
MSG_NOT_CANCELABLE = "لغو پیام فقط تا ۵ دقیقه پیش از زمان ارسال زمان‌بندی شده ممکن است"
MSG_INVALID_STATE = "invalid state"


class SandboxError(Exception):
    """Base of every refusal; `message` is shown to the caller as is and never holds a secret."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def fields(self) -> FieldErrors:
        """Problems per field, for errors that name fields (empty otherwise)."""
        return {}


class InvalidFields(SandboxError):
    """Input that breaks a rule; `fields` maps each bad field to what is wrong with it."""

    def __init__(self, fields: Mapping[str, Sequence[str]], message: str | None = None) -> None:
        collected = {name: list(problems) for name, problems in fields.items()}
        first = next(iter(collected.values()), [MSG_INVALID_INPUT])
        super().__init__(message if message is not None else first[0])
        self._fields = collected

    @property
    def fields(self) -> FieldErrors:
        return self._fields


class NotFound(SandboxError):
    """The thing named does not exist (or belongs to another user)."""


class BulkNotFound(NotFound):
    """No bulk with that id for this user."""


class NotCancelable(SandboxError):
    """The bulk is not scheduled far enough ahead to be canceled."""


class UnknownPattern(SandboxError):
    """A pattern send names a code the sandbox does not have."""


class InvalidStateFilter(SandboxError):
    """An outbox report filter names a state_id that does not exist."""


def unknown_choice(field: str, label: str, *, wording: str = "انتخاب شده") -> InvalidFields:
    """Laravel's `exists` refusal, worded as IPPanel's documentation shows it."""
    return InvalidFields({field: [f"گزینه {wording} {label} صحیح نمی باشد"]})


class UnknownAddressee(InvalidFields, NotFound):
    """A received message names a line or account the sandbox does not have."""


class LimitReached(SandboxError):
    """A bounded collection (e.g. auto-reply rules) is full."""


class AlreadyExists(SandboxError):
    """A name or key that must be unique is taken."""


class RuleBroken(SandboxError):
    """A business rule refuses a well-formed request (IPPanel answers 400 `400-1`): a line
    already assigned, a limit reached, a pattern not yet approved."""


def collect(errors: FieldErrors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def raise_if_any(errors: FieldErrors) -> None:
    if errors:
        raise InvalidFields(errors)


def invalid(fields: Mapping[str, Sequence[str]]) -> InvalidFields:
    """InvalidFields worded as the later edition's (Laravel) answers: the first problem, then
    "(و N خطای دیگر)" when N more follow."""
    return InvalidFields(fields, summary(fields))
