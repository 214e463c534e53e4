"""Accounts, API keys, login tokens, SMS OTPs and TOTP: the sandbox's identity model (what a
user definition may hold is checked in models/users_file.py)."""

from __future__ import annotations

import base64
import hmac
import itertools
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyotp

from ippanel_mock.models.clock import SandboxClock
from ippanel_mock.models.errors import AlreadyExists, LimitReached
from ippanel_mock.models.phones import InvalidRecipient, normalize_recipient
from ippanel_mock.models.users_file import (
    DEFAULT_CREDIT,
    DEFAULT_PASSWORD,
    DEFAULT_SENDERS,
    LoginMethod,
    UserDefinition,
    UserError,
    checked_credit,
    checked_definition,
    definition_of,
    naming_the_user,
    read_users_file,
)

TEMP_TOKEN_TTL = 6 * 60.0
FINAL_TOKEN_TTL = 10 * 3600.0
MAX_OTP_TRIES = 5
MAX_SESSIONS = 100_000
"""Live login tokens kept; beyond it expired ones go first, then the oldest (they get the 401)."""
MAX_USERS = 10_000
"""Accounts at most (default ones, users file and admin API together); a reset removes the added."""
DEFAULT_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
"""160-bit base32 secret of `sandbox-ga` (pyotp rejects secrets under 112 bits)."""

OtpSender = Callable[["User", str], None]
"""Called with (user, code) whenever the sandbox "sends" an OTP SMS."""


