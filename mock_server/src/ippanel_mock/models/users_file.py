"""User definitions, as a users file, the admin API or a test gives them: every field checked,
each problem a UserError naming the field (never a secret), before the store adds anything."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import pyotp

from ippanel_mock.models.errors import SandboxError
from ippanel_mock.models.phones import InvalidRecipient, normalize_recipient

LoginMethod = Literal["login", "ga", "sms"]
LOGIN_METHODS: tuple[LoginMethod, ...] = ("login", "ga", "sms")

MAX_API_KEYS = 100
"""API keys one user may hold."""
DEFAULT_PASSWORD = "sandbox-password"
DEFAULT_CREDIT = 1e12
MAX_CREDIT = 1e15
"""The admin API's bound too (admin_user_create.json): under 2**53, so every cost changes it."""
DEFAULT_SENDERS = ("+983000505", "+9810001")
USER_FIELDS = frozenset(
    {"username", "password", "method", "mobile", "name", "credit",
     "api_key", "api_keys", "totp_secret", "senders", "is_reseller"}
)  # fmt: skip


class UserError(SandboxError, ValueError):
    """A user definition is invalid (message names the field, never a secret)."""


CREDIT_RULE = f"credit must be a finite number from 0 to {MAX_CREDIT:.0f}"


def checked_credit(value: object) -> float:
    """A credit as stored: a number from 0 to MAX_CREDIT (NaN fails every comparison)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(CREDIT_RULE)
    if not 0 <= value <= MAX_CREDIT:
        raise UserError(CREDIT_RULE)
    return float(value)


@dataclass(frozen=True, slots=True)
class UserDefinition:
    """A user's fields, each valid on its own (whether the name and keys are free is the
    store's to say)."""

    username: str
    password: str
    method: LoginMethod
    mobile: str
    name: str
    credit: float
    api_keys: tuple[str, ...]
    totp_secret: str | None
    senders: tuple[str, ...]
    is_reseller: bool


def _strings(value: object, problem: str) -> tuple[str, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise UserError(problem)
    items = tuple(value)
    if not all(isinstance(item, str) and item for item in items):
        raise UserError(problem)
    return cast(tuple[str, ...], items)


def checked_definition(
    username: object,
    password: object,
    *,
    method: object,
    mobile: object,
    name: object,
    credit: object,
    api_keys: object,
    totp_secret: object,
    senders: object,
    is_reseller: object,
) -> UserDefinition:
    """Every field checked in the order given; the first problem raises UserError."""
    if not isinstance(username, str) or not username.strip():
        raise UserError("username must be a non-empty string")
    if not isinstance(password, str) or not password:
        raise UserError("password must be a non-empty string")
    if method not in LOGIN_METHODS:
        raise UserError(f"method must be one of {', '.join(LOGIN_METHODS)}")
    try:
        normal_mobile = normalize_recipient(mobile)  # type: ignore[arg-type]
    except (InvalidRecipient, TypeError, AttributeError):
        raise UserError("mobile must be an Iranian mobile number") from None
    if name is not None and not isinstance(name, str):
        raise UserError("name must be a string")
    stored_credit = checked_credit(credit)
    if not isinstance(is_reseller, bool):
        raise UserError("is_reseller must be true or false")
    keys = _strings(api_keys, "api_keys must be a list of non-empty strings")
    if len(keys) > MAX_API_KEYS:
        raise UserError(f"at most {MAX_API_KEYS} api keys a user")
    lines = _strings(senders, "senders must be a list of line numbers")
    if totp_secret is not None:
        try:
            pyotp.TOTP(totp_secret).now()  # type: ignore[arg-type]
        except Exception:
            raise UserError("totp_secret must be base32 of at least 112 bits") from None
    return UserDefinition(
        username,
        password,
        method,
        normal_mobile,
        name if name is not None else username,
        stored_credit,
        keys,
        cast(str | None, totp_secret),
        lines,
        is_reseller,
    )


def definition_of(item: object) -> UserDefinition:
    """A user object (users file, admin API): known fields only, defaults for those left out;
    `api_key` is the first of `api_keys`."""
    if not isinstance(item, Mapping):
        raise UserError("each user must be an object")
    unknown = sorted(set(item) - USER_FIELDS)
    if unknown:
        raise UserError(f"unknown user fields: {', '.join(map(str, unknown))}")
    keys = item.get("api_keys", [])
    if "api_key" in item:
        if not isinstance(keys, list):
            raise UserError("api_keys must be a list of non-empty strings")
        keys = [item["api_key"], *keys]
    return checked_definition(
        item.get("username", ""),
        item.get("password", DEFAULT_PASSWORD),
        method=item.get("method", "login"),
        mobile=item.get("mobile", ""),
        name=item.get("name"),
        credit=item.get("credit", DEFAULT_CREDIT),
        api_keys=keys,
        totp_secret=item.get("totp_secret"),
        senders=item.get("senders", DEFAULT_SENDERS),
        is_reseller=item.get("is_reseller", False),
    )


def read_users_file(path: str | Path) -> list[Any]:
    """The user objects of a JSON file: a list of objects, or {"users": [...]}."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read users file {path}: {type(exc).__name__}") from None
    items = raw.get("users") if isinstance(raw, dict) else raw
    if not isinstance(items, list):
        raise UserError("users file must hold a list of user objects")
    return items


def naming_the_user(number: int, item: object, exc: UserError) -> UserError:
    """The same error, its message led by which user of a file it is about."""
    name = item.get("username") if isinstance(item, Mapping) else None
    who = f"user {number}" + (f" ({name!r})" if isinstance(name, str) else "")
    return type(exc)(f"{who}: {exc.message}")
