"""SandboxBackend: all sandbox state in one object, its operations, and a reset to the seed.

Routes parse and render; every rule of the IPPanel API lives below this object, and each refusal
is a domain error (models/errors.py) that the route maps to its answer.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.chaos import ChaosEngine
from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.drafts import DraftStore
from ippanel_mock.models.errors import (
    MSG_BULK_NOT_FOUND,
    MSG_NOT_CANCELABLE,
    BulkNotFound,
    FieldErrors,
    NotCancelable,
)
from ippanel_mock.models.history import fill_history, fill_phonebook
from ippanel_mock.models.journal import RequestJournal
from ippanel_mock.models.lines import SenderLines
from ippanel_mock.models.messages import MessageLog
from ippanel_mock.models.outbox import BulkFilters, CancelOutcome, Outbox, OutboxBulk
from ippanel_mock.models.parts import cost_of
from ippanel_mock.models.patterns import PatternStore
from ippanel_mock.models.phonebooks import PhonebookStore
from ippanel_mock.models.phones import format_number
from ippanel_mock.models.ratelimit import RateLimiter
from ippanel_mock.models.sending import (
    BulkPlan,
    SendContext,
    pattern_contact,
    plan_file,
    plan_send,
    sender_errors,
)
from ippanel_mock.models.users import DEFAULT_TOTP_SECRET, User, UserStore


class FormattedNumbers(Sequence[str]):
    """A lazy "+98…" view of an array of national numbers: slicing never copies the whole."""

    def __init__(self, numbers: array | memoryview) -> None:
        self._numbers = numbers

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return map(format_number, self._numbers)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [format_number(n) for n in self._numbers[index]]
        return format_number(self._numbers[index])


OTP_SENDER = "+9810001"
OTP_TEXT = "کد ورود شما: {code}"

DEFAULT_USERS: tuple[dict[str, object], ...] = (
    {"username": "sandbox", "method": "login", "api_key": "sandbox-api-key",
     "mobile": "+989120000100", "name": "Sandbox"},
    {"username": "sandbox-ga", "method": "ga", "api_key": "sandbox-ga-api-key",
     "mobile": "+989120000200", "name": "Sandbox GA", "totp_secret": DEFAULT_TOTP_SECRET},
    {"username": "sandbox-sms", "method": "sms", "api_key": "sandbox-sms-api-key",
     "mobile": "+989350000300", "name": "Sandbox SMS"},
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PriceQuote:
    parts: int
    price: int
    """Rial per recipient, the same on every operator."""


ANY_USER = ("", "*")
"""Values of the outbox report's `username` filter that mean "the caller"."""