def secrets_match(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret (password, OTP, token), for any text: bytes that were
    not UTF-8 (lone surrogates) compare as bytes instead of raising."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


class TooManyUsers(LimitReached, UserError):
    """The store holds max_users accounts already."""


class UserConflict(AlreadyExists, UserError):
    """The username or an API key is already taken (or given twice)."""


@dataclass(frozen=True, slots=True)
class LineGrant:
    """What a user may do with a sender line: send from it, receive on it (`gets`)."""

    send: bool = True
    gets: bool = True


@dataclass(slots=True)
class User:
    id: int
    username: str
    password: str = field(repr=False)
    method: LoginMethod
    mobile: str
    name: str
    credit: float
    api_keys: list[str] = field(default_factory=list, repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    lines: dict[str, LineGrant] = field(default_factory=dict)
    """The sender lines the user holds (models/lines.py assigns and unassigns them)."""
    is_reseller: bool = False
    send_block: bool = False
    document_block: bool = False

    @property
    def senders(self) -> tuple[str, ...]:
        """The lines the user may send from."""
        return tuple(number for number, grant in self.lines.items() if grant.send)


@dataclass(slots=True)
class _Session:
    kind: Literal["temp", "final", "reset"]
    username: str
    expires_at: float
    otp: str | None = None
    tries_left: int = MAX_OTP_TRIES


@dataclass(frozen=True, slots=True)
class LoginResult:
    method: LoginMethod
    token: str


class UserStore:
    """Users and their credentials; every token check reads the sandbox clock."""

    def __init__(self, clock: SandboxClock, *, seed: int = 0, otp_sender: OtpSender | None = None):
        self._clock = clock
        self._seed = seed
        self._otp_sender = otp_sender
        self._rng = random.Random(seed)
        self._users: dict[str, User] = {}
        self._api_keys: dict[str, str] = {}
        self._sessions: dict[str, _Session] = {}
        self.max_sessions = MAX_SESSIONS
        self.max_users = MAX_USERS
        self._next_id = 58_745

    def reset(self) -> None:
        self._rng = random.Random(self._seed)
        self._users.clear()
        self._api_keys.clear()
        self._sessions.clear()
        self._next_id = 58_745

    # -- accounts --------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password: str = DEFAULT_PASSWORD,
        *,
        method: str = "login",
        mobile: str,
        name: str | None = None,
        credit: float = DEFAULT_CREDIT,
        api_keys: Iterable[str] = (),
        totp_secret: str | None = None,
        senders: Iterable[str] = DEFAULT_SENDERS,
        is_reseller: bool = False,
    ) -> User:
        """Add an account; on bad input raise UserError naming the field, changing nothing."""
        self._check_free(username)
        return self._add(
            checked_definition(
                username,
                password,
                method=method,
                mobile=mobile,
                name=name,
                credit=credit,
                api_keys=api_keys,
                totp_secret=totp_secret,
                senders=senders,
                is_reseller=is_reseller,
            )
        )

    def create_from_mapping(self, item: Mapping[str, Any]) -> User:
        """Add the account a user object (users file, admin API) defines."""
        if isinstance(item, Mapping):
            self._check_free(item.get("username"))
        return self._add(definition_of(item))

    def load_file(self, path: str | Path) -> list[User]:
        """Create the users listed in a JSON file: a list of objects, or {"users": [...]}."""
        created = []
        for number, item in enumerate(read_users_file(path), 1):
            try:
                created.append(self.create_from_mapping(item))
            except UserError as exc:
                raise naming_the_user(number, item, exc) from None
        return created

    def _check_free(self, username: object) -> None:
        if isinstance(username, str) and username in self._users:
            raise UserConflict(f"username {username!r} already exists")

    def _add(self, definition: UserDefinition) -> User:
        self._check_free(definition.username)
        keys = list(definition.api_keys)
        if any(key in self._api_keys for key in keys):
            raise UserConflict("an api key is already in use")
        if len(set(keys)) != len(keys):
            raise UserConflict("api_keys must be distinct")
        totp_secret = definition.totp_secret
        if definition.method == "ga" and totp_secret is None:
            totp_secret = base64.b32encode(self._rng.randbytes(20)).decode()
        if len(self._users) >= self.max_users:
            raise TooManyUsers(f"at most {self.max_users} users; a reset removes the added ones")
        user = User(
            id=self._next_id,
            username=definition.username,
            password=definition.password,
            method=definition.method,
            mobile=definition.mobile,
            name=definition.name,
            credit=definition.credit,
            api_keys=keys,
            totp_secret=totp_secret,
            lines=dict.fromkeys(definition.senders, LineGrant()),
            is_reseller=definition.is_reseller,
        )
        self._next_id += 1
        self._users[user.username] = user
        for key in keys:
            self._api_keys[key] = user.username
        return user

    def get(self, username: str) -> User | None:
        return self._users.get(username)

    def all(self) -> list[User]:
        return list(self._users.values())

    def remove_user(self, username: str) -> bool:
        user = self._users.pop(username, None)
        if user is None:
            return False
        for key in user.api_keys:
            self._api_keys.pop(key, None)
        for token in [t for t, s in self._sessions.items() if s.username == username]:
            del self._sessions[token]
        return True

    def set_credit(self, username: str, credit: float) -> User | None:
        checked = checked_credit(credit)
        user = self._users.get(username)
        if user is not None:
            user.credit = checked
        return user

    # -- authentication --------------------------------------------------------------------

    def authenticate(self, header_value: str | None) -> User | None:
        """The caller behind an Authorization header: an API key or a live final token."""
        if not header_value:
            return None
        value = header_value.strip()
        username = self._api_keys.get(value)
        if username is None:
            session = self._live(value, "final")
            username = session.username if session else None
        return self._users.get(username) if username else None

    def check_password(self, username: str, password: str) -> User | None:
        """The user whose password this is; an unknown name is compared against a stand-in, so
        the time taken does not tell which names exist."""
        user = self._users.get(username)
        expected = user.password if user is not None else DEFAULT_PASSWORD
        if not secrets_match(password, expected) or user is None:
            return None
        return user

    def login(self, username: str, password: str) -> LoginResult | None:
        user = self.check_password(username, password)
        if user is None:
            return None
        if user.method == "login":
            return LoginResult("login", self._new_session("final", user, FINAL_TOKEN_TTL))
        token = self._new_session("temp", user, TEMP_TOKEN_TTL)
        if user.method == "sms":
            self._send_otp(token, user)
        return LoginResult(user.method, token)

    def send_sms_otp(self, token: str) -> LoginResult | None:
        """(Re)send an SMS OTP for a pending login; the token keeps its expiry."""
        session = self._live(token, "temp")
        user = self._users.get(session.username) if session else None
        if session is None or user is None:
            return None
        self._send_otp(token, user)
        return LoginResult("sms", token)

    def confirm_otp(self, token: str, otp: str) -> LoginResult | None:
        session = self._live(token, "temp")
        user = self._users.get(session.username) if session else None
        if session is None or user is None:
            return None
        if not self._otp_matches(session, user, otp):
            self._count_failure(token, session)
            return None
        del self._sessions[token]
        return LoginResult("login", self._new_session("final", user, FINAL_TOKEN_TTL))

    def forgot_password(self, username: str, mobile: str) -> str | None:
        user = self._users.get(username)
        try:
            same_mobile = user is not None and normalize_recipient(mobile) == user.mobile
        except InvalidRecipient:
            same_mobile = False
        if user is None or not same_mobile:
            return None
        token = self._new_session("reset", user, TEMP_TOKEN_TTL)
        self._send_otp(token, user)
        return token

    def change_password_by_token(self, token: str, otp: str, password: str) -> bool:
        session = self._live(token, "reset")
        user = self._users.get(session.username) if session else None
        if session is None or user is None:
            return False
        if session.otp is None or not secrets_match(otp, session.otp):
            self._count_failure(token, session)
            return False
        del self._sessions[token]
        user.password = password
        return True

    def logout(self, header_value: str) -> bool:
        """End a final token; an API key is valid but has nothing to end."""
        value = header_value.strip()
        if value in self._api_keys:
            return True
        if self._live(value, "final") is None:
            return False
        del self._sessions[value]
        return True

    def tokens_of(self, username: str) -> list[str]:
        """Every token issued to `username` that has not been logged out or pruned (for tests
        that prove a token never leaked into a log)."""
        return [t for t, s in self._sessions.items() if s.username == username]

    def token_expiry(self, token: str) -> float | None:
        session = self._sessions.get(token)
        return session.expires_at if session else None

    # -- internals -------------------------------------------------------------------------

    def _new_session(self, kind: Literal["temp", "final", "reset"], user: User, ttl: float) -> str:
        self._prune()
        token = f"{self._rng.getrandbits(128):032x}"
        self._sessions[token] = _Session(kind, user.username, self._clock.now() + ttl)
        return token

    def _live(self, token: str, kind: str) -> _Session | None:
        session = self._sessions.get(token)
        if session is None or session.kind != kind:
            return None
        if self._clock.now() >= session.expires_at:
            del self._sessions[token]
            return None
        return session

    def _send_otp(self, token: str, user: User) -> None:
        code = f"{self._rng.randrange(10**5, 10**6)}"
        session = self._sessions[token]
        session.otp = code
        if self._otp_sender is not None:
            self._otp_sender(user, code)

    def _otp_matches(self, session: _Session, user: User, otp: str) -> bool:
        if session.otp is not None and secrets_match(otp, session.otp):
            return True
        if user.method == "ga" and user.totp_secret:
            totp = pyotp.TOTP(user.totp_secret)
            # The sandbox clock may be advanced; a real authenticator app uses wall time.
            return totp.verify(otp, for_time=self._clock.now(), valid_window=1) or totp.verify(
                otp, valid_window=1
            )
        return False

    def _count_failure(self, token: str, session: _Session) -> None:
        session.tries_left -= 1
        if session.tries_left <= 0:
            self._sessions.pop(token, None)

    def _prune(self) -> None:
        """Keep sessions bounded: at the cap drop expired ones, then the oldest down to 90 %,
        so a login storm costs amortized O(1) per login and memory stays flat."""
        if len(self._sessions) < self.max_sessions:
            return
        now = self._clock.now()
        for token in [t for t, s in self._sessions.items() if now >= s.expires_at]:
            del self._sessions[token]
        excess = len(self._sessions) - self.max_sessions * 9 // 10
        for token in list(itertools.islice(self._sessions, max(excess, 0))):
            del self._sessions[token]
