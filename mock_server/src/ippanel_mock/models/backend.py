"""SandboxBackend: all sandbox state in one object, its operations, and a reset to the seed.

Routes parse and render; every rule of the IPPanel API lives below this object, and each refusal
is a domain error (models/errors.py) that the route maps to its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.audiences import OPERATOR_IDS, PeopleFilter, counts
from ippanel_mock.models.autoreply import AutoReplies
from ippanel_mock.models.chaos import ChaosEngine
from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.drafts import DraftStore
from ippanel_mock.models.errors import (
    MSG_BULK_NOT_FOUND,
    MSG_NOT_CANCELABLE,
    BulkNotFound,
    FieldErrors,
    InvalidFields,
    NotCancelable,
    UnknownAddressee,
    collect,
)
from ippanel_mock.models.file_sending import plan_file, plan_keyword_file, plan_number_file
from ippanel_mock.models.geography import area_key
from ippanel_mock.models.history import fill_history, fill_phonebook
from ippanel_mock.models.inbox import Inbox, PendingMessage
from ippanel_mock.models.jobs import job_key
from ippanel_mock.models.journal import RequestJournal
from ippanel_mock.models.lines import SenderLines
from ippanel_mock.models.messages import MessageLog
from ippanel_mock.models.outbox import BulkFilters, CancelOutcome, Outbox, OutboxBulk
from ippanel_mock.models.parts import cost_of
from ippanel_mock.models.patterns import PatternStore
from ippanel_mock.models.phonebooks import PhonebookStore
from ippanel_mock.models.phones import (
    FormattedNumbers,
    InvalidRecipient,
    Operator,
    normalize_recipient,
)
from ippanel_mock.models.ratelimit import RateLimiter
from ippanel_mock.models.sending import (
    BulkPlan,
    SendContext,
    pattern_contact,
    plan_send,
    sender_errors,
)
from ippanel_mock.models.users import DEFAULT_TOTP_SECRET, User, UserStore

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
        self.inbox = Inbox(self.clock, self.config.inbox_capacity, keep=self._still_arrives)
        self.autoreplies = AutoReplies()
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
        history, no chaos rules (generator re-seeded) and the configured rate limit.

        The users file is read again, and first on a store of its own: a file edited into a bad
        one since start-up is a UserError before anything is reset."""
        if self.config.users_file is not None:
            trial = UserStore(SandboxClock(), seed=self.config.seed)
            for item in DEFAULT_USERS:
                trial.create_from_mapping(item)
            trial.load_file(self.config.users_file)
        self.chaos.reset(self.config.seed)
        self.rate_limiter.configure(self.config.rate_limit, self.config.rate_burst)
        self.clock.reset()
        self.messages.clear()
        self.journal.clear()
        self.users.reset()
        self.outbox.reset()
        self.patterns.reset()
        self.inbox.clear()
        self.autoreplies.reset()
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
        other_recipients: Sequence[str] = (),
        user_ip: str | None = None,
    ) -> list[int]:
        """A multipart send (`fields["sending_type"]`): `peer_to_peer_file` and `keyword` make a
        bulk per distinct text of the files, `file` one bulk for every number in them.

        `errors` are the form's shape problems; raised together with the files' own.
        """
        sending_type = fields.get("sending_type", "")
        sender_errors(user, sending_type, fields.get("from_number"), errors)
        if sending_type == "file":
            plans = plan_number_file(fields, files, errors, other_recipients)
        elif sending_type == "keyword":
            plans = plan_keyword_file(fields, files, errors)
        else:
            plans = plan_file(fields, files, errors)
        return self._create(user, plans, user_ip)

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
                self._capture(bulk)
                if self.autoreplies:
                    for reply in self.autoreplies.replies_to(bulk):
                        self.inbox.schedule(reply)
            ids.append(bulk.id)
        return ids

    def password_caller(self, username: str, password: str) -> User | None:
        """The account a username and password name, for sends that carry them (the URL form);
        accounts with a second login factor cannot be used so."""
        user = self.users.check_password(username, password)
        return user if user is not None and user.method == "login" else None

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

    # -- audiences of the banks ------------------------------------------------------------

    def area_counts(
        self, province_id: int, county_id: int | None, city_id: int | None, flt: PeopleFilter
    ) -> dict[Operator, int]:
        """People per operator of an area whom the filters keep (as a `country` send draws)."""
        return counts(self.config.seed, area_key(province_id, county_id, city_id), flt)

    def job_counts(
        self, main_id: int, sub_id: int | None, operator_id: int | None, start: int,
        size: int | None,
    ) -> dict[Operator, int]:  # fmt: skip
        """People per operator a `job` send's window would draw."""
        operators = tuple(OPERATOR_IDS.values()) if operator_id is None else (
            OPERATOR_IDS[operator_id],)  # fmt: skip
        key = job_key(main_id, sub_id)
        return counts(self.config.seed, key, PeopleFilter(), operators=operators, start=start,
                       size=size)  # fmt: skip

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
        if bulk is not None:
            self._capture(bulk)

    def _capture(self, bulk: OutboxBulk) -> None:
        self.messages.capture_many(
            user=bulk.username,
            sender=bulk.sender,
            recipients=FormattedNumbers(bulk.packed),
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

    # -- the inbox ------------------------------------------------------------------------

    def inject_message(
        self, sender: str, line: str, text: str, *, at: float | None, username: str | None
    ) -> list[PendingMessage]:
        """An SMS from `sender` to `line`, received at `at` (None: now), in the inbox of
        `username` or of every account that has the line. InvalidFields for a bad sender,
        UnknownAddressee when no inbox can take it."""
        try:
            phone = normalize_recipient(sender)
        except (InvalidRecipient, TypeError):
            raise InvalidFields({"from": ["not an Iranian mobile number"]}) from None
        errors: FieldErrors = {}
        if username is not None:
            user = self.users.get(username)
            owners = [user] if user is not None else []
            if user is None:
                collect(errors, "user", f"no user named {username!r}")
            elif line not in user.senders:
                collect(errors, "to", f"{line} is not a line of {username} ({list(user.senders)})")
        else:
            owners = [u for u in self.users.all() if line in u.senders]
            if not owners:
                collect(errors, "to", f"no account has the line {line}")
        if errors:
            raise UnknownAddressee(errors)
        due = self.clock.now() if at is None else at
        sent = [
            self.inbox.schedule(PendingMessage(u.username, phone, line, text, due)) for u in owners
        ]
        self.inbox.deliver_due()
        return sent

    def _still_arrives(self, pending: PendingMessage) -> bool:
        """A reply whose rule was deleted, or to a bulk canceled or failed since, never comes."""
        if pending.rule_id is not None and self.autoreplies.get(pending.rule_id) is None:
            return False
        if pending.bulk_id is not None:
            bulk = self.outbox.get_any(pending.bulk_id)
            return bulk is None or bulk.final_state is None
        return True