class SandboxBackend:
    """Aggregates the models; routes and the admin API only talk to this."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = SandboxClock()
        self.messages = MessageLog(self.config.message_capacity)
        self.journal = RequestJournal(self.config.journal_capacity)
        self.users = UserStore(self.clock, seed=self.config.seed, otp_sender=self._capture_otp)
        self.outbox = Outbox(
            self.clock,
            delivery_delay=self.config.delivery_delay,
            max_recipients=self.config.outbox_max_recipients,
            max_bulks=self.config.outbox_max_bulks,
        )
        self.patterns = PatternStore(
            seed=self.config.seed, review_delay=self.config.pattern_review_delay
        )
        self.lines = SenderLines(self.users)
        self.drafts = DraftStore(self.clock)
        self.phonebooks = PhonebookStore(
            self.clock,
            max_size=self.config.phonebook_max_size,
            max_numbers=self.config.phonebook_max_numbers,
        )
        self.chaos = ChaosEngine(self.config.seed)
        self.rate_limiter = RateLimiter(self.config.rate_limit, self.config.rate_burst)
        self.reset()

    def reset(self) -> None:
        """Back to the seeded start: clock, default users and their lines, users file, demo
        patterns and no user patterns, no phonebooks or drafts but the sample phonebook,
        history, no chaos rules (generator re-seeded) and the configured rate limit."""
        self.chaos.reset(self.config.seed)
        self.rate_limiter.configure(self.config.rate_limit, self.config.rate_burst)
        self.clock.reset()
        self.messages.clear()
        self.journal.clear()
        self.users.reset()
        self.outbox.reset()
        self.patterns.reset()
        self.drafts.reset()
        self.phonebooks.reset()
        for item in DEFAULT_USERS:
            self.users.create_from_mapping(item)
        if self.config.users_file is not None:
            self.users.load_file(self.config.users_file)
        self.lines.reset()
        sandbox = self.users.get("sandbox")
        if self.config.sample_phonebook and sandbox is not None:
            fill_phonebook(
                self.phonebooks, sandbox, seed=self.config.seed, count=self.config.sample_phonebook
            )
        if self.config.history and sandbox is not None:
            fill_history(
                self.outbox,
                sandbox,
                seed=self.config.seed,
                count=self.config.history,
                now=self.clock.now(),
            )

    # -- sends ----------------------------------------------------------------------------

    def send(self, user: User, body: Mapping[str, Any], *, user_ip: str | None = None) -> list[int]:
        """A JSON send (body shaped by its sending type's schema): the ids of the bulks made.

        Raises InvalidFields naming every bad field, UnknownPattern, RuleBroken (a pattern
        not approved); then nothing is made.
        """
        now = self.clock.now()
        context = SendContext(user, self.config.seed, self.patterns, self.phonebooks, now)
        ids = self._create(user, plan_send(body, context), user_ip)
        kept = pattern_contact(body)
        if kept is not None:
            self.phonebooks.keep(user, *kept)
        return ids

    def send_file(
        self,
        user: User,
        fields: Mapping[str, str],
        files: Sequence[bytes],
        errors: FieldErrors,
        *,
        user_ip: str | None = None,
    ) -> list[int]:
        """A `peer_to_peer_file` send: one bulk per distinct message of the CSV files.

        `errors` are the form's shape problems; raised together with the files' own.
        """
        sender_errors(user, fields.get("sending_type", ""), fields.get("from_number"), errors)
        return self._create(user, plan_file(fields, files, errors), user_ip)

    def _create(self, user: User, plans: list[BulkPlan], user_ip: str | None) -> list[int]:
        ids = []
        for plan in plans:
            bulk = self.outbox.create(
                user,
                sender=plan.sender,
                text=plan.text,
                recipients=plan.recipients,
                sending_type=plan.sending_type,
                send_time=plan.send_time,
                summary=plan.summary,
                user_ip=user_ip,
            )
            if plan.final_state is not None and bulk.final_state is None:
                self.outbox.force_state(bulk.id, plan.final_state)
            if bulk.final_state is None:
                self.capture_bulk(bulk.id)
            ids.append(bulk.id)
        return ids

    def cancel(self, user: User, bulk_id: int) -> None:
        """Cancel a scheduled bulk of the user, refunding it; BulkNotFound or NotCancelable."""
        outcome = self.outbox.cancel(user, bulk_id)
        if outcome is CancelOutcome.NOT_FOUND:
            raise BulkNotFound(MSG_BULK_NOT_FOUND)
        if outcome is CancelOutcome.NOT_CANCELABLE:
            raise NotCancelable(MSG_NOT_CANCELABLE)

    @staticmethod
    def calculate_price(message: str) -> PriceQuote:
        """Parts and price per recipient of a message (the same tariff the sends debit)."""
        parts, _, price = cost_of(message, 1)
        return PriceQuote(parts, price)

    # -- reports --------------------------------------------------------------------------

    def outbox_report(
        self, user: User, filters: BulkFilters, *, username: str | None = None
    ) -> list[OutboxBulk]:
        """The user's bulks, newest first; a `username` filter naming someone else finds none."""
        if username is not None and username not in ANY_USER and username != user.username:
            return []
        return self.outbox.for_user(user.username, filters)

    def bulk_of(self, user: User, bulk_id: int) -> OutboxBulk:
        """One bulk of the user, else BulkNotFound (another user's bulk is not found too)."""
        bulk = self.outbox.get(user.username, bulk_id)
        if bulk is None:
            raise BulkNotFound(MSG_BULK_NOT_FOUND)
        return bulk

    # -- captured messages ----------------------------------------------------------------

    def capture_bulk(self, bulk_id: int) -> None:
        """Record what a bulk "delivers" (the bounded log only builds the tail it keeps)."""
        bulk = self.outbox.get_any(bulk_id)
        if bulk is None:
            return
        self.messages.capture_many(
            user=bulk.username,
            sender=bulk.sender,
            recipients=FormattedNumbers(bulk.recipients),
            text=bulk.text,
            bulk_id=bulk.id,
            sending_type=bulk.sending_type,
            created_at=bulk.created_at,
        )

    def _capture_otp(self, user: User, code: str) -> None:
        self.messages.capture(
            user=user.username,
            sender=OTP_SENDER,
            recipient=user.mobile,
            text=OTP_TEXT.format(code=code),
            bulk_id=None,
            sending_type="otp",
            created_at=self.clock.now(),
        )
