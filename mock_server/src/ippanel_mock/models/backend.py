"""SandboxBackend: all sandbox state in one object, resettable to its seeded start."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from ippanel_mock.config import SandboxConfig
from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.history import fill_history
from ippanel_mock.models.journal import RequestJournal
from ippanel_mock.models.messages import MessageLog
from ippanel_mock.models.outbox import Outbox
from ippanel_mock.models.patterns import PatternStore
from ippanel_mock.models.phones import format_number
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
        self.patterns = PatternStore()
        self.reset()

    def reset(self) -> None:
        """Back to the seeded start: clock, default users, users file, demo patterns, history."""
        self.clock.reset()
        self.messages.clear()
        self.journal.clear()
        self.users.reset()
        self.outbox.reset()
        self.patterns.reset()
        for item in DEFAULT_USERS:
            self.users.create_from_mapping(item)
        if self.config.users_file is not None:
            self.users.load_file(self.config.users_file)
        sandbox = self.users.get("sandbox")
        if self.config.history and sandbox is not None:
            fill_history(
                self.outbox,
                sandbox,
                seed=self.config.seed,
                count=self.config.history,
                now=self.clock.now(),
            )

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
